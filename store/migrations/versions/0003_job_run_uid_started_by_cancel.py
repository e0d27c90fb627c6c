"""job_run: run_uid, started_by, cancel_requested_by

`run_uid` ties log lines to one run across databases (the demo resets its database and
keeps its logs, so run ids repeat); existing runs get a fresh uid each. `started_by` says
who queued a run (`schedule`, or the operator); runs queued before it existed say
`schedule` or `unknown` by their trigger. `cancel_requested_by` asks a running run's worker
to stop it at its next page boundary.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 05:00:00.000000
"""

from collections.abc import Sequence
from uuid import uuid4

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("job_run", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "run_uid", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=""
            )
        )
        batch_op.add_column(
            sa.Column(
                "started_by",
                sqlmodel.sql.sqltypes.AutoString(),
                nullable=False,
                server_default="schedule",
            )
        )
        batch_op.add_column(
            sa.Column("cancel_requested_by", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
    job_run = sa.table(
        "job_run",
        sa.column("id", sa.Integer),
        sa.column("trigger", sa.String),
        sa.column("run_uid", sa.String),
        sa.column("started_by", sa.String),
    )
    bind = op.get_bind()
    op.execute(job_run.update().where(job_run.c.trigger != "schedule").values(started_by="unknown"))
    ids = [row[0] for row in bind.execute(sa.select(job_run.c.id))]
    for run_id in ids:
        bind.execute(job_run.update().where(job_run.c.id == run_id).values(run_uid=uuid4().hex))


def downgrade() -> None:
    with op.batch_alter_table("job_run", schema=None) as batch_op:
        batch_op.drop_column("cancel_requested_by")
        batch_op.drop_column("started_by")
        batch_op.drop_column("run_uid")
