"""A pane around one keyset-paged table (Orders, Shipments, Jobs): the table keyed by row
id, the live filter with its own empty text, and the row number on the status line.

Subclasses give COLUMNS, EMPTY, NO_MATCH and `fetcher`; `fetch_page` is the piece their
fetchers share."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, ClassVar, Generic, TypeVar

from sqlmodel import Session
from textual.widget import Widget

from ..widgets.paged_table import Column, Fetch, PagedTable, PageRequest
from .base import Pane

R = TypeVar("R")


def fetch_page(
    query: Callable[..., list[R]], session: Session, request: PageRequest, **filters: Any
) -> list[R]:
    """One page from a store `page_*` query: its filters plus the table's page request
    (the keys are typed per query; the table only hands back keys that query gave it)."""
    return query(
        session,
        **filters,
        after=request.after,
        before=request.before,
        last=request.last,
        limit=request.limit,
    )


class PagedPane(Pane, Generic[R]):
    """Rows keyed by `id`, newest first as the store query gives them."""

    COLUMNS: ClassVar[Sequence[Column[Any]]] = ()
    EMPTY: ClassVar[str] = ""
    """Shown while there are no rows at all."""
    NO_MATCH: ClassVar[str] = ""
    """Shown when the filter leaves no rows."""

    def compose_body(self) -> Iterable[Widget]:
        yield PagedTable(
            self.db,
            self.COLUMNS,
            self.fetcher(),
            lambda r: (r.id,),
            empty_text=self.EMPTY,
            id=f"{self.id}-table",
        )

    @property
    def table(self) -> PagedTable[R]:
        return self.query_one(f"#{self.id}-table", PagedTable)

    def fetcher(self) -> Fetch[R]:
        """The table's fetch for the current filter."""
        raise NotImplementedError

    def focus_main(self) -> None:
        self.table.focus()

    def load(self) -> None:
        self.table.load("reload" if self.table.loaded else "first")

    def apply_filter(self) -> None:
        self.table.set_fetch(self.fetcher(), self.NO_MATCH if self.filter_text else self.EMPTY)

    def on_paged_table_changed(self, event: PagedTable.Changed) -> None:
        at = event.table.position
        self.set_status("" if at is None or not event.table.rows else f"row {at + 1:,}")
