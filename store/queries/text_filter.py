"""The console's live filter as SQL: every word typed appears in one of the shown columns.

Matching is `lower(column) LIKE '%word%'` with `%`, `_` and the escape character escaped,
so `send_orders` finds `send_orders` and not `sendXorders`, and `100%` is literal. Columns
are passed as the text the console shows: a status column as `shown_status(column)`
(`on_hold` shows, and matches, as `on hold`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

ESCAPE = "\\"


def like_pattern(word: str) -> str:
    """`%word%` with LIKE's wildcards in `word` taken literally."""
    escaped = word.lower().replace(ESCAPE, ESCAPE * 2).replace("%", r"\%").replace("_", r"\_")
    return f"%{escaped}%"


def shown_status(column: sa.ColumnElement[Any]) -> sa.ColumnElement[str]:
    """A status as the console shows it: underscores as spaces."""
    return sa.func.replace(column, "_", " ")


def matches_words(
    text: str | None, columns: Sequence[sa.ColumnElement[Any]]
) -> sa.ColumnElement[bool] | None:
    """Every word of `text` in one of `columns` (any case); None when `text` is blank."""
    words = (text or "").split()
    if not words:
        return None
    return sa.and_(*(matches_word(word, columns) for word in words))


def matches_word(word: str, columns: Sequence[sa.ColumnElement[Any]]) -> sa.ColumnElement[bool]:
    """`word` in one of `columns` (any case)."""
    pattern = like_pattern(word)
    return sa.or_(
        *(sa.func.lower(sa.func.coalesce(c, "")).like(pattern, escape=ESCAPE) for c in columns)
    )
