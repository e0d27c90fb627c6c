"""Keyset paging shared by every growing table: never OFFSET, always an indexed key."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVarTuple

import sqlalchemy as sa

# The column types of a statement's rows, kept through paging and filtering.
Row = TypeVarTuple("Row")


def keyset_page(
    stmt: sa.Select[*Row],
    key: Sequence[sa.ColumnElement[Any]],
    *,
    after: Sequence[Any] | None = None,
    before: Sequence[Any] | None = None,
    limit: int = 256,
    descending: bool = False,
    last: bool = False,
) -> tuple[sa.Select[*Row], bool]:
    """Add a keyset window to `stmt`; returns (statement, reversed).

    `after` pages forward from a key; `before` pages backward (the statement then sorts the
    other way and the caller must reverse the rows, which `reversed` says). `last` is the
    final page: backward from past the end, so `end` in a table never needs OFFSET.
    """
    if after is not None and before is not None:
        raise ValueError("page after a key or before it, not both")
    if last and (after is not None or before is not None):
        raise ValueError("the last page has no bound")
    backward = before is not None or last
    flip = descending != backward
    bound = after if after is not None else before
    if bound is not None:
        row = sa.tuple_(*key)
        value = sa.tuple_(*(sa.literal(v) for v in bound))
        stmt = stmt.where(row < value if flip else row > value)
    order = [col.desc() if flip else col.asc() for col in key]
    return stmt.order_by(*order).limit(limit), backward


def prefix_range(column: sa.ColumnElement[str], prefix: str) -> sa.ColumnElement[bool]:
    """`column` starts with `prefix`, as a range the column's index can serve (LIKE cannot
    on SQLite, whose LIKE is case-insensitive)."""
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return sa.and_(column >= prefix, column < upper)
