"""How PagedTable draws: a row of values → cells cut to column widths → one styled Strip.

No paging and no cursor logic here; the table says which row goes on which line and in
what state (marked, under the cursor, focused), this module turns that into segments.
Rendered rows are cached by identity: rows are immutable snapshots, so a strip is valid
until the table re-reads or drops rows (`forget`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from store.safe_text import visible

if TYPE_CHECKING:
    from .paged_table import PagedTable

R = TypeVar("R")
CursorState = int | bool  # False: not the cursor row; 1: cursor, unfocused; 2: focused

# The table's parts, styled with theme variables (PagedTable takes both as class attributes).
COMPONENT_CLASSES = {
    "paged-table--header",
    "paged-table--cursor",
    "paged-table--marked",
    "paged-table--empty",
}
DEFAULT_CSS = """
PagedTable { height: 1fr; scrollbar-size-vertical: 1; scrollbar-size-horizontal: 0; }
PagedTable > .paged-table--header { text-style: bold; background: $panel; }
PagedTable > .paged-table--cursor { background: $primary 40%; }
PagedTable:focus > .paged-table--cursor { background: $primary; color: $text; }
PagedTable > .paged-table--marked { color: $warning; text-style: bold; }
PagedTable > .paged-table--empty { color: $text-muted; }
"""


@dataclass(frozen=True)
class Column(Generic[R]):
    """`width` is the least the column takes; a `flex` column also takes what the table has
    left over: first those with a `max_width` up to it, in order, then the others share the
    rest. A column with `min_table_width` shows only when the table is at least that wide (a
    pane decides what fits at 80 and what appears at 120). A `keep_end` column cuts a long
    value on the left (`…000123`): ids that differ only at their end stay apart."""

    title: str
    width: int
    value: Callable[[R], str | Text]
    right: bool = False
    flex: bool = False
    min_table_width: int = 0
    max_width: int | None = None
    keep_end: bool = False


class RowStrips(Generic[R]):
    """Strips for the header, for rows (cached) and for one-line messages."""

    def __init__(self, columns: Sequence[Column[R]], *, markable: bool, max_cached: int) -> None:
        self.columns = list(columns)
        self.markable = markable
        self.max_cached = max_cached
        self._cache: dict[tuple[int, bool, CursorState], Strip] = {}
        self.fitted_to = -1
        self.shown: list[tuple[Column[R], int]] = []
        self.fit(0)

    def fit(self, width: int) -> bool:
        """Choose the columns and widths for a table `width` cells wide; True if they changed.

        A leading mark cell, then each column, one space between cells."""
        if width == self.fitted_to:
            return False
        self.fitted_to = width
        columns = [c for c in self.columns if width >= c.min_table_width or width == 0]
        used = sum(c.width for c in columns) + len(columns) + 2
        widths = [c.width for c in columns]
        spare = max(0, width - used)
        for i, c in enumerate(columns):
            if c.flex and c.max_width is not None:
                extra = min(spare, max(0, c.max_width - c.width))
                widths[i] += extra
                spare -= extra
        flex = [i for i, c in enumerate(columns) if c.flex and c.max_width is None]
        for n, i in enumerate(flex):
            share = spare // len(flex) if n < len(flex) - 1 else spare - (spare // len(flex)) * n
            widths[i] += share
        shown = list(zip(columns, widths, strict=True))
        self.width = sum(widths) + len(columns) + 2
        changed = shown != self.shown
        self.shown = shown
        if changed:
            self._cache.clear()
        return changed

    def forget(self) -> None:
        """Drop cached strips: rows were re-read or dropped (their ids may be reused)."""
        self._cache.clear()

    def line(self, table: PagedTable[R], y: int) -> Strip:
        """Line `y` of the table: the header, a row, `… loading`, the empty text, or blank."""
        scroll_x, scroll_y = table.scroll_offset
        width = table.size.width
        base_style = table.rich_style
        console = table.app.console
        if y == 0:
            style = table.get_component_rich_style("paged-table--header")
            return self.header(console, style, scroll_x, width)
        index = scroll_y + y - 1
        if index < len(table.rows):
            row = table.rows[index]
            marked = self.markable and table.key(row) in table.marks
            style = base_style
            if marked:
                style += table.get_component_rich_style("paged-table--marked")
            if index == table.cursor:
                style += table.get_component_rich_style("paged-table--cursor")
            cursor = index == table.cursor and (1 + table.has_focus)
            return self.row(
                console,
                row,
                marked=marked,
                cursor=cursor,
                style=style,
                scroll_x=scroll_x,
                width=width,
                base_style=base_style,
            )
        muted = table.get_component_rich_style("paged-table--empty")
        if index == len(table.rows) and not table.at_end:
            return self.message(console, " … loading", muted, width)
        if not table.rows and y == 1:
            text = table.empty_text if table.loaded else "Loading…"
            return self.message(console, f" {text}", muted, width)
        return Strip.blank(width, base_style)

    def header(self, console: Console, style: Style, scroll_x: int, width: int) -> Strip:
        return _strip(console, self._cells(None, False), style, scroll_x, width)

    def row(
        self,
        console: Console,
        row: R,
        *,
        marked: bool,
        cursor: CursorState,
        style: Style,
        scroll_x: int,
        width: int,
        base_style: Style,
    ) -> Strip:
        """`style` already holds the marked/cursor styles; `base_style` pads the crop."""
        cache_key = (id(row), marked, cursor)
        strip = self._cache.get(cache_key)
        if strip is None:
            strip = _strip(console, self._cells(row, marked), style, 0, max(self.width, width))
            if len(self._cache) > self.max_cached:
                self._cache.clear()
            self._cache[cache_key] = strip
        return strip.crop_extend(scroll_x, scroll_x + width, base_style)

    def message(self, console: Console, text: str, style: Style, width: int) -> Strip:
        """A muted line in place of rows: loading, empty."""
        return _strip(console, [Text(text)], style, 0, width)

    def _cells(self, row: R | None, marked: bool) -> list[Text]:
        cells = [Text("●" if self.markable and marked else " ")]
        for col, width in self.shown:
            value = col.title if row is None else col.value(row)
            text = _safe_cell(value)
            if col.right and text.cell_len < width:
                text = Text(" " * (width - text.cell_len)) + text
            if col.keep_end and row is not None and text.cell_len > width > 1:
                text = _keep_end(text, width)
            text.truncate(width, overflow="ellipsis", pad=True)
            cells.append(text)
        return cells


def _safe_cell(value: str | Text) -> Text:
    """A cell from store data: control characters made visible (a styled Text whose text
    holds any is rebuilt plain, in its base style); strings are never read as markup."""
    if not isinstance(value, Text):
        return Text(visible(value))
    shown = visible(value.plain)
    return value.copy() if shown == value.plain else Text(shown, style=value.style)


def _keep_end(text: Text, width: int) -> Text:
    """`…` and as much of the end of `text` as fits in `width` cells."""
    start = len(text.plain)
    while start > 0 and text[start - 1 :].cell_len < width:
        start -= 1
    return Text("…", style=text.style) + text[start:]


def _strip(console: Console, cells: list[Text], style: Style, scroll_x: int, width: int) -> Strip:
    line = Text(" ").join(cells)
    segments = [
        Segment(seg.text, style + seg.style if seg.style else style) for seg in line.render(console)
    ]
    strip = Strip(segments, line.cell_len)
    return strip.crop_extend(scroll_x, scroll_x + width, style)
