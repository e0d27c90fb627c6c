"""order.details, order_line.details: the channel's own order fields

What a channel's order mapping reads beyond our columns (Magento: status, shipping amount,
coupon code, customer note, invoices; per line: the item id, weight, discount), kept as
JSON so each channel keeps its guide's fields without a column each.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 06:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("order", "order_line"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("details", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
            )


def downgrade() -> None:
    for table in ("order_line", "order"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("details")
