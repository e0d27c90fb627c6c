"""Sources and Channels: each owner's integrations with schedule, paused state, last run.

Small lists, so a DataTable; `p` pauses/unpauses the selected integration, `x` queues a
manual run of it, `t` tests the owner's connection. Why the selected integration is paused
(by an operator, or by the engine after failures) shows on a line under the table. An
owner with no integration yet still gets a row, saying how to add one (or that its
system's connector is not built yet), so the operator sees it exists.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import ClassVar

import sqlalchemy as sa
from rich.text import Text
from sqlmodel import Session, col
from textual import work
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.widget import Widget
from textual.widgets import DataTable, Static

from connectors.registry import descriptors
from store.models import Channel, Source
from store.models.config import IntegrationKind
from store.queries.runs import IntegrationRow, list_integrations, owner_names

from .. import format as fmt
from .. import store_access
from ..copy import CopyTarget
from ..screens.confirm import ConfirmScreen
from ..screens.details import DetailsScreen
from .base import Pane
from .connection_check import test_owner_connection
from .integration_actions import (
    pause_integration,
    pause_integrations,
    run_integration,
    run_integrations,
)

# Fixed widths: 79 columns fit 80 beside the one-column scrollbar, and a reload never
# re-measures. Cells have no padding, so a width holds its longest value plus a space.
HEADERS = (
    ("Owner", 21),
    ("Integration", max(len(k) for k in IntegrationKind) + 1),
    ("Schedule", 10),
    ("State", 9),
    ("Last run", 10),
    ("Finished UTC", 12),
)


NO_INTEGRATIONS = "no integrations — x or p says how to add one"


@dataclass(frozen=True)
class NoIntegrations:
    """The row of an owner with no integration yet."""

    owner: str
    name: str = ""  # no integration name for the filter to match
    not_built: str | None = None
    """The system's display name when this Dropdeck version has no connector for it."""
    kinds: tuple[str, ...] = ()
    """The kinds `dropdeck integrations add` accepts for its system (never a refused one)."""

    @property
    def text(self) -> str:
        if self.not_built:
            return f"{self.not_built} connector not built yet — no integrations"
        return NO_INTEGRATIONS

    @property
    def hint(self) -> str:
        if self.not_built:
            return f"{self.owner}: the {self.not_built} connector is not built yet"
        kinds = f", KIND one of {', '.join(self.kinds)}" if self.kinds else ""
        return (
            f"{self.owner} has no integrations — add one: dropdeck integrations add "
            f"{self.owner} KIND{kinds}"
        )


PaneRow = IntegrationRow | NoIntegrations


def _pane_rows(session: Session, owner: str) -> list[PaneRow]:
    """Every owner's integrations, or one NoIntegrations row, in owner order."""
    integrations: dict[str, list[PaneRow]] = {}
    for r in list_integrations(session, owner):
        integrations.setdefault(r.owner, []).append(r)
    table = Source if owner == "source" else Channel
    systems = {
        name: kind for name, kind in session.execute(sa.select(col(table.name), col(table.kind)))
    }
    known = descriptors()
    rows: list[PaneRow] = []
    for name in owner_names(session, owner):
        system = known.get(systems.get(name, ""))
        not_built = system.display_name if system is not None and not system.built else None
        kinds = tuple(k.name for k in system.kinds) if system is not None else ()
        rows.extend(
            integrations.get(name) or [NoIntegrations(name, not_built=not_built, kinds=kinds)]
        )
    return rows


def _spread(text: str) -> list[Text]:
    """`text` cut at the column edges after Owner: cells have no padding, so it reads as one
    line across the row (a DataTable cell cannot span columns)."""
    text = fmt.visible(text)
    cells = []
    start = 0
    for _, width in HEADERS[1:]:
        cells.append(Text(text[start : start + width], style="dim"))
        start += width
    return cells


def _shown(r: PaneRow) -> str:
    """The row as the table shows it, lower case, for the filter (a few dozen rows, read
    whole for the table anyway)."""
    if isinstance(r, NoIntegrations):
        return f"{r.owner} {r.text}".lower()
    last = r.last_status.replace("_", " ") if r.last_status else "never"
    return f"{r.owner} {r.name} {r.kind} {r.schedule} {_state(r).plain} {last}".lower()


def _owner_cell(r: IntegrationRow, marked: bool) -> str | Text:
    """The owner, with ● in front on a marked row (as in the paged tables)."""
    owner = fmt.visible(r.owner)
    return Text(f"● {owner}", style="bold yellow") if marked else fmt.plain(owner)


def _state(r: IntegrationRow) -> Text:
    if r.paused_reason:
        return Text("paused", style="yellow")  # the reason: the line under the table
    # The CLI's words (`integrations change --enable/--disable`, its table's state column).
    return Text("enabled", style="green") if r.enabled else Text("disabled", style="dim")


class IntegrationsTable(DataTable[str | Text]):
    """Rows of integrations: `home`/`end` go to the first/last row, `space` marks one."""

    BINDINGS = [
        Binding("home", "first_row", "First", show=False),
        Binding("end", "last_row", "Last", show=False),
        Binding("space", "mark", "Mark", show=False),
    ]

    def action_first_row(self) -> None:
        self.move_cursor(row=0)

    def action_last_row(self) -> None:
        self.move_cursor(row=max(0, self.row_count - 1))

    def action_mark(self) -> None:
        pane = self.parent
        assert isinstance(pane, IntegrationsPane)
        pane.toggle_mark()


class IntegrationsPane(Pane):
    BINDINGS = [
        Binding("p", "pause", "Pause"),
        Binding("x", "run_now", "Run now"),
        Binding("t", "test_connection", "Test"),
    ]
    OWNER: ClassVar[str] = "source"
    EMPTY: ClassVar[str] = ""
    ACTIONS: ClassVar[tuple[tuple[str, str], ...]] = (
        ("pause", "Pause / unpause the integration"),
        ("run_now", "Run the integration now"),
        ("test_connection", "Test the connection of the selected source or channel"),
    )

    def __init__(self) -> None:
        super().__init__(id=f"{self.OWNER}s")
        self.rows: list[PaneRow] = []
        self.marks: set[int] = set()  # integration ids

    def compose_body(self) -> Iterable[Widget]:
        table = IntegrationsTable(cursor_type="row", cell_padding=0)
        for label, width in HEADERS:
            table.add_column(label, width=width)
        yield table
        yield Static("", classes="paused-reason")
        yield Static("loading…", classes="empty")  # EMPTY only once the store said so

    def focus_main(self) -> None:
        self.query_one(DataTable).focus()

    def load(self) -> None:
        self._load_rows()

    @work(exclusive=True, group="integrations", exit_on_error=False)
    async def _load_rows(self) -> None:
        rows = await store_access.read(self.db, _pane_rows, self.OWNER)
        words = self.filter_text.lower().split()
        self.rows = [r for r in rows if all(w in _shown(r) for w in words)]
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear()
        for r in self.rows:
            if isinstance(r, NoIntegrations):
                table.add_row(fmt.plain(r.owner), *_spread(r.text), key=f"owner:{r.owner}")
                continue
            table.add_row(
                _owner_cell(r, r.id in self.marks),
                fmt.plain(r.kind),
                fmt.plain(r.schedule),
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
            empty.update("No integration matches the filter — esc clears it")
        integrations = [r for r in self.rows if isinstance(r, IntegrationRow)]
        self.marks &= {r.id for r in integrations}
        self._update_status()
        self._show_reason()

    def _update_status(self) -> None:
        integrations = [r for r in self.rows if isinstance(r, IntegrationRow)]
        paused = sum(1 for r in integrations if r.paused_reason)
        parts = [fmt.plural(len(integrations), "integration")]
        if paused:
            parts.append(f"{paused} paused")
        if self.marks:
            parts.append(f"{len(self.marks)} marked")
        self.set_status(", ".join(parts))

    def toggle_mark(self) -> None:
        """`space`: mark or unmark the integration under the cursor, then move down."""
        r = self.selected
        table = self.query_one(DataTable)
        if r is not None:
            self.marks ^= {r.id}
            table.update_cell_at(
                Coordinate(table.cursor_row, 0), _owner_cell(r, r.id in self.marks)
            )
            self._update_status()
        table.action_cursor_down()

    def targets(self) -> list[IntegrationRow]:
        """Marked integrations, else the one under the cursor."""
        if self.marks:
            return [r for r in self.rows if isinstance(r, IntegrationRow) and r.id in self.marks]
        return [self.selected] if self.selected else []

    @property
    def _cursor(self) -> PaneRow | None:
        row = self.query_one(DataTable).cursor_row
        return self.rows[row] if 0 <= row < len(self.rows) else None

    @property
    def selected(self) -> IntegrationRow | None:
        r = self._cursor
        return r if isinstance(r, IntegrationRow) else None

    def _on_owner_without_integrations(self) -> bool:
        """On such a row, say how to add one (rather than 'no integration selected')."""
        r = self._cursor
        if isinstance(r, NoIntegrations):
            self.app.notify(r.hint, severity="warning")
        return isinstance(r, NoIntegrations)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_reason()

    def _show_reason(self) -> None:
        r = self.selected
        line = self.query_one(".paused-reason", Static)
        line.display = bool(r and r.paused_reason)
        if r and r.paused_reason:
            how = "" if self.dropdeck.readonly else " — p unpauses"
            line.update(fmt.plain(f"{r.name} paused: {r.paused_reason}{how}"))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        r = self.selected
        if self._on_owner_without_integrations() or r is None:
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

    def copy_target(self) -> CopyTarget | None:
        r = self._cursor
        if isinstance(r, NoIntegrations):  # no integration yet: the owner's name
            return CopyTarget(self.OWNER, r.owner)
        return CopyTarget("integration name", r.name) if r else None

    async def action_pause(self) -> None:
        if not self.marks and self._on_owner_without_integrations():
            return
        rows = self.targets()
        if len(rows) > 1:
            self._ask(f"Pause or unpause {len(rows)} integrations?", pause_integrations, rows)
            return
        await pause_integration(self, rows[0] if rows else None)

    async def action_run_now(self) -> None:
        if not self.marks and self._on_owner_without_integrations():
            return
        rows = self.targets()
        if len(rows) > 1:
            names = ", ".join(r.name for r in rows[:3]) + (" …" if len(rows) > 3 else "")
            self._ask(f"Run {len(rows)} integrations now? ({names})", run_integrations, rows)
            return
        await run_integration(self, rows[0].id if rows else None)

    def _ask(
        self,
        question: str,
        act: Callable[[Pane, list[IntegrationRow]], Awaitable[None]],
        rows: list[IntegrationRow],
    ) -> None:
        """y/N first: an action on several integrations at once."""

        async def answered(yes: bool | None) -> None:
            if yes:
                await act(self, rows)
                self.marks.clear()
                self.load()

        self.app.push_screen(ConfirmScreen(question), answered)

    async def action_test_connection(self) -> None:
        r = self._cursor
        await test_owner_connection(self, r.owner if r is not None else None)
