"""The store's change counter: how a console learns, with one cheap read, that someone
(another console, a worker, the CLI) changed what it shows.

Every transaction that inserted, updated or deleted rows of an operator-visible table bumps
`store_change.version` as it commits, in the same transaction, so a reader that sees the
new number also sees the rows behind it. It is hooked on the engine, not on sessions, so
every writer counts: ORM flushes, set-based upserts, raw SQL. The bump runs last, just
before COMMIT, so on PostgreSQL the counter's row lock is held only while committing and is
always the last lock a transaction takes (no lock-order deadlock between writers).

Writes nobody looks at in a pane do not count (worker heartbeats, the audit trail, the
notification feed, which tails itself), so an idle console reads one number and repaints
nothing.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.sql.dml import UpdateBase

if TYPE_CHECKING:  # db.py imports this module: no SQLModel at a CLI command's start
    from sqlmodel import Session

QUIET = frozenset(
    {"store_change", "worker", "audit_event", "notification", "installation", "alembic_version"}
)
_CHANGED = "dropdeck_changed"  # on the connection's info: this transaction wrote something shown
_DML = re.compile(
    r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|REPLACE\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?',
    re.IGNORECASE,
)
_BUMP = "UPDATE store_change SET version = version + 1 WHERE id = 1"
_EXISTS = {
    "sqlite": "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'store_change'",
    "postgresql": "SELECT count(to_regclass('store_change'))",
}


def _table(statement: str, context: Any) -> str | None:
    """The table a DML statement writes ('' when it writes an unknown one); None: no DML."""
    compiled = getattr(context, "compiled", None)
    if compiled is not None and isinstance(compiled.statement, UpdateBase):
        return str(getattr(compiled.statement.table, "name", ""))
    found = _DML.match(statement)
    return found.group(1).lower() if found else None


def install(engine: sa.Engine) -> None:
    """Count this engine's committing writes to shown tables in `store_change`."""

    @sa.event.listens_for(engine, "begin")
    def _begin(conn: sa.Connection) -> None:
        conn.info.pop(_CHANGED, None)

    @sa.event.listens_for(engine, "after_cursor_execute")
    def _written(
        conn: sa.Connection,
        cursor: Any,
        statement: str,
        parameters: Any,
        context: Any,
        executemany: bool,
    ) -> None:
        table = _table(statement, context)
        if table is None or table in QUIET or cursor.rowcount == 0:
            return
        conn.info[_CHANGED] = True

    @sa.event.listens_for(engine, "commit")
    def _commit(conn: sa.Connection) -> None:
        if not conn.info.pop(_CHANGED, False):
            return
        # The DBAPI cursor, not `conn.execute`: SQLAlchemy is committing this connection.
        cursor = conn.connection.cursor()
        try:
            check = _EXISTS.get(engine.dialect.name)
            if check is not None:
                cursor.execute(check)  # a database still being migrated has no counter yet
                row = cursor.fetchone()
                if not (row and row[0]):
                    return
            cursor.execute(_BUMP)
        finally:
            cursor.close()

    @sa.event.listens_for(engine, "rollback")
    def _rollback(conn: sa.Connection) -> None:
        conn.info.pop(_CHANGED, None)


def store_version(session: Session) -> int:
    """The counter now: a different number than last time means something shown changed."""
    # Text, not the model: the console polls this twice a second, and db.py imports this
    # module, which must stay light for the CLI's start.
    return int(session.scalar(sa.text("SELECT version FROM store_change WHERE id = 1")) or 0)
