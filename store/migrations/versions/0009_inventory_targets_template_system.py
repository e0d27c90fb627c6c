"""inventory_item: inventory_tracking, low_stock_threshold; mapping_template: system

The WPS guide's inventory targets the store had no column for: Inventory Tracking
(product or variant) and Inventory Warning Level (Low Stock Threshold). A mapping template
now says which system's fields it maps (WPS, US Direct), so `dropdeck mappings templates`
can check it against that system's targets. All nullable: rows from before stay valid.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 08:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("inventory_item", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("inventory_tracking", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
        batch_op.add_column(sa.Column("low_stock_threshold", sa.Integer(), nullable=True))
    with op.batch_alter_table("mapping_template", schema=None) as batch_op:
        batch_op.add_column(sa.Column("system", sqlmodel.sql.sqltypes.AutoString(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("mapping_template", schema=None) as batch_op:
        batch_op.drop_column("system")
    with op.batch_alter_table("inventory_item", schema=None) as batch_op:
        batch_op.drop_column("low_stock_threshold")
        batch_op.drop_column("inventory_tracking")
