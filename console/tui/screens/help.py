"""`?`: every key of the console, what it does, and where it applies."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS = (
    ("1..6", "Sources, Channels, Listings, Orders, Shipments, Jobs"),
    ("/", "filter the table: SKU, order number, tracking or integration prefix, or a status"),
    ("space", "mark or unmark a row; actions apply to marked rows, else the current one"),
    ("p", "pause/unpause listings, or the integration in Sources/Channels/Jobs"),
    ("h", "hide/unhide listings (carried out by the channel's next sync)"),
    ("r", "resubmit the selected failed fulfillment request (Orders)"),
    ("x", "run the selected integration now (Sources/Channels/Jobs)"),
    ("enter", "details of the selected row"),
    ("[ ]", "previous / next Listings tab"),
    ("f", "follow / stop following the notifications tail"),
    ("l", "notifications level: all, info, warning, error"),
    ("↑↓ PgUp PgDn", "move; home / end: first / last row"),
    ("ctrl+p", "command palette: every pane and action by name"),
    ("?", "this help"),
    ("q", "quit"),
)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "close", "Close")]

    def __init__(self, readonly: bool = False) -> None:
        super().__init__()
        self.readonly = readonly

    def compose(self) -> ComposeResult:
        hidden = {"p", "h", "r", "x"} if self.readonly else set()
        table = Table(box=None, show_header=False, padding=(0, 1), expand=True)
        table.add_column(style="bold", no_wrap=True)
        table.add_column(ratio=1)
        for key, what in KEYS:
            if key not in hidden:
                table.add_row(key, what)
        if self.readonly:
            table.add_row("", "Read-only: actions that change records are hidden.")
        with Vertical(id="dialog", classes="help"):
            yield Static("[b]Dropdeck keys[/b]", id="question")
            with VerticalScroll(id="details-body"):
                yield Static(table, id="details-text")
            yield Static("escape close", id="answer-keys")

    def action_close(self) -> None:
        self.dismiss(None)
