"""drop ix_inventory_item_source_id

`ix_inventory_item_source_id` only repeated the leading column of the unique
(source_id, sku) constraint, whose own index serves every lookup by source; keeping it cost
one more b-tree insert per imported item (100k per WPS import). master_sku (routing) and
upc (linking by UPC) keep their indexes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 17:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Batch mode like 0001 (SQLite); dropping an index needs no table copy.
    with op.batch_alter_table("inventory_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inventory_item_source_id"))


def downgrade() -> None:
    with op.batch_alter_table("inventory_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inventory_item_source_id"), ["source_id"], unique=False
        )
