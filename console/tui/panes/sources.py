"""Sources (suppliers): their integrations, schedules, paused state and last run; `m` shows
the saved mapping templates."""

from __future__ import annotations

from textual.binding import Binding

from .integrations import IntegrationsPane


class SourcesPane(IntegrationsPane):
    TITLE = "Sources"
    OWNER = "source"
    BINDINGS = [Binding("m", "templates", "Templates", show=False)]
    ACTIONS = (*IntegrationsPane.ACTIONS, ("templates", "Mapping templates (m)"))
    EMPTY = (
        "No sources yet — add a supplier connection, or try `dropdeck demo` "
        "for a fictional business"
    )

    def action_templates(self) -> None:
        """The saved mapping templates, read-only."""
        from ..screens.templates import TemplatesScreen

        self.app.push_screen(TemplatesScreen(self.db))
