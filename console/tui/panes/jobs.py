"""Jobs: runs newest first, with progress for running ones; `enter` shows the run's summary,
error, counters, record errors and the tail of its log; `p`/`x` pause or run the run's
integration."""

from __future__ import annotations

import asyncio
from datetime import datetime
from functools import partial
from typing import Any

from rich.text import Text
from sqlmodel import Session
from textual import work
from textual.binding import Binding

from console.runtime.runlog import run_log_lines
from store.commands.audit import operator_name
from store.commands.runs import request_cancel
from store.models import JobRun
from store.models._types import utcnow
from store.models.runtime import RunStatus
from store.queries.notifications import NotificationRow
from store.queries.runs import RunRow, get_run, page_runs, run_notifications, run_row

from .. import format as fmt
from .. import store_access
from ..copy import CopyTarget
from ..screens.confirm import ConfirmScreen
from ..screens.details import DetailsScreen, Field, Section
from ..widgets.paged_table import Column, PagedTable
from .integration_actions import pause_integration, run_integration
from .paged import PagedPane, fetch_page

LOG_LINES = 40  # the tail of the run's log in its details
RECORD_ERRORS = 50


def run_progress(r: RunRow, now: datetime | None = None) -> str:
    """`████░░░░ 50% 250/500 · ETA 40s · 6/s` while a run goes: the total, share, ETA and
    rate where the total is known; `250 done · 6/s` where it is not."""
    done, total = r.progress_done, r.progress_total
    elapsed = ((now or utcnow()) - r.started_at).total_seconds() if r.started_at else 0.0
    rate = done / elapsed if elapsed > 0 and done else 0.0
    speed = f"{rate:,.0f}/s" if rate >= 1 else f"{rate * 60:,.0f}/min" if rate else ""
    if not total:
        return " · ".join(p for p in (f"{done:,} done", speed) if p)
    parts = [f"{fmt.progress(done, total, width=8)} {done:,}/{total:,}"]
    if rate and done < total:
        parts.append(f"ETA {fmt.duration((total - done) / rate)}")
    if speed:
        parts.append(speed)
    return " · ".join(parts)


def _progress(r: RunRow) -> str | Text:
    if r.status == RunStatus.RUNNING:
        if r.cancel_requested_by:
            return Text(f"cancelling · {run_progress(r)}", style="yellow")
        return Text(run_progress(r), style="cyan")
    if r.status == RunStatus.QUEUED:
        return Text("waiting for a worker", style="dim")
    return _summary(r)


def _summary(r: RunRow) -> str:
    """The summary without its leading kind (`import_listings partial: `): the Integration
    column names the kind and the Status column the outcome, so the counts get the room."""
    text = r.summary or r.error or ""
    head, sep, rest = text.partition(": ")
    return rest if sep and head.split(" ")[0] == r.kind else text


# At 80 columns: run, integration, status and what it did; from 100, when it started and who
# started it. The last column takes the rest of the width.
COLUMNS: list[Column[RunRow]] = [
    Column("Run", 5, lambda r: str(r.id), right=True),
    Column("Integration", 24, lambda r: r.integration, flex=True, max_width=32),
    Column("Status", 9, lambda r: fmt.status(r.status)),
    Column("Started UTC", 11, lambda r: fmt.when(r.started_at), min_table_width=100),
    Column("By", 14, lambda r: r.started_by, min_table_width=110),
    Column("Progress / summary", 30, _progress, flex=True),
]


class JobsPane(PagedPane[RunRow]):
    BINDINGS = [
        Binding("p", "pause", "Pause"),
        Binding("x", "run_now", "Run again"),
        Binding("c", "cancel", "Cancel run"),
    ]
    TITLE = "Jobs"
    ACTIONS = (
        ("pause", "Pause / unpause the run's integration"),
        ("run_now", "Run the run's integration again now"),
        ("cancel", "Cancel the run (a running one stops at its next page)"),
    )
    REFRESH_SECONDS = 1.0  # progress bars of running jobs
    COLUMNS = COLUMNS
    EMPTY = "No runs yet — select an integration in Sources (1) or Channels (2) and press x"
    NO_MATCH = "No runs match the filter — esc clears it"

    def __init__(self) -> None:
        super().__init__(id="jobs")

    def fetcher(self) -> partial[list[RunRow]]:
        return partial(fetch_page, page_runs, text=self.filter_text or None)

    def on_paged_table_chosen(self, event: PagedTable.Chosen) -> None:
        self.show_details(event.row)

    @work(group="run-details", exit_on_error=False)
    async def show_details(self, r: RunRow) -> None:
        title, fields, sections = await self._details(r.id)
        self.app.push_screen(
            DetailsScreen(title, fields, sections, live=partial(self._details, r.id))
        )

    async def _details(self, run_id: int) -> tuple[str, list[Field], list[Section]]:
        """The run as it is now (the dialog re-reads it every second while open)."""
        r, run, notes = await store_access.read(self.db, _run_and_notifications, run_id)
        if r is None:
            return f"Run {run_id}", [("run", "no longer exists")], []
        # The log file is read in a thread, beside the database.
        log = await asyncio.to_thread(
            run_log_lines, self.db.settings.home, r.run_uid, limit=LOG_LINES
        )
        fields: list[Field] = [
            ("integration", r.integration),
            ("kind", r.kind),
            ("trigger", r.trigger),
            ("started by", r.started_by),
            ("status", fmt.status(r.status).plain),
            ("queued", fmt.when_long(r.queued_at)),
            ("started", fmt.when_long(r.started_at)),
            ("finished", fmt.when_long(r.finished_at)),
            ("progress", run_progress(r) if r.status == RunStatus.RUNNING else r.progress_done),
            ("summary", r.summary),
            ("error", r.error),
            ("counters", run.counters if run else {}),
        ]
        if r.cancel_requested_by and r.status == RunStatus.RUNNING:
            fields.insert(5, ("cancelling", f"asked by {r.cancel_requested_by}"))
        return f"Run {r.id}", fields, _sections(notes, log)

    def copy_target(self) -> CopyTarget | None:
        r = self.table.cursor_row
        return CopyTarget("run id", str(r.id)) if r else None

    async def action_pause(self) -> None:
        row = self.table.cursor_row
        await pause_integration(self, row.integration if row else None)

    async def action_run_now(self) -> None:
        row = self.table.cursor_row
        await run_integration(self, row.integration if row else None)

    def action_cancel(self) -> None:
        r = self.table.cursor_row
        if r is None:
            self.app.notify("No run selected", severity="warning")
            return
        if r.status not in (RunStatus.QUEUED, RunStatus.RUNNING):
            self.app.notify(f"Run {r.id} has already ended ({fmt.status(r.status).plain})")
            return
        how = "it stops at its next page" if r.status == RunStatus.RUNNING else "it never starts"
        question = f"Cancel run {r.id} ({r.integration}, {r.status})? {how.capitalize()}."

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._cancel(r)

        self.app.push_screen(ConfirmScreen(question), confirmed)

    @work(group="run-cancel", exit_on_error=False)
    async def _cancel(self, r: RunRow) -> None:
        outcome = await self.change("run", request_cancel, r.id, actor=operator_name("console"))
        if outcome == "cancelled":
            self.app.notify(f"Run {r.id} cancelled")
        elif outcome == "requested":
            self.app.notify(f"Run {r.id} stops at its next page")
        elif outcome is not None:
            self.app.notify(f"Run {r.id} had already ended ({outcome})")


def _run_and_notifications(
    session: Session, run_id: int
) -> tuple[RunRow | None, JobRun | None, list[NotificationRow]]:
    return run_row(session, run_id), get_run(session, run_id), run_notifications(session, run_id)


def _sections(notes: list[NotificationRow], log: list[dict[str, Any]]) -> list[Section]:
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
            f"Log (last {len(log)} line{'s' if len(log) != 1 else ''})" if log else "Log",
            [fmt.log_event(e) for e in log]
            or ["no log lines on this host (a worker on another machine logs there)"],
        )
    )
    return sections
