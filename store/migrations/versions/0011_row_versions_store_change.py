"""Row versions and the store's change counter: several operators on one database

`version` on the rows operators act on (integration, order, fulfillment_request,
listing_variant) counts every update of the row. The database bumps it itself, by trigger,
so every writer (the ORM, set-based upserts, another Dropdeck) counts, and an action
compares-and-sets against the version the operator saw (`store.commands.seen`).

`store_change` is one row whose `version` every committing write to an operator-visible
table bumps (`store.changes`); a console polls it to learn, cheaply, that it should re-read.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VERSIONED = ("integration", "order", "fulfillment_request", "listing_variant")


def _create_trigger(table: str, dialect: str) -> None:
    if dialect == "sqlite":
        # SQLite's triggers cannot change NEW; a second UPDATE by rowid does it (recursive
        # triggers are off, so it does not fire this trigger again).
        op.execute(
            f'CREATE TRIGGER "{table}_version" AFTER UPDATE ON "{table}" FOR EACH ROW '
            f'BEGIN UPDATE "{table}" SET version = OLD.version + 1 WHERE id = NEW.id; END'
        )
    else:
        op.execute(
            f'CREATE TRIGGER "{table}_version" BEFORE UPDATE ON "{table}" FOR EACH ROW '
            "EXECUTE FUNCTION dropdeck_bump_version()"
        )


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_table(
        "store_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute("INSERT INTO store_change (id, version) VALUES (1, 0)")
    if dialect != "sqlite":
        op.execute(
            "CREATE FUNCTION dropdeck_bump_version() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN NEW.version := OLD.version + 1; RETURN NEW; END $$"
        )
    for table in VERSIONED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("version", sa.Integer(), nullable=False, server_default="0")
            )
        _create_trigger(table, dialect)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in VERSIONED:
        on = "" if dialect == "sqlite" else f' ON "{table}"'
        op.execute(f'DROP TRIGGER IF EXISTS "{table}_version"{on}')
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("version")
    if dialect != "sqlite":
        op.execute("DROP FUNCTION IF EXISTS dropdeck_bump_version()")
    op.drop_table("store_change")
