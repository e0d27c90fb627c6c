"""Command palette (`ctrl+p`): every pane, every action of the current pane, the feed."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from store.queries.listings import CONSOLE_TABS

if TYPE_CHECKING:
    from .app import DropdeckApp

PANE_COMMANDS = (
    ("attention", "Go to Attention (0)"),
    ("sources", "Go to Sources (1)"),
    ("channels", "Go to Channels (2)"),
    ("listings", "Go to Listings (3)"),
    ("orders", "Go to Orders (4)"),
    ("shipments", "Go to Shipments (5)"),
    ("jobs", "Go to Jobs (6)"),
    ("dashboard", "Go to Dashboard (7)"),
    ("inventory", "Go to Inventory (i in Sources)"),
)


class DropdeckCommands(Provider):
    """Commands as (title, help, action string run on the app)."""

    def _commands(self) -> Iterator[tuple[str, str, str]]:
        app = cast("DropdeckApp", self.app)  # textual types it App[object]
        for pane_id, title in PANE_COMMANDS:
            yield title, "Switch pane", f"show_pane('{pane_id}')"
        for tab in CONSOLE_TABS:
            title = f"Listings: {tab.value.replace('_', ' ')} tab"
            yield title, "Show listings in this tab", f"listing_tab('{tab.value}')"
        pane = app.current_pane
        for action, title in pane.ACTIONS:
            if pane.check_action(action, ()):
                yield (
                    f"{pane.TITLE}: {title}",
                    "Applies to marked rows or the current one",
                    (f"pane_action('{action}')"),
                )
        yield f"{pane.TITLE}: Filter (/)", "Narrow the current table", "pane_action('filter')"
        yield "Details of the selected row (enter)", "", "pane_action('details')"
        yield "Notifications: follow / stop following (f)", "", "follow"
        for level in ("all", "info", "warning", "error"):
            yield (
                f"Notifications: level {level}",
                "Show this level and above",
                (f"notification_level('{level}')"),
            )
        yield "Help: keys (?)", "", "help"
        yield "Quit (q)", "", "quit"

    async def discover(self) -> Hits:
        for title, help_text, action in self._commands():
            yield DiscoveryHit(title, partial(self.app.run_action, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, action in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(title),
                    partial(self.app.run_action, action),
                    help=help_text,
                )
