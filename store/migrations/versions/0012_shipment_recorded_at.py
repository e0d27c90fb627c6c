"""shipment: recorded_at

When Dropdeck first stored the shipment (its tracking), so the dashboard's sync lag is the
time tracking waited in Dropdeck before it reached the channel. A source's ship time is
often a date alone (midnight), which made "ship time to synced" half a day too long. Rows
stored before this revision have none (the lag falls back to the ship time).

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 12:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.models._types

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("shipment", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("recorded_at", store.models._types.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("shipment", schema=None) as batch_op:
        batch_op.drop_column("recorded_at")
