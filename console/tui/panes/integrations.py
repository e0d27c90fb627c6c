"""Sources and Channels: each owner's integrations with schedule, paused state, last run.

Small lists, so a DataTable; `p` pauses/unpauses the selected integration, `x` queues a
manual run of it. Why the selected integration is paused (by an operator, or by the engine
after failures) shows on a line under the table.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import DataTable, Static

from store.queries.runs import IntegrationRow, list_integrations

from .. import format as fmt
from .. import store_access
from ..screens.details import DetailsScreen
from .base import Pane
from .integration_actions import pause_integration, run_integration

# Fixed widths (cells carry their own gap): fits 80 columns, and a reload never re-measures.
HEADERS = (
    ("Owner", 21),
    ("Integration", 16),
    ("Schedule", 10),
    ("State", 9),
    ("Last run", 10),
    ("Finished UTC", 12),
)


def _state(r: IntegrationRow) -> Text:
    if r.paused_reason:
        return Text("paused", style="yellow")  # the reason: the line under the table
    return Text("active", style="green") if r.enabled else Text("disabled", style="dim")


class IntegrationsPane(Pane):
    BINDINGS = [Binding("p", "pause", "Pause"), Binding("x", "run_now", "Run now")]
    OWNER: ClassVar[str] = "source"
    EMPTY: ClassVar[str] = ""
    FILTER_PROMPT = "Integrations whose name or owner contains:"
    ACTIONS = (("pause", "Pause / unpause the integration"), ("run_now", "Run the integration now"))

    def __init__(self) -> None:
        super().__init__(id=f"{self.OWNER}s")
        self.rows: list[IntegrationRow] = []

    def compose_body(self) -> Iterable[Widget]:
        table: DataTable[str | Text] = DataTable(cursor_type="row", cell_padding=0)
        for label, width in HEADERS:
            table.add_column(label, width=width)
        yield table
        yield Static("", classes="paused-reason")
        yield Static(self.EMPTY, classes="empty")

    def focus_main(self) -> None:
        self.query_one(DataTable).focus()

    @work(exclusive=True, group="integrations", exit_on_error=False)
    async def load(self) -> None:
        rows = await store_access.read(self.db, list_integrations, self.OWNER)
        needle = self.filter_text.lower()
        self.rows = [r for r in rows if needle in f"{r.owner} {r.name}".lower()]
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear()
        for r in self.rows:
            table.add_row(
                r.owner,
                r.kind,
                r.schedule,
                _state(r),
                fmt.status(r.last_status) if r.last_status else Text("never", style="dim"),
                fmt.when(r.last_finished_at),
                key=str(r.id),
            )
        if self.rows:
            table.move_cursor(row=min(cursor, len(self.rows) - 1))
        empty = self.query_one(".empty", Static)
        empty.display = not self.rows
        if not rows:
            empty.update(self.EMPTY)
        elif not self.rows:
            empty.update(f"No integration matches '{self.filter_text}' — press / to change it")
        paused = sum(1 for r in self.rows if r.paused_reason)
        self.set_status(f"{len(self.rows)} integrations" + (f", {paused} paused" if paused else ""))
        self._show_reason()

    @property
    def selected(self) -> IntegrationRow | None:
        row = self.query_one(DataTable).cursor_row
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_reason()

    def _show_reason(self) -> None:
        r = self.selected
        line = self.query_one(".paused-reason", Static)
        line.display = bool(r and r.paused_reason)
        if r and r.paused_reason:
            how = "" if self.dropdeck.readonly else " — p unpauses"
            line.update(Text(f"{r.name} paused: {r.paused_reason}{how}"))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        r = self.selected
        if r is None:
            return
        fields: list[tuple[str, object]] = [
            ("name", r.name),
            ("owner", r.owner),
            ("kind", r.kind),
            ("schedule", r.schedule),
            ("enabled", r.enabled),
            ("paused", r.paused_reason),
            ("last run", r.last_status or "never"),
            ("finished", fmt.when_long(r.last_finished_at)),
        ]
        self.app.push_screen(DetailsScreen(f"Integration {r.name}", fields))

    async def action_pause(self) -> None:
        r = self.selected
        await pause_integration(self, r.id if r else None)

    async def action_run_now(self) -> None:
        r = self.selected
        await run_integration(self, r.id if r else None)
