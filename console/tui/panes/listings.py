"""Listings: tabs (all, linked, broken link, paused, hidden) with counts, a keyset-paged
table, the live filter, pause/hide on marked rows (confirmed when more than one) and unlink
(always confirmed: the link to the store product is forgotten)."""

from __future__ import annotations

import time
from collections.abc import Iterable
from functools import partial

from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.timer import Timer
from textual.widget import Widget

from connectors.registry import unsupported_actions
from store.commands.audit import operator_name
from store.commands.listing_link import LinkRefused, link_to_inventory
from store.commands.listings import ListingAction, apply_listing_action, unlink_listings
from store.commands.seen import RowChanged, Seen, claimed
from store.models import ListingVariant
from store.models.catalog import routed_master_sku
from store.queries.listings import (
    CONSOLE_TABS,
    ListingRow,
    ListingTab,
    count_listings,
    page_listings,
    supplier_items,
)

from .. import format as fmt
from .. import store_access
from ..copy import CopyTarget
from ..messages import StoreChanged
from ..screens.ask_value import AskValueScreen
from ..screens.confirm import ConfirmScreen
from ..screens.details import DetailsScreen
from ..widgets.paged_table import Column, PagedTable
from ..widgets.tab_bar import TabBar
from .base import Pane
from .paged import fetch_page

TAB_NAMES = {
    ListingTab.ALL: "All",
    ListingTab.LINKED: "Linked",
    ListingTab.BROKEN_LINK: "Broken link",
    ListingTab.PAUSED: "Paused",
    ListingTab.HIDDEN: "Hidden",
    ListingTab.NO_SUPPLIER: "No supplier",
}
STATE = {
    "linked": "linked",
    "unlinked": "unlinked",
    "broken_link": "broken",
    "delisted": "delisted",
}


def _flags(r: ListingRow) -> Text:
    text = Text()
    if r.paused:
        text.append("paused" if not r.hidden else "p", style="yellow")
    if r.paused and r.hidden:
        text.append("+")
    if r.hidden:
        text.append("hidden" if not r.paused else "h", style="magenta")
    return text


def _pending(r: ListingRow) -> Text:
    """What the next sync or publish will do (`hide`, `overwrite`, ...), whole."""
    return Text(r.pending or "", style="cyan")


def _supplier(r: ListingRow) -> Text:
    """The source routing would pick (`+1` when another carries it too), or `none`."""
    if r.supplier is None:
        return Text("none", style="red")
    more = f"+{r.suppliers - 1}" if r.suppliers > 1 else ""
    return Text(fmt.visible(r.supplier) + more)


def _stock(r: ListingRow) -> Text:
    """The suppliers' stock: `none` (red) when no source carries the listing."""
    if r.supplier_stock is None:
        return Text("none", style="red")
    return Text(f"{r.supplier_stock:,}", style="" if r.supplier_stock > 0 else "yellow")


# At 80 columns: SKU, store link state, flags, price, the suppliers' stock (`none`: no
# supplier), pending and a readable title; from 100 the quantity and the supplier's name,
# from 110 the channel and the supplier's cost. The title takes the rest of the width.
# "Store" is the link to the store product; the supplier is what routing fills orders from.
COLUMNS: list[Column[ListingRow]] = [
    Column("SKU", 15, lambda r: r.sku),
    Column("Channel", 12, lambda r: r.channel, min_table_width=110),
    Column("Store", 8, lambda r: fmt.status(STATE.get(r.link_state, r.link_state))),
    Column("Flags", 6, _flags),
    Column("Price", 8, lambda r: fmt.money(r.price), right=True),
    Column("Qty", 4, lambda r: str(r.quantity), right=True, min_table_width=100),
    Column("Supplier", 11, _supplier, min_table_width=100),
    Column("Stock", 5, _stock, right=True),
    Column("Cost", 8, lambda r: fmt.money(r.supplier_cost), right=True, min_table_width=110),
    Column("Pending", 9, _pending),
    Column(
        "Title",
        16,
        lambda r: Text(f"! {r.title}", style="red") if r.needs_attention else r.title,
        flex=True,
    ),
]


def _seen(rows: list[ListingRow]) -> Seen:
    """The listings as the operator saw them: an action refuses if one changed since."""
    return Seen(ListingVariant, {r.id: r.version for r in rows})


class ListingsPane(Pane):
    BINDINGS = [
        Binding("p", "pause", "Pause"),
        Binding("h", "hide", "Hide"),
        Binding("u", "unlink", "Unlink"),
        Binding("i", "link", "Link inventory"),
        Binding("right_square_bracket", "tab(1)", "Next tab", show=False),
        Binding("left_square_bracket", "tab(-1)", "Prev tab", show=False),
    ]
    TITLE = "Listings"
    # At 80 columns the four actions, / and ? leave no room for enter's Details.
    FOOTER_SPARE = ("choose",)
    ACTIONS = (
        ("pause", "Pause / unpause listings"),
        ("hide", "Hide / unhide listings"),
        ("unlink", "Unlink listings (fixes a broken link; relink or publish next)"),
        ("link", "Link listings to a supplier's inventory item (i)"),
    )
    REFRESH_SECONDS = 10.0
    COUNT_EVERY = 2.0
    """Seconds: others' changes re-read the tab counts at most this often (~0.25 s of
    queries at 100,000 listings on SQLite; a sync commits many times a second)."""

    def __init__(self) -> None:
        super().__init__(id="listings")
        self.tab = ListingTab.ALL
        self.counts: dict[ListingTab, int] = {}
        self._count_after_paint = False
        self._counted_at = 0.0
        self._count_timer: Timer | None = None

    def compose_body(self) -> Iterable[Widget]:
        yield TabBar(self._labels(), id="listing-tabs")
        yield PagedTable(
            self.db, COLUMNS, self._fetcher(), lambda r: r.key, markable=True, id="listing-table"
        )

    @property
    def table(self) -> PagedTable[ListingRow]:
        return self.query_one("#listing-table", PagedTable)

    def _fetcher(self) -> partial[list[ListingRow]]:
        return partial(fetch_page, page_listings, tab=self.tab, text=self.filter_text or None)

    def _empty_text(self) -> str:
        if self.filter_text:
            return "No listings here match the filter — esc clears it"
        if self.tab is ListingTab.ALL:
            return (
                "No listings yet — run an import: select a channel's import_listings "
                "in Channels (2) and press x"
            )
        return f"No {TAB_NAMES[self.tab].lower()} listings — press [ or ] for other tabs"

    def _labels(self) -> list[str]:
        return [f"{TAB_NAMES[t]} {fmt.count(self.counts.get(t))}" for t in CONSOLE_TABS]

    def focus_main(self) -> None:
        self.table.focus()

    def load(self) -> None:
        if self.table.loaded:
            self.table.load("reload")
            self.load_counts()
        else:
            # Rows first: counting a large table must not delay the first paint.
            self._count_after_paint = True
            self.table.load("first")

    def refresh_on_change(self) -> None:
        """The page at once; the counts when COUNT_EVERY has passed since the last."""
        if not self.table.loaded:
            self.load()
            return
        self.table.load("reload")
        if self._count_timer is None:
            wait = max(0.0, self._counted_at + self.COUNT_EVERY - time.monotonic())
            self._count_timer = self.set_timer(wait, self._count_later)

    def _count_later(self) -> None:
        self._count_timer = None
        self.load_counts()

    @work(exclusive=True, group="listing-counts", exit_on_error=False)
    async def load_counts(self) -> None:
        self._counted_at = time.monotonic()
        text = self.filter_text or None
        self.counts = await store_access.read(self.db, count_listings, text=text)
        bar = self.query_one(TabBar)
        bar.labels = tuple(self._labels())
        self.table.total = self.counts.get(self.tab)
        self._update_status()

    def _update_status(self) -> None:
        table = self.table
        parts = []
        if table.rows and table.total is not None:
            at = table.position
            parts.append(f"{'?' if at is None else f'{at + 1:,}'} of {table.total:,}")
        if table.marks:
            parts.append(f"{len(table.marks)} marked")
        self.set_status("  ".join(parts))

    def on_paged_table_changed(self, event: PagedTable.Changed) -> None:
        if self._count_after_paint:
            self._count_after_paint = False
            self.call_after_refresh(self.load_counts)
        self._update_status()

    def apply_filter(self) -> None:
        self.table.total = None
        self.table.set_fetch(self._fetcher(), self._empty_text())
        self.load_counts()

    def action_tab(self, step: int) -> None:
        self.show_tab(CONSOLE_TABS[(CONSOLE_TABS.index(self.tab) + step) % len(CONSOLE_TABS)])

    def show_tab(self, tab: ListingTab) -> None:
        self.tab = tab
        self.query_one(TabBar).active = CONSOLE_TABS.index(tab)
        self.table.total = self.counts.get(tab)
        self.table.set_fetch(self._fetcher(), self._empty_text())

    def on_paged_table_chosen(self, event: PagedTable.Chosen) -> None:
        self._details(event.row)

    @work(exclusive=True, group="details", exit_on_error=False)
    async def _details(self, r: ListingRow) -> None:
        fields = [(k, v) for k, v in r.as_json().items()] + [("title", r.title)]
        master = routed_master_sku(r.master_sku, r.sku)
        items = await store_access.read(self.db, supplier_items, master)
        fields.append(("master sku", r.master_sku))
        lines = [
            f"{i.source}: SKU {i.sku}, stock {i.quantity:,}, cost {fmt.money(i.cost)}"
            + (f" ({i.stock_status.replace('_', ' ')})" if i.stock_status != "in_stock" else "")
            for i in items
        ]
        if not lines:
            how = "" if self.dropdeck.readonly else "i links it to an inventory item; "
            lines = [
                f"none: no source carries {master}, so an order for it is held",
                f"{how}dropdeck listings link {r.sku} MASTER_SKU does the same",
            ]
        sections = [("Supplier backing (routing's order)", lines)]
        self.app.push_screen(DetailsScreen(f"Listing {r.sku}", fields, sections))

    def copy_target(self) -> CopyTarget | None:
        r = self.table.cursor_row
        return CopyTarget("SKU", r.sku) if r else None

    def action_pause(self) -> None:
        rows = self.table.targets()
        action = (
            ListingAction.UNPAUSE if rows and all(r.paused for r in rows) else ListingAction.PAUSE
        )
        self._ask(action, rows)

    def action_hide(self) -> None:
        rows = self.table.targets()
        action = (
            ListingAction.UNHIDE if rows and all(r.hidden for r in rows) else ListingAction.HIDE
        )
        self._ask(action, rows)

    def _ask(self, action: ListingAction, rows: list[ListingRow]) -> None:
        if not rows:
            self.app.notify("No listing selected", severity="warning")
            return
        if len(rows) == 1:
            self._act(action, rows)
            return
        question = f"{action.value.capitalize()} {len(rows):,} listings?"

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._act(action, rows)

        self.app.push_screen(ConfirmScreen(question), confirmed)

    @work(group="listing-action", exit_on_error=False)
    async def _act(self, action: ListingAction, rows: list[ListingRow]) -> None:
        result = await self.change(
            "listing",
            apply_listing_action,
            action,
            ids=[r.id for r in rows],
            actor=operator_name("console"),
            unsupported=unsupported_actions(),
            seen=_seen(rows),
        )
        if result is None:
            return
        self.table.marks.clear()
        message = f"{action.value}: {len(result.changed)} changed"
        if result.unchanged:
            message += f", {len(result.unchanged)} already so"
        for sku, why in list(result.refused.items())[:3]:
            message += f"\nrefused {sku}: {why}"
        self.app.notify(message, severity="warning" if result.refused else "information")

    def action_unlink(self) -> None:
        rows = self.table.targets()
        if not rows:
            self.app.notify("No listing selected", severity="warning")
            return
        what = rows[0].sku if len(rows) == 1 else f"{len(rows):,} listings"
        question = f"Unlink {what} from the store product?"

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._unlink(rows)

        self.app.push_screen(ConfirmScreen(question), confirmed)

    @work(group="listing-action", exit_on_error=False)
    async def action_link(self) -> None:
        """`i`: back the listings with a supplier's inventory item (their master SKU)."""
        rows = self.table.targets()
        if not rows:
            self.app.notify("No listing selected", severity="warning")
            return
        what = rows[0].sku if len(rows) == 1 else f"{len(rows):,} listings"
        now = rows[0].master_sku if len(rows) == 1 else None
        target = await self.app.push_screen_wait(
            AskValueScreen(
                f"Link {what} to inventory",
                [
                    "Routing fills an order from the sources carrying the listing's master "
                    "SKU. Name the inventory item: its master SKU, or a source's own SKU "
                    "(i in Sources lists each source's items).",
                    f"Now: {now or rows[0].sku} — "
                    + (f"{rows[0].supplier} carries it" if rows[0].supplier else "no supplier"),
                ],
                "master SKU",
                value="" if len(rows) > 1 or rows[0].supplier is None else (now or ""),
                action="link",
            )
        )
        if target is None:
            return
        try:
            linked = await store_access.write(
                self.db,
                claimed,
                _seen(rows),
                link_to_inventory,
                target,
                actor=operator_name("console"),
                ids=[r.id for r in rows],
            )
        except RowChanged as exc:
            self.stale(exc)
            return
        except LinkRefused as exc:
            self.app.notify(str(exc), title="Not linked", severity="warning")
            return
        self.post_message(StoreChanged("listing"))
        self.table.marks.clear()
        self.app.notify(
            f"linked to {linked.master_sku} ({', '.join(linked.sources)}): "
            f"{len(linked.changed)} changed"
            + (f", {len(linked.unchanged)} already so" if linked.unchanged else "")
            + " — held orders for them: r in Orders routes one again"
        )

    @work(group="listing-action", exit_on_error=False)
    async def _unlink(self, rows: list[ListingRow]) -> None:
        result = await self.change(
            "listing",
            unlink_listings,
            ids=[r.id for r in rows],
            actor=operator_name("console"),
            seen=_seen(rows),
        )
        if result is None:
            return
        self.table.marks.clear()
        message = f"unlink: {len(result.changed)} changed"
        if result.unchanged:
            message += f", {len(result.unchanged)} already so"
        if result.changed:
            message += " — run link_listings to relink, or publish to create anew"
        for sku, why in list(result.refused.items())[:3]:
            message += f"\nrefused {sku}: {why}"
        self.app.notify(message, severity="warning" if result.refused else "information")
