"""shipment: push_started_at

The intent of a channel write, recorded before the write: a shipment whose push started
but whose outcome was never recorded (the worker died in between) is looked for on the
channel before it is pushed again, so a tracking note or item lands exactly once.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 06:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.models._types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("shipment", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "push_started_at", store.models._types.UTCDateTime(timezone=True), nullable=True
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("shipment", schema=None) as batch_op:
        batch_op.drop_column("push_started_at")
