"""Sources (suppliers): their integrations, schedules, paused state and last run."""

from __future__ import annotations

from .integrations import IntegrationsPane


class SourcesPane(IntegrationsPane):
    TITLE = "Sources"
    OWNER = "source"
    EMPTY = (
        "No sources yet — add a supplier connection, or try `dropdeck demo` "
        "for a fictional business"
    )
