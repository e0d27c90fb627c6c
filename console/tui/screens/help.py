"""`?`: every key of the console and what it does, on one screen at 80x24 (two columns:
moving and looking on the left, acting on the right)."""

from __future__ import annotations

from itertools import zip_longest

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from store.db import Database
from store.installation import stored_installation_id

from ...commands.about import version
from .. import store_access

MOVE = (
    ("0", "what needs attention"),
    ("1..7", "Sources … Dashboard"),
    ("/", "filter as you type"),
    ("esc", "clear the filter"),
    ("↑↓ PgUp PgDn", "move"),
    ("home end", "first / last row"),
    ("enter", "details (7: its runs)"),
    ("y", "copy the row's key"),
    ("[ ]", "Listings tabs"),
    ("tab", "table ↔ notifications"),
    ("m", "mapping templates"),
    ("ctrl+p", "every action by name"),
    ("?  q", "this help, quit"),
)
ACT = (
    ("space", "mark; keys act on marked"),
    ("p", "pause / unpause"),
    ("h", "hide / unhide listings"),
    ("u i", "unlink / link to inventory"),
    ("r", "resubmit / route again"),
    ("s", "send a pending order now"),
    ("x", "run the integration now"),
    ("t", "test the connection"),
    ("c", "cancel a run (Jobs)"),
    ("f", "follow notifications"),
    ("l", "notifications level"),
    ("end", "notifications: newest"),
)
MUTATING_KEYS = {"p", "h", "u i", "r", "s", "x", "c"}


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "close", "Close")]

    def __init__(self, readonly: bool = False, db: Database | None = None) -> None:
        super().__init__()
        self.readonly = readonly
        self.db = db

    def compose(self) -> ComposeResult:
        act = [(k, w) for k, w in ACT if not (self.readonly and k in MUTATING_KEYS)]
        table = Table(box=None, show_header=False, padding=(0, 1))
        for _ in range(2):  # two (key, what) pairs side by side
            table.add_column(style="bold", no_wrap=True)
            table.add_column(no_wrap=True, overflow="ellipsis")
        for (k1, w1), (k2, w2) in zip_longest(MOVE, act, fillvalue=("", "")):
            table.add_row(k1, w1, k2, w2)
        if self.readonly:
            table.add_row("", "", "", "read-only: no actions")
        with Vertical(id="dialog", classes="help"):
            yield Static("[b]Dropdeck keys[/b]", id="question")
            with VerticalScroll(id="details-body"):
                yield Static(table, id="details-text")
            yield Static("escape close", id="answer-keys")

    async def on_mount(self) -> None:
        if self.db is None:
            return
        # Which Dropdeck and which business: the installation id is in every PO it sends.
        made = await store_access.read(self.db, stored_installation_id)
        self.query_one("#answer-keys", Static).update(
            f"escape close · Dropdeck {version()} · installation {made or 'none yet'}"
        )

    def action_close(self) -> None:
        self.dismiss(None)
