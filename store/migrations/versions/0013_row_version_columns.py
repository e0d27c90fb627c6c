"""Row versions count only what operators act on

0011's triggers bumped `version` on every update of the row. A sync writing quantities and
prices then made an operator's pause "changed since you looked" for nothing, and on SQLite
the trigger's second UPDATE per row made a set-based update of 100,000 listing variants
4x slower (bench/several_operators.py). The triggers now fire only on updates that set a
column an operator's action depends on (`UPDATE OF`, on SQLite and PostgreSQL alike).

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 12:10:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Per table: what an operator sees and acts on (state, flags, links, where it ships), not
# what runs keep writing (stock, prices, sync bookkeeping, failure streaks, timestamps).
WATCHED = {
    "integration": ("enabled", "paused_reason", "schedule_type", "schedule_value", "settings"),
    "order": ("status", "hold_reason", "shipping_text", "shipping_policy", "shipping_address"),
    "fulfillment_request": (
        "status",
        "shipping_method",
        "shipping_address",
        "external_id",
        "attempts",
        "last_error",
    ),
    "listing_variant": (
        "sku",
        "master_sku",
        "external_id",
        "link_state",
        "paused",
        "hidden",
        "pending",
    ),
}


def _drop(table: str, dialect: str) -> None:
    on = "" if dialect == "sqlite" else f' ON "{table}"'
    op.execute(f'DROP TRIGGER IF EXISTS "{table}_version"{on}')


def _create(table: str, dialect: str, columns: Sequence[str] | None) -> None:
    of = f" OF {', '.join(columns)}" if columns else ""
    if dialect == "sqlite":
        op.execute(
            f'CREATE TRIGGER "{table}_version" AFTER UPDATE{of} ON "{table}" FOR EACH ROW '
            f'BEGIN UPDATE "{table}" SET version = OLD.version + 1 WHERE id = NEW.id; END'
        )
    else:
        op.execute(
            f'CREATE TRIGGER "{table}_version" BEFORE UPDATE{of} ON "{table}" FOR EACH ROW '
            "EXECUTE FUNCTION dropdeck_bump_version()"
        )


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table, columns in WATCHED.items():
        _drop(table, dialect)
        _create(table, dialect, columns)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in WATCHED:
        _drop(table, dialect)
        _create(table, dialect, None)
