"""Shipments, newest first: tracking from sources and whether it reached the channel."""

from __future__ import annotations

from functools import partial

from rich.text import Text
from textual.binding import Binding

from store.queries.orders import ShipmentRow, page_shipments

from .. import format as fmt
from ..copy import CopyTarget
from ..screens.details import DetailsScreen
from ..widgets.paged_table import Column, PagedTable
from .paged import PagedPane, fetch_page


def _synced(r: ShipmentRow) -> Text:
    if r.sync_error:
        return Text("error", style="red")
    return Text(fmt.when(r.synced_at)) if r.synced_at else Text("waiting", style="yellow")


# At 80 columns: order, PO, tracking, when shipped and whether the channel has it; from
# 100 the carrier and the source's status ("In Transit"), from 110 the source (the PO
# names it too).
COLUMNS: list[Column[ShipmentRow]] = [
    Column("Order", 7, lambda r: r.order_number),
    Column("PO", 18, lambda r: r.po_number),
    Column("Carrier", 7, lambda r: r.carrier, min_table_width=100),
    Column("Tracking", 18, lambda r: r.tracking_number, flex=True, max_width=30),
    Column("Status", 10, lambda r: r.status or "—", min_table_width=100),
    Column("Shipped UTC", 11, lambda r: fmt.when(r.shipped_at)),
    Column("Synced", 11, _synced),
    Column("Source", 20, lambda r: r.source, min_table_width=110, flex=True),
]


class ShipmentsPane(PagedPane[ShipmentRow]):
    BINDINGS = [Binding("y", "copy", "Copy")]  # room in the footer here
    TITLE = "Shipments"
    COLUMNS = COLUMNS
    EMPTY = "No shipments yet — they arrive with each source's get_shipments run"
    NO_MATCH = "No shipments match the filter — esc clears it"

    def __init__(self) -> None:
        super().__init__(id="shipments")

    def fetcher(self) -> partial[list[ShipmentRow]]:
        return partial(fetch_page, page_shipments, text=self.filter_text or None)

    def copy_target(self) -> CopyTarget | None:
        r = self.table.cursor_row
        if r is None:
            return None
        if r.tracking_number:
            return CopyTarget("tracking number", r.tracking_number)
        return CopyTarget("PO", r.po_number)

    def on_paged_table_chosen(self, event: PagedTable.Chosen) -> None:
        r: ShipmentRow = event.row
        fields: list[tuple[str, object]] = [
            ("order", r.order_number),
            ("PO", r.po_number),
            ("source", r.source),
            ("carrier", r.carrier),
            ("tracking", r.tracking_number),
            ("status", r.status),
            ("shipped", fmt.when_long(r.shipped_at)),
            ("estimated delivery", r.estimated_delivery),
            ("notes", r.notes),
            ("synced to channel", fmt.when_long(r.synced_at)),
            ("sync error", r.sync_error),
        ]
        self.app.push_screen(DetailsScreen(f"Shipment {r.tracking_number}", fields))
