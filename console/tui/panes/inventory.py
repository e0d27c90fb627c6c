"""Inventory (i in Sources): each source's items, paged from the database by SKU, with the
filter as everywhere. Opened from a source's row it is filtered to that source (esc shows
every source's). Whether a listing is backed by the item shows, so an operator linking a
listing (i in Listings) finds the master SKU here."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from rich.text import Text
from textual.binding import Binding
from textual.widget import Widget

from store.queries.inventory import InventoryRow, page_inventory

from .. import format as fmt
from ..copy import CopyTarget
from ..screens.details import DetailsScreen
from ..widgets.paged_table import Column, PagedTable
from .paged import PagedPane, fetch_page


def _stock(r: InventoryRow) -> Text:
    return Text(f"{r.quantity:,}", style="" if r.quantity > 0 else "red")


def _listed(r: InventoryRow) -> Text:
    return Text("listed", style="green") if r.listed else Text("—", style="dim")


# At 80 columns: SKU, master SKU, stock, cost, whether listed and a title; from 100 the
# source (the filter usually names it), from 110 the stock status.
COLUMNS: list[Column[InventoryRow]] = [
    Column("Source", 13, lambda r: r.source, min_table_width=100),
    Column("SKU", 15, lambda r: r.sku),
    Column("Master SKU", 16, lambda r: r.master_sku),
    Column("Stock", 6, _stock, right=True),
    Column("Cost", 8, lambda r: fmt.money(r.cost), right=True),
    Column("Status", 12, lambda r: fmt.status(r.stock_status), min_table_width=110),
    Column("Listed", 6, _listed),
    Column("Title", 14, lambda r: r.title, flex=True),
]


class InventoryPane(PagedPane[InventoryRow]):
    BINDINGS = [Binding("y", "copy", "Copy")]  # room in the footer here
    TITLE = "Inventory"
    COLUMNS = COLUMNS
    EMPTY = "No inventory yet — run a source's get_inventory: select it in Sources (1) and press x"
    NO_MATCH = "No items match the filter — esc clears it (every source's items)"

    def __init__(self) -> None:
        super().__init__(id="inventory")

    def compose_body(self) -> Iterable[Widget]:
        yield PagedTable(
            self.db,
            self.COLUMNS,
            self.fetcher(),
            lambda r: r.key,
            empty_text=self.EMPTY,
            id=f"{self.id}-table",
        )

    def fetcher(self) -> partial[list[InventoryRow]]:
        return partial(fetch_page, page_inventory, text=self.filter_text or None)

    def copy_target(self) -> CopyTarget | None:
        r = self.table.cursor_row
        return CopyTarget("SKU", r.sku) if r else None

    def on_paged_table_chosen(self, event: PagedTable.Chosen) -> None:
        r: InventoryRow = event.row
        fields: list[tuple[str, object]] = [
            ("source", r.source),
            ("sku", r.sku),
            ("master sku", r.master_sku),
            ("title", r.title),
            ("stock", r.quantity),
            ("stock status", r.stock_status.replace("_", " ")),
            ("cost", fmt.money(r.cost)),
            ("listed", "yes" if r.listed else "no: add it with 'dropdeck listings add'"),
        ]
        how = f"i in Listings links a listing to it (master SKU {r.master_sku})"
        self.app.push_screen(DetailsScreen(f"Item {r.sku}", fields, [("Link", [how])]))
