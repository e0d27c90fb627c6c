"""Set-based upserts: one statement per batch, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel


def upsert(
    session: Session,
    model: type[SQLModel],
    rows: Sequence[dict[str, Any]],
    *,
    keys: Sequence[str],
    update: Sequence[str] | None = None,
    only_if_changed: bool = False,
) -> None:
    """Insert `rows`, or update the columns `update` of rows that clash on the unique `keys`.

    `update=None` updates every given column but the keys; `update=()` leaves clashing rows as
    they are. `only_if_changed` skips the write when no updated column would change, which
    keeps `updated_at`-style columns meaningful.
    """
    if not rows:
        return
    table: sa.Table = model.__table__  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(table)
    columns = list(update) if update is not None else [c for c in rows[0] if c not in keys]
    if not columns:
        session.execute(stmt.on_conflict_do_nothing(index_elements=list(keys)), list(rows))
        return
    where = None
    if only_if_changed:
        compared = [c for c in columns if c not in ("updated_at",)]
        where = sa.or_(*(_differs(table.c[c], stmt.excluded[c], dialect) for c in compared))  # type: ignore[attr-defined]
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=list(keys),
            set_={c: stmt.excluded[c] for c in columns},  # type: ignore[attr-defined]
            where=where,
        ),
        list(rows),
    )


def _differs(
    current: sa.ColumnElement[Any], proposed: sa.ColumnElement[Any], dialect: str
) -> sa.ColumnElement[bool]:
    # PostgreSQL has no `=` for json; compare those as jsonb.
    if dialect == "postgresql" and isinstance(current.type, sa.JSON):
        current = sa.cast(current, postgresql.JSONB)
        proposed = sa.cast(proposed, postgresql.JSONB)
    return current.is_distinct_from(proposed)
