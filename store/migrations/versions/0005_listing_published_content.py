"""listing_variant.published_content: what the channel was last given of a listing's content

Publish sends a linked listing again when its content (title, description, images,
categories, UPC, MPN, GTIN) differs from what the last publish or import left on the
channel. Existing rows start without it: nothing is republished until their content is
recorded by a publish, an import or a link run.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 06:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("listing_variant", schema=None) as batch_op:
        batch_op.add_column(sa.Column("published_content", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("listing_variant", schema=None) as batch_op:
        batch_op.drop_column("published_content")
