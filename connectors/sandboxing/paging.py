"""Pagination helpers the sandboxes share: page-number slices and id-ordered cursors.

Cursor pages walk an ascending id list from a bisected start, so a page costs
O(log n + scanned) however large the catalogue is.
"""

from __future__ import annotations

import base64
import bisect
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


class InvalidCursor(ValueError):
    """A cursor this sandbox did not issue (or issued for another resource)."""


@dataclass(frozen=True, slots=True)
class NumberedPage(Generic[T]):
    """One page-number page: the records plus totals."""

    records: list[T]
    total: int
    page: int
    pages: int


def numbered_page(records: Sequence[T], page: int, size: int) -> NumberedPage[T]:
    """Page `page` (1-based) of `records`; past the end is an empty list, same totals."""
    total = len(records)
    start = (page - 1) * size
    return NumberedPage(
        records=list(records[start : start + size]),
        total=total,
        page=page,
        pages=math.ceil(total / size) if size else 0,
    )


def encode_cursor(resource: str, start_id: int) -> str:
    """An opaque cursor meaning 'the page starting at id >= start_id of `resource`'."""
    raw = f"{resource}:{start_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(resource: str, cursor: str) -> int:
    """The start id inside `cursor`, or `InvalidCursor`."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, start = raw.partition(":")
        start_id = int(start)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidCursor(cursor) from exc
    if kind != resource or start_id < 0:
        raise InvalidCursor(cursor)
    return start_id


@dataclass(frozen=True, slots=True)
class CursorPage:
    """One cursor page: matching ids and the cursors around it."""

    ids: list[int]
    current: str
    prev: str | None
    next: str | None


def cursor_page(
    resource: str,
    ids: Sequence[int],
    matches: Callable[[int], bool],
    size: int,
    cursor: str | None,
) -> CursorPage:
    """The page of ascending `ids` accepted by `matches`, starting at `cursor`.

    Scans forward only until the page is full plus one look-ahead match (for `next`),
    and backward only far enough to find where the previous page starts.
    """
    start_id = decode_cursor(resource, cursor) if cursor else 0
    pos = bisect.bisect_left(ids, start_id)
    page: list[int] = []
    next_id: int | None = None
    for i in range(pos, len(ids)):
        candidate = ids[i]
        if not matches(candidate):
            continue
        if len(page) < size:
            page.append(candidate)
        else:
            next_id = candidate
            break
    prev_start: int | None = None
    if cursor:
        found = 0
        for i in range(pos - 1, -1, -1):
            if matches(ids[i]):
                prev_start = ids[i]
                found += 1
                if found == size:
                    break
    current_id = page[0] if page else start_id
    return CursorPage(
        ids=page,
        current=encode_cursor(resource, current_id),
        prev=encode_cursor(resource, prev_start) if prev_start is not None else None,
        next=encode_cursor(resource, next_id) if next_id is not None else None,
    )
