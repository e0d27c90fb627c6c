"""shipment.ship_to, shipment_line.name: the address and item names a source reports

What a source's Get Shipments says besides tracking and status (the WPS guide's Shipping
Address fields and Line Item Name): where the shipment went, as the source keeps it, and
the name of each shipped item. `ship_to` defaults to {} and `name` is nullable, so
shipments recorded before this revision stay valid.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("shipment", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("ship_to", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
    with op.batch_alter_table("shipment_line", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("shipment_line", schema=None) as batch_op:
        batch_op.drop_column("name")
    with op.batch_alter_table("shipment", schema=None) as batch_op:
        batch_op.drop_column("ship_to")
