"""`m` in Sources (or the palette): the saved mapping templates, read-only.

One row per template (system, target, how many rules, which integrations name it); `enter`
shows every field of its target as the run reads it: the template's rule, the default, or
"follows …" for a Variant field, with the guide's Required / Enabled / Disabled. Changes
are made with `dropdeck mappings templates` (checked against the integrations naming it).
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from connectors.registry import descriptors
from connectors.templates import status, template_fields
from store.db import Database
from store.queries.templates import TemplateRow, template_rows
from store.safe_text import visible

from .. import store_access
from .details import DetailsScreen

EMPTY = "No mapping templates yet — add one with 'dropdeck mappings templates add NAME …'"
HEADERS = (("Name", 24), ("System", 9), ("Target", 9), ("Rules", 5), ("Used by", 30))


def system_name(system: str | None) -> str:
    found = descriptors().get(system or "")
    return found.display_name if found is not None else (system or "—")


def field_lines(row: TemplateRow) -> list[tuple[str, object]]:
    """(the guide's field, `rule → maps to · status (from)`) for the details dialog."""
    out: list[tuple[str, object]] = []
    for f in template_fields(row.system, row.target, row.rules):
        rule = "Disable" if f["rule"] == "none" else f["rule"] or "—"
        target = f" → {f['maps_to']}" if f["maps_to"] else ""
        out.append((f["field"], f"{rule}{target} · {status(f)} ({f['from']})"))
    return out


class TemplatesScreen(ModalScreen[None]):
    """The templates table; `enter` opens one template's fields."""

    BINDINGS = [
        Binding("escape,q,m", "close", "Close"),
        Binding("enter", "open", "Fields", show=False),
    ]

    def __init__(self, db: Database) -> None:
        super().__init__()
        self.db = db
        self.rows: list[TemplateRow] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="details"):
            yield Static(Text("Mapping templates", style="bold"), id="question")
            table: DataTable[Text] = DataTable(cursor_type="row", cell_padding=1)
            for label, width in HEADERS:
                table.add_column(label, width=width)
            yield table
            yield Static("", id="templates-empty")
            yield Static(
                "enter fields · escape close · change with 'dropdeck mappings templates'",
                id="answer-keys",
            )

    def on_mount(self) -> None:
        self.load()

    @work(exclusive=True, group="templates", exit_on_error=False)
    async def load(self) -> None:
        self.rows = await store_access.read(self.db, template_rows)
        table = self.query_one(DataTable)
        table.clear()
        for r in self.rows:
            table.add_row(
                *(
                    Text(visible(str(v)), no_wrap=True, overflow="ellipsis")
                    for v in (
                        r.name,
                        system_name(r.system),
                        r.target,
                        len(r.rules),
                        ", ".join(r.used_by) or "—",
                    )
                )
            )
        self.query_one("#templates-empty", Static).update(
            Text("" if self.rows else EMPTY, style="italic")
        )
        table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    def action_open(self) -> None:
        row = self.query_one(DataTable).cursor_row
        if not 0 <= row < len(self.rows):
            return
        r = self.rows[row]
        used = ", ".join(r.used_by) or "no integration"
        self.app.push_screen(
            DetailsScreen(
                f"Template {r.name} ({system_name(r.system)} {r.target}; used by {used})",
                field_lines(r),
            )
        )

    def action_close(self) -> None:
        self.dismiss(None)
