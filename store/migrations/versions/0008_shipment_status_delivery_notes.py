"""shipment: status, estimated_delivery, notes

What a source says about a shipment besides its tracking: its status (US Direct's
"In Transit"), the expected delivery date and shipment notes (the WPS guide's Estimated
Delivery Date and Shipment Notes). All nullable: a source that does not say leaves them
empty, and shipments recorded before this revision stay valid.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 08:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("shipment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column("estimated_delivery", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("notes", sqlmodel.sql.sqltypes.AutoString(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("shipment", schema=None) as batch_op:
        batch_op.drop_column("notes")
        batch_op.drop_column("estimated_delivery")
        batch_op.drop_column("status")
