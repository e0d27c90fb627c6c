"""Indexes for the dashboard's reads

The Dashboard pane re-reads the last 24 hours every 10 s while shown: orders by
`placed_at`, requests by `sent_at`, runs by `finished_at`, and each integration's newest
runs (`integration_id, id`, which also serves every lookup the single-column index did).
Without them each read scanned whole tables (4 s at a year of history).

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 12:40:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain index operations, not batch mode: a SQLite table rebuild would drop the row-version
# triggers of order and fulfillment_request (0011).


def upgrade() -> None:
    op.create_index("ix_order_placed_at", "order", ["placed_at"])
    op.create_index("ix_fulfillment_request_sent_at", "fulfillment_request", ["sent_at"])
    op.drop_index("ix_job_run_integration_id", table_name="job_run")
    op.create_index("ix_job_run_integration_id_id", "job_run", ["integration_id", "id"])
    op.create_index("ix_job_run_finished_at", "job_run", ["finished_at"])


def downgrade() -> None:
    op.drop_index("ix_job_run_finished_at", table_name="job_run")
    op.drop_index("ix_job_run_integration_id_id", table_name="job_run")
    op.create_index("ix_job_run_integration_id", "job_run", ["integration_id"])
    op.drop_index("ix_fulfillment_request_sent_at", table_name="fulfillment_request")
    op.drop_index("ix_order_placed_at", table_name="order")
