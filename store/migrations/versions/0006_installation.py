"""installation: the database's installation id; job_run.request_id

`job_run.request_id`: a send_orders run an operator started for one request
(`dropdeck orders send`).

One row, made the first time the id is needed (routing an order, `dropdeck about`), not
here: an export moves a business with its installation id into an empty database, and a
row made by the migration would make every new database non-empty.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 06:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import store.models._types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("job_run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("request_id", sa.Integer(), nullable=True))
    op.create_table(
        "installation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("installation_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", store.models._types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_installation")),
        sa.UniqueConstraint("installation_id", name=op.f("uq_installation_installation_id")),
    )


def downgrade() -> None:
    op.drop_table("installation")
    with op.batch_alter_table("job_run", schema=None) as batch_op:
        batch_op.drop_column("request_id")
