"""A Line-API table that pages rows from the store by keyset and renders only visible rows.

It keeps a window of at most `MAX_ROWS` rows around the cursor (the page cache). Moving
near either edge fetches the neighbouring page by keyset (after/before the edge row's key);
`home` fetches the first page and `end` the last one (`last=True`, reversed order), so no
query ever uses OFFSET. Row positions are absolute when known (counted from the first
page, or back from the total for the last page) for "row 12,345 of 1,000,000".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from sqlmodel import Session
from textual import work
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from store.db import Database

from .. import store_access
from .row_strips import COMPONENT_CLASSES, DEFAULT_CSS, RowStrips
from .row_strips import Column as Column  # panes import it from here

R = TypeVar("R")
PAGE = 256
MAX_ROWS = PAGE * 8
Direction = Literal["first", "last", "next", "prev", "reload"]


@dataclass(frozen=True)
class PageRequest:
    after: tuple[Any, ...] | None = None
    before: tuple[Any, ...] | None = None
    last: bool = False
    limit: int = PAGE


Fetch = Callable[[Session, PageRequest], list[R]]


class PagedTable(ScrollView, Generic[R], can_focus=True):
    """Rows from `fetch`, ordered by `key`; `space` marks rows, `enter` chooses one."""

    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "PgUp", show=False),
        Binding("pagedown", "page(1)", "PgDn", show=False),
        Binding("left", "scroll_left", "Left", show=False),
        Binding("right", "scroll_right", "Right", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
        Binding("space", "mark", "Mark", show=False),
        Binding("enter", "choose", "Details"),
    ]
    COMPONENT_CLASSES = COMPONENT_CLASSES
    DEFAULT_CSS = DEFAULT_CSS

    class Chosen(Message):
        """`enter` on a row."""

        def __init__(self, table: PagedTable[Any], row: Any) -> None:
            super().__init__()
            self.table = table
            self.row = row

    class Changed(Message):
        """Rows, cursor or marks changed: the pane updates its status line."""

        def __init__(self, table: PagedTable[Any]) -> None:
            super().__init__()
            self.table = table

    def __init__(
        self,
        db: Database,
        columns: Sequence[Column[R]],
        fetch: Fetch[R],
        key: Callable[[R], tuple[Any, ...]],
        *,
        empty_text: str = "Nothing here yet.",
        markable: bool = False,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.db = db
        self.columns = list(columns)
        self.fetch = fetch
        self.key = key
        self.empty_text = empty_text
        self.markable = markable
        self.rows: list[R] = []
        self.cursor = 0
        self.base: int | None = 0  # absolute position of rows[0], when known
        self.at_start = True
        self.at_end = True
        self.loaded = False
        self.total: int | None = None
        self.marks: dict[tuple[Any, ...], R] = {}
        self.fetches = 0
        self.paints = 0  # bumped after each refresh that showed new rows (benchmarks wait on it)
        self._busy: Direction | None = None
        self.strips = RowStrips(self.columns, markable=markable, max_cached=4 * PAGE)

    # -- public API for panes ---------------------------------------------------------------

    @property
    def cursor_row(self) -> R | None:
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    @property
    def position(self) -> int | None:
        return None if self.base is None or not self.rows else self.base + self.cursor

    def targets(self) -> list[R]:
        """Marked rows, else the row under the cursor."""
        if self.marks:
            return list(self.marks.values())
        return [] if self.cursor_row is None else [self.cursor_row]

    def set_fetch(self, fetch: Fetch[R], empty_text: str | None = None) -> None:
        """A new filter or tab: forget rows and marks, load the first page."""
        self.fetch = fetch
        if empty_text is not None:
            self.empty_text = empty_text
        self.marks.clear()
        self.load("first")

    def load(self, direction: Direction) -> None:
        if self._busy in ("next", "prev") and direction in ("next", "prev"):
            return  # one edge fetch at a time; the cursor keeps its place meanwhile
        self._busy = direction
        self._load(direction)

    # -- loading ----------------------------------------------------------------------------

    def _request(self, direction: Direction) -> PageRequest:
        if direction == "next" and self.rows:
            return PageRequest(after=self.key(self.rows[-1]))
        if direction == "prev" and self.rows:
            return PageRequest(before=self.key(self.rows[0]))
        if direction == "last":
            return PageRequest(last=True)
        return PageRequest()

    def _reload_rows(self, session: Session, top: int) -> tuple[int, list[R], bool]:
        """Re-read from the first visible row: (rows kept above it, new rows, at start)."""
        if self.rows and top > 0:
            return top, self.fetch(session, PageRequest(after=self.key(self.rows[top - 1]))), False
        if self.rows and not self.at_start:
            before = self.fetch(session, PageRequest(before=self.key(self.rows[0]), limit=1))
            if before:
                return 0, self.fetch(session, PageRequest(after=self.key(before[0]))), False
        return 0, self.fetch(session, PageRequest()), True

    @work(exclusive=True, group="pager", exit_on_error=False)
    async def _load(self, direction: Direction) -> None:
        try:
            if direction == "reload":
                top = min(self.scroll_offset.y, len(self.rows))
                keep, rows, at_start = await store_access.read(self.db, self._reload_rows, top)
                self._apply_reload(keep, rows, at_start)
            else:
                request = self._request(direction)
                rows = await store_access.read(self.db, self.fetch, request)
                self._apply(direction, rows, len(rows) >= request.limit)
        finally:
            self._busy = None
        self.fetches += 1
        if direction not in ("next", "prev"):
            self.strips.forget()
        self.loaded = True
        self.cursor = max(0, min(self.cursor, len(self.rows) - 1))
        self._sync_size()
        self.call_after_refresh(self._painted)

    def _apply(self, direction: Direction, rows: list[R], full: bool) -> None:
        if direction == "next":
            self.rows.extend(rows)
            self.at_end = not full
        elif direction == "prev":
            self.rows[:0] = rows
            self.cursor += len(rows)
            self.scroll_to(y=self.scroll_offset.y + len(rows), animate=False, immediate=True)
            self.at_start = not full
            self.base = 0 if self.at_start else None if self.base is None else self.base - len(rows)
        elif direction == "last":
            self.rows, self.at_start, self.at_end = rows, not full, True
            total = self.total  # counted back from the total, when the pane knows it
            self.base = 0 if not full else None if total is None else max(0, total - len(rows))
            self.cursor = len(rows) - 1
        else:
            self.rows, self.at_start, self.at_end, self.base = rows, True, not full, 0
            self.cursor = 0
        self._trim(direction)

    def _apply_reload(self, keep: int, rows: list[R], at_start: bool) -> None:
        cursor_key = self.key(self.rows[self.cursor]) if self.cursor_row is not None else None
        # On the first row, the cursor stays on the first row as new ones arrive above it
        # (newest-first tables); moved elsewhere, it stays on its row.
        on_top = self.cursor == 0 and self.at_start
        self.rows = self.rows[:keep] + rows
        self.at_end = len(rows) < PAGE
        if at_start:
            self.at_start, self.base = True, 0
        keys = [self.key(r) for r in self.rows]
        if on_top and at_start:
            self.cursor = 0
        elif cursor_key in keys:
            self.cursor = keys.index(cursor_key)
        # Marked rows carry the flags they had; refresh them from what was just read.
        for key in self.marks.keys() & set(keys):
            self.marks[key] = self.rows[keys.index(key)]

    def _trim(self, direction: Direction) -> None:
        """Keep the page cache bounded: drop rows on the side away from the cursor."""
        extra = len(self.rows) - MAX_ROWS
        if extra <= 0:
            return
        self.strips.forget()  # dropped rows free their ids for new ones
        if direction == "prev":
            del self.rows[-extra:]
            self.at_end = False
        else:
            del self.rows[:extra]
            self.cursor -= extra
            self.scroll_to(y=max(0, self.scroll_offset.y - extra), animate=False, immediate=True)
            self.at_start = False
            self.base = None if self.base is None else self.base + extra

    def _painted(self) -> None:
        self.paints += 1

    def _sync_size(self) -> None:
        loading_line = 0 if self.at_end else 1
        self.virtual_size = Size(self.strips.width, len(self.rows) + 1 + loading_line)
        self._show_cursor()
        self.post_message(self.Changed(self))

    def _show_cursor(self) -> None:
        visible = max(1, self.size.height - 1)
        top = self.scroll_offset.y
        if self.cursor < top:
            top = self.cursor
        elif self.cursor >= top + visible:
            top = self.cursor - visible + 1
        self.scroll_to(y=top, animate=False, immediate=True)
        self.refresh()

    # -- rendering (row_strips draws each line from this state) and actions -----------------

    def render_line(self, y: int) -> Strip:
        return self.strips.line(self, y)

    def on_resize(self) -> None:
        self.strips.forget()
        if self.strips.fit(self.scrollable_content_region.width):
            self._sync_size()
        self._show_cursor()

    def action_cursor(self, delta: int) -> None:
        if not self.rows:
            return
        self.cursor = max(0, min(len(self.rows) - 1, self.cursor + delta))
        # Prefetch a page before the operator reaches the edge of the cache.
        if not self.at_end and self.cursor >= len(self.rows) - PAGE // 2:
            self.load("next")
        elif not self.at_start and self.cursor < PAGE // 2:
            self.load("prev")
        self._show_cursor()
        self.post_message(self.Changed(self))

    def action_page(self, pages: int) -> None:
        self.action_cursor(pages * max(1, self.size.height - 2))

    def action_first(self) -> None:
        if self.at_start:
            self.action_cursor(-self.cursor)
        else:
            self.load("first")

    def action_last(self) -> None:
        if self.at_end:
            self.action_cursor(len(self.rows))
        else:
            self.load("last")

    def action_mark(self) -> None:
        row = self.cursor_row
        if not self.markable or row is None:
            return
        key = self.key(row)
        if key in self.marks:
            del self.marks[key]
        else:
            self.marks[key] = row
        self.action_cursor(1)
        self.refresh()

    def action_choose(self) -> None:
        row = self.cursor_row
        if row is not None:
            self.post_message(self.Chosen(self, row))
