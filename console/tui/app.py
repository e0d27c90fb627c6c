"""The Dropdeck console: a router between panes, the notifications feed and the screens.

Panes own their data and actions; this module only switches between them, forwards
app-wide keys, and starts/stops the embedded job worker.
"""

from __future__ import annotations

from textual import events, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import ModalScreen
from textual.widgets import ContentSwitcher

from store.db import Database
from store.queries.listings import ListingTab
from store.safe_text import visible

from .background import WorkerHandle, start_embedded_worker
from .commands import DropdeckCommands
from .messages import StoreChanged
from .panes.attention import AttentionPane
from .panes.base import MUTATING, Pane
from .panes.channels import ChannelsPane
from .panes.dashboard import DashboardPane
from .panes.inventory import InventoryPane
from .panes.jobs import JobsPane
from .panes.listings import ListingsPane
from .panes.notifications import LEVEL_STEPS, NotificationsPane
from .panes.orders import OrdersPane
from .panes.shipments import ShipmentsPane
from .panes.sources import SourcesPane
from .screens.help import HelpScreen
from .store_watch import StoreWatch
from .widgets.footer import FittingFooter
from .widgets.tab_bar import TabBar

PANES = (
    "attention",
    "sources",
    "channels",
    "listings",
    "orders",
    "shipments",
    "jobs",
    "dashboard",
)
MODAL_ACTIONS = ("quit", "help", "focus_next", "focus_previous")
NAV_LABELS = (
    "0 Attention",
    "1 Sources",
    "2 Channels",
    "3 Listings",
    "4 Orders",
    "5 Shipments",
    "6 Jobs",
    "7 Dashboard",
)
# Panes reached from another (not on the nav bar): the tab they belong under.
SUB_PANES = {"inventory": "sources"}
# At 80 columns (the full labels need 92), and beside READ-ONLY there: 80 exactly.
NAV_SHORT = ("0 Attn", *NAV_LABELS[1:5], "5 Ship", "6 Jobs", "7 Dash")
# Where each line of the attention summary jumps: (pane, filter text or listing tab).
JUMPS = {
    "held": ("orders", "on hold"),
    "failed": ("orders", "failed"),
    "paused": ("sources", "paused"),
    "broken": ("listings", "broken_link"),
    "no_supplier": ("listings", "no_supplier"),
}
# Footer keys left out first when the footer is short of room (80 columns): the
# notifications feed's keys, then each pane's FOOTER_SPARE; all stay in help (`?`).
FEED_KEYS = ("follow", "notification_level")


class DropdeckApp(App[int]):
    """`db` is the store to show; tests pass `start_worker=False` and `live=False`."""

    CSS_PATH = "app.tcss"
    TITLE = "Dropdeck"
    COMMANDS = App.COMMANDS | {DropdeckCommands}
    BINDINGS = [
        *(
            Binding(str(n), f"show_pane('{pane}')", pane.capitalize(), show=False)
            for n, pane in enumerate(PANES)
        ),
        Binding("f", "follow", "Follow"),
        Binding("l", "notification_level", "Level"),
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit", "Quit"),
    ]

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Toasts carry store data (names, errors): shown literally, controls made visible."""
        super().notify(
            visible(message, multiline=True),
            title=visible(title),
            severity=severity,
            timeout=timeout,
            markup=markup,
        )

    def __init__(
        self,
        db: Database,
        *,
        readonly: bool = False,
        start_worker: bool = True,
        live: bool = True,
        pane: str = "attention",
    ) -> None:
        super().__init__()
        self.db = db
        self.readonly = readonly
        self.start_worker = start_worker
        self.live = live  # periodic refresh of panes (off: snapshots stay still)
        self.initial_pane = pane
        self.worker_handle: WorkerHandle | None = None

    def compose(self) -> ComposeResult:
        nav = TabBar(NAV_LABELS, short=NAV_SHORT, id="nav")
        nav.active = PANES.index(self.initial_pane)
        nav.extra = "READ-ONLY" if self.readonly else ""
        yield nav
        with ContentSwitcher(initial=self.initial_pane, id="panes"):
            yield AttentionPane()
            yield SourcesPane()
            yield ChannelsPane()
            yield ListingsPane()
            yield OrdersPane()
            yield ShipmentsPane()
            yield JobsPane()
            yield DashboardPane()
            yield InventoryPane()
        yield NotificationsPane(self.db)
        yield FittingFooter(self._footer_spare)

    def _footer_spare(self) -> list[tuple[str, ...]]:
        return [FEED_KEYS, *((action,) for action in self.current_pane.FOOTER_SPARE)]

    def on_mount(self) -> None:
        if self.start_worker and not self.readonly:  # read-only runs no jobs
            self._start_worker()
        if self.live:  # other consoles' (and workers') changes show within a second
            StoreWatch(self).start()

    @work(group="embedded-worker", exit_on_error=False)
    async def _start_worker(self) -> None:
        self.worker_handle = await start_embedded_worker(self.db)

    async def on_unmount(self) -> None:
        if self.worker_handle is not None:
            await self.worker_handle.stop()

    @property
    def current_pane(self) -> Pane:
        switcher = self.query_one("#panes", ContentSwitcher)
        return self.query_one(f"#{switcher.current}", Pane)

    @property
    def notifications(self) -> NotificationsPane:
        return self.query_one(NotificationsPane)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Under a dialog, app keys must not change what is behind it; tab still moves
        # between the dialog's fields.
        return not isinstance(self.screen, ModalScreen) or action in MODAL_ACTIONS

    def on_key(self, event: events.Key) -> None:
        # A read-only console hides its actions; a key pressed anyway says why nothing happens.
        if not self.readonly or isinstance(self.screen, ModalScreen):
            return
        for binding in self.current_pane.BINDINGS:
            if (
                isinstance(binding, Binding)
                and event.key in binding.key.split(",")
                and binding.action in MUTATING
            ):
                event.stop()
                self.notify(
                    f"{binding.description or binding.action}: not allowed, this console is "
                    "read-only (--readonly or DROPDECK_ROLE=readonly)",
                    title="Read-only",
                    severity="warning",
                )
                return

    def on_store_changed(self, message: StoreChanged) -> None:
        for pane in self.query(Pane):
            if pane._started:
                pane.load()

    def action_show_pane(self, name: str) -> None:
        self.query_one("#panes", ContentSwitcher).current = name
        self.query_one("#nav", TabBar).active = PANES.index(SUB_PANES.get(name, name))
        self.refresh_bindings()

    def jump(self, target: str, *, channels: bool = False) -> None:
        """Open the list an attention line counts: a pane, filtered (or a listing tab)."""
        pane, what = JUMPS[target]
        if target == "paused" and channels:
            pane = "channels"
        self.action_show_pane(pane)
        if pane == "listings":
            listings = self.query_one(ListingsPane)
            listings.show_filter("")
            listings.show_tab(ListingTab(what))
        else:
            self.current_pane.show_filter(what)

    def show_inventory(self, source: str | None) -> None:
        """The Inventory pane, filtered to one source's items (esc: every source's)."""
        self.action_show_pane("inventory")
        self.query_one(InventoryPane).show_filter(source or "")

    def show_runs(self, integration: str) -> None:
        """The Jobs pane, filtered to one integration's runs (esc: every run)."""
        self.action_show_pane("jobs")
        self.query_one(JobsPane).show_filter(integration)

    def action_listing_tab(self, tab: str) -> None:
        self.action_show_pane("listings")
        self.query_one(ListingsPane).show_tab(ListingTab(tab))

    async def action_pane_action(self, action: str) -> None:
        pane = self.current_pane
        if action == "details":
            tables = pane.query("PagedTable, DataTable")
            if not tables:  # Attention, Dashboard: enter opens the selected line's list
                if hasattr(pane, "action_open"):
                    await pane.run_action("open")
                return
            table = tables.first()
            await table.run_action(
                "choose" if type(table).__name__ == "PagedTable" else "select_cursor"
            )
            return
        if pane.check_action(action, ()):
            await pane.run_action(action)

    def action_follow(self) -> None:
        self.notifications.action_follow()

    def action_notification_level(self, level: str | None = None) -> None:
        if level is None:
            self.notifications.action_level()
        else:
            self.notifications.min_level = None if level == "all" else level
            assert self.notifications.min_level in LEVEL_STEPS

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.readonly, self.db))

    async def action_quit(self) -> None:
        self.exit(0)
