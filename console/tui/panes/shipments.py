"""Shipments, newest first: tracking from sources and whether it reached the channel."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from rich.text import Text
from sqlmodel import Session
from textual.widget import Widget

from store.queries.orders import ShipmentRow, page_shipments

from .. import format as fmt
from ..screens.details import DetailsScreen
from ..widgets.paged_table import Column, PagedTable, PageRequest
from .base import Pane


def _synced(r: ShipmentRow) -> Text:
    if r.sync_error:
        return Text("error", style="red")
    return Text(fmt.when(r.synced_at)) if r.synced_at else Text("waiting", style="yellow")


COLUMNS: list[Column[ShipmentRow]] = [
    Column("Order", 7, lambda r: r.order_number),
    Column("PO", 18, lambda r: r.po_number),
    Column("Carrier", 7, lambda r: r.carrier),
    Column("Tracking", 18, lambda r: r.tracking_number),
    Column("Shipped UTC", 11, lambda r: fmt.when(r.shipped_at)),
    Column("Synced", 11, _synced),
    Column("Source", 20, lambda r: r.source),
]


class ShipmentsPane(Pane):
    TITLE = "Shipments"
    FILTER_PROMPT = "Shipments whose tracking number starts with:"

    def __init__(self) -> None:
        super().__init__(id="shipments")

    def compose_body(self) -> Iterable[Widget]:
        yield PagedTable(
            self.db,
            COLUMNS,
            self._fetcher(),
            lambda r: (r.id,),
            empty_text="No shipments yet — they arrive with each source's get_shipments run",
            id="shipments-table",
        )

    @property
    def table(self) -> PagedTable[ShipmentRow]:
        return self.query_one("#shipments-table", PagedTable)

    def _fetcher(self) -> partial[list[ShipmentRow]]:
        return partial(_fetch, tracking_prefix=self.filter_text or None)

    def focus_main(self) -> None:
        self.table.focus()

    def load(self) -> None:
        self.table.load("reload" if self.table.loaded else "first")

    def apply_filter(self) -> None:
        self.table.set_fetch(self._fetcher(), "No shipments match — press / to change the filter")

    def on_paged_table_changed(self, event: PagedTable.Changed) -> None:
        at = event.table.position
        self.set_status("" if at is None or not event.table.rows else f"row {at + 1:,}")

    def on_paged_table_chosen(self, event: PagedTable.Chosen) -> None:
        r: ShipmentRow = event.row
        fields: list[tuple[str, object]] = [
            ("order", r.order_number),
            ("PO", r.po_number),
            ("source", r.source),
            ("carrier", r.carrier),
            ("tracking", r.tracking_number),
            ("shipped", fmt.when_long(r.shipped_at)),
            ("synced to channel", fmt.when_long(r.synced_at)),
            ("sync error", r.sync_error),
        ]
        self.app.push_screen(DetailsScreen(f"Shipment {r.tracking_number}", fields))


def _fetch(
    session: Session, request: PageRequest, *, tracking_prefix: str | None
) -> list[ShipmentRow]:
    return page_shipments(
        session,
        tracking_prefix=tracking_prefix,
        after=request.after,  # type: ignore[arg-type]
        before=request.before,  # type: ignore[arg-type]
        last=request.last,
        limit=request.limit,
    )
