"""Sources (suppliers): their integrations, schedules, paused state and last run; `m` shows
the saved mapping templates, `i` opens the selected source's inventory."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding

from .integrations import IntegrationsPane


class SourcesPane(IntegrationsPane):
    BINDINGS = [
        Binding("i", "inventory", "Inventory"),
        Binding("m", "templates", "Templates", show=False),
    ]
    TITLE = "Sources"
    OWNER = "source"
    ACTIONS: ClassVar[tuple[tuple[str, str], ...]] = (
        *IntegrationsPane.ACTIONS,
        ("templates", "Mapping templates (m)"),
        ("inventory", "The selected source's inventory items (i)"),
    )
    EMPTY = (
        "No sources yet — add a supplier connection, or try `dropdeck demo` "
        "for a fictional business"
    )

    def action_templates(self) -> None:
        """The saved mapping templates, read-only."""
        from ..screens.templates import TemplatesScreen

        self.app.push_screen(TemplatesScreen(self.db))

    def action_inventory(self) -> None:
        """`i`: the selected source's items (the Inventory pane, filtered to it)."""
        row = self._cursor
        self.dropdeck.show_inventory(row.owner if row is not None else None)
