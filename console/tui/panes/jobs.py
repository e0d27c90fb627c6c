"""Jobs: runs newest first, with progress for running ones; `enter` shows the run's summary,
error, counters, record errors and the tail of its log; `p`/`x` pause or run the run's
integration."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from rich.text import Text
from sqlmodel import Session
from textual import work
from textual.binding import Binding

from console.runtime.runlog import run_log_lines
from store.models import JobRun, Notification
from store.models.runtime import RunStatus
from store.queries.runs import RunRow, get_run, page_runs, run_notifications

from .. import format as fmt
from .. import store_access
from ..screens.details import DetailsScreen, Section
from ..widgets.paged_table import Column, PagedTable
from .integration_actions import pause_integration, run_integration
from .paged import PagedPane, fetch_page, status_or_prefix

LOG_LINES = 40  # the tail of the run's log in its details
RECORD_ERRORS = 50


def _progress(r: RunRow) -> str | Text:
    if r.status == RunStatus.RUNNING:
        return Text(fmt.progress(r.progress_done, r.progress_total), style="cyan")
    if r.status == RunStatus.QUEUED:
        return Text("waiting for a worker", style="dim")
    return r.summary or r.error or ""


COLUMNS: list[Column[RunRow]] = [
    Column("Run", 5, lambda r: str(r.id), right=True),
    Column("Integration", 28, lambda r: r.integration),
    Column("Status", 9, lambda r: fmt.status(r.status)),
    Column("Started UTC", 11, lambda r: fmt.when(r.started_at)),
    Column("Progress / summary", 40, _progress),
]


class JobsPane(PagedPane[RunRow]):
    BINDINGS = [Binding("p", "pause", "Pause"), Binding("x", "run_now", "Run again")]
    TITLE = "Jobs"
    FILTER_PROMPT = "Runs with this status, or whose integration starts with:"
    ACTIONS = (
        ("pause", "Pause / unpause the run's integration"),
        ("run_now", "Run the run's integration again now"),
    )
    REFRESH_SECONDS = 1.0  # progress bars of running jobs
    COLUMNS = COLUMNS
    EMPTY = "No runs yet — select an integration in Sources (1) or Channels (2) and press x"
    NO_MATCH = "No runs match — press / to change the filter"

    def __init__(self) -> None:
        super().__init__(id="jobs")

    def fetcher(self) -> partial[list[RunRow]]:
        status, prefix = status_or_prefix(self.filter_text, (s.value for s in RunStatus))
        return partial(fetch_page, page_runs, status=status, integration_prefix=prefix)

    def on_paged_table_chosen(self, event: PagedTable.Chosen) -> None:
        self.show_details(event.row)

    @work(group="run-details", exit_on_error=False)
    async def show_details(self, r: RunRow) -> None:
        # The database and the log files are read in threads, side by side.
        (run, notes), log = await asyncio.gather(
            store_access.read(self.db, _run_and_notifications, r.id),
            asyncio.to_thread(run_log_lines, self.db.settings.home, r.run_uid, limit=LOG_LINES),
        )
        fields: list[tuple[str, object]] = [
            ("integration", r.integration),
            ("kind", r.kind),
            ("trigger", r.trigger),
            ("status", r.status),
            ("queued", fmt.when_long(r.queued_at)),
            ("started", fmt.when_long(r.started_at)),
            ("finished", fmt.when_long(r.finished_at)),
            ("progress", fmt.progress(r.progress_done, r.progress_total)),
            ("summary", r.summary),
            ("error", r.error),
            ("counters", run.counters if run else {}),
        ]
        self.app.push_screen(DetailsScreen(f"Run {r.id}", fields, _sections(notes, log)))

    async def action_pause(self) -> None:
        row = self.table.cursor_row
        await pause_integration(self, row.integration if row else None)

    async def action_run_now(self) -> None:
        row = self.table.cursor_row
        await run_integration(self, row.integration if row else None)


def _run_and_notifications(
    session: Session, run_id: int
) -> tuple[JobRun | None, list[Notification]]:
    return get_run(session, run_id), run_notifications(session, run_id)


def _sections(notes: list[Notification], log: list[dict[str, Any]]) -> list[Section]:
    """Record errors, other warnings of the run, and the tail of its log."""
    failed = [n.message for n in notes if n.event == "record.failed"]
    shown = failed[:RECORD_ERRORS]
    if len(failed) > len(shown):
        shown.append(f"… and {len(failed) - len(shown):,} more")
    sections: list[Section] = [(f"Record errors ({len(failed):,})", shown or ["none"])]
    warnings = [
        f"{n.level.upper()} {n.message}"
        for n in notes
        if n.event != "record.failed" and n.level.lower() in ("warning", "error", "critical")
    ]
    if warnings:
        sections.append(("Warnings and errors", warnings))
    sections.append(
        (
            f"Log (last {len(log)} lines)" if log else "Log",
            [fmt.log_event(e) for e in log]
            or ["no log lines on this host (a worker on another machine logs there)"],
        )
    )
    return sections
