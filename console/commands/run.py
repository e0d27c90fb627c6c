"""`dropdeck run INTEGRATION [--wait] [--json]`: queue a run now; any live worker picks it up.

With --wait and no live worker, the run is executed in this process (said on stderr) by a
worker that claims that one run only: the same claim (the integration's run lock), lease,
heartbeat, failure policy and notifications as any worker, so it never waits for ever.

Ctrl+C while waiting: a worker's run goes on (said), and a second Ctrl+C within a few
seconds cancels it; a run in this process goes on until a second Ctrl+C cancels it (it stops
at its next page, as the Jobs pane's cancel does).
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import CliError
from ._output import print_result

# The store (SQLAlchemy, SQLModel, the models) loads in the handlers, not at import:
# `dropdeck run --help` then starts without it.
if TYPE_CHECKING:
    from store.db import Database
    from store.models import JobRun, Notification

POLL_SECONDS = 0.5
FAILURES_GRACE_SECONDS = 3.0
SECOND_INTERRUPT_SECONDS = 3.0  # after a first Ctrl+C, a second one this soon cancels the run


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], line: str) -> None:
    p = sub.add_parser(
        "run",
        help=line,
        description="Queue a run of INTEGRATION; whichever worker is alive executes it. "
        "With --wait: show progress, print the summary, exit 1 if the run failed, was "
        "cancelled or every record failed (a partial run exits 0 and lists its failed "
        "records). Ctrl+C stops waiting (the run goes on); a second Ctrl+C cancels it.",
    )
    p.add_argument("integration", help="integration name (see 'dropdeck integrations')")
    p.add_argument("--wait", action="store_true", help="wait for the run and print its summary")
    p.add_argument(
        "--json", action="store_true", help="say what was queued, or with --wait how it ended"
    )
    p.set_defaults(handler=_run)


def _queue(db: Database, name: str) -> tuple[int, bool]:
    import sqlalchemy as sa
    from sqlmodel import col

    from store.commands.runs import queue_run
    from store.models import JobRun
    from store.models.runtime import RunTrigger
    from store.queries.runs import integration_by_name

    with db.write() as session:
        integration = integration_by_name(session, name)
        if integration is None:
            raise CliError(f"no integration named '{name}'; list them with 'dropdeck integrations'")
        if integration.paused_reason is not None:
            raise CliError(
                f"{name} is paused ({integration.paused_reason}); fix the cause, then "
                f"'dropdeck integrations unpause {name}'"
            )
        if not integration.enabled:
            raise CliError(f"{name} is disabled; enable it first")
        assert integration.id is not None
        before = session.scalar(
            sa.select(sa.func.max(col(JobRun.id))).where(
                col(JobRun.integration_id) == integration.id
            )
        )
        run = queue_run(session, integration.id, RunTrigger.MANUAL)
        assert run.id is not None
        return run.id, before is not None and run.id <= before


def _run(args: argparse.Namespace) -> int:
    from store.queries.runs import live_workers

    from ..context import open_store
    from ..runtime.settings import load_runtime_settings

    db = open_store()
    run_id, existed = _queue(db, args.integration)
    verb = "already queued as" if existed else "queued"
    print(f"{args.integration}: {verb} run {run_id}", file=sys.stderr)
    with db.read() as session:
        alive = live_workers(session, within_seconds=load_runtime_settings().live_worker_seconds)
    if not args.wait:
        if not alive:
            print(
                "no worker is running: it starts when one does ('dropdeck worker', or the console)",
                file=sys.stderr,
            )
        result = {"action": "run", "integration": args.integration, "run": run_id}
        print_result(args, str(run_id), result | {"already_queued": existed, "worker": bool(alive)})
        return 0
    if alive:
        return _wait(db, run_id, json=args.json)
    print(
        "no worker is running: running it in this process ('dropdeck worker' runs the schedule)",
        file=sys.stderr,
    )
    return run_here(db, run_id, json=args.json)


def run_here(db: Database, run_id: int, *, json: bool = False, quiet: bool = False) -> int:
    """Execute queued run `run_id` in this process, showing progress; its exit status.
    `quiet`: the caller says the outcome (no summary on stdout)."""
    import asyncio

    from connectors.registry import load_operations

    from ..runtime.logging import configure_logging, shutdown_logging
    from ..runtime.worker import Worker

    configure_logging(db.settings.home, db=db)
    load_operations()
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    worker = Worker(db, concurrency=1, schedule=False, only_run=run_id)
    thread = threading.Thread(
        target=loop.run_until_complete, args=(worker.run(stop),), name="run-here", daemon=True
    )
    thread.start()
    try:
        return _wait(db, run_id, alive=thread.is_alive, json=json, quiet=quiet)
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join()
        loop.close()
        shutdown_logging()


def _wait(
    db: Database,
    run_id: int,
    alive: Callable[[], bool] | None = None,
    *,
    json: bool = False,
    quiet: bool = False,
) -> int:
    """Wait for the run to end and say how (`alive`: the in-process worker's thread)."""
    progress = _Progress()
    interrupts = 0
    while True:
        try:
            run = _poll(db, run_id, alive, progress)
        except KeyboardInterrupt:
            if alive is None:
                return _detach(db, run_id)
            interrupts += 1
            if interrupts == 1:
                progress.say(
                    f"run {run_id} runs in this process and goes on; "
                    "Ctrl+C again cancels it (it stops at its next page)"
                )
            elif interrupts == 2:
                progress.say(_cancelled(db, run_id) + "; Ctrl+C once more stops at once")
            else:
                raise  # the worker stops; the run ends cancelled
            continue
        if run is not None:
            break
    progress.done()
    return _say_outcome(db, run, json=json, quiet=quiet)


class _Progress:
    """The progress line on stderr: redrawn in place on a terminal, one line per change
    otherwise."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.last = ""

    def show(self, line: str) -> None:
        if line != self.last:
            print(
                f"\r{line}\x1b[K" if self.tty else line,
                end="" if self.tty else "\n",
                file=sys.stderr,
            )
            self.last = line

    def say(self, text: str) -> None:
        """A sentence of its own, below the progress line."""
        if self.tty and self.last:
            print(file=sys.stderr)
        self.last = ""
        print(text, file=sys.stderr)

    def done(self) -> None:
        if self.tty and self.last:
            print(file=sys.stderr)


def _poll(
    db: Database, run_id: int, alive: Callable[[], bool] | None, progress: _Progress
) -> JobRun | None:
    """The run if it has ended; else show its progress, sleep, and None."""
    from store.models import JobRun
    from store.models.runtime import RunStatus

    with db.read() as session:
        run = session.get(JobRun, run_id)
    assert run is not None
    status = RunStatus(run.status)
    finished = {RunStatus.SUCCEEDED, RunStatus.PARTIAL, RunStatus.FAILED, RunStatus.CANCELLED}
    if status in finished:
        return run
    if alive is not None and not alive():
        raise CliError(f"run {run_id} stopped before it finished ({status.value})")
    progress.show(_progress_line(run))
    time.sleep(POLL_SECONDS)
    return None


def _detach(db: Database, run_id: int) -> int:
    """First Ctrl+C while a worker has the run: it goes on; a second one soon cancels it."""
    print(
        f"\nrun {run_id} goes on in the worker (follow it: 'dropdeck runs show {run_id}'); "
        f"Ctrl+C again within {SECOND_INTERRUPT_SECONDS:.0f} s cancels it",
        file=sys.stderr,
        flush=True,
    )
    try:
        time.sleep(SECOND_INTERRUPT_SECONDS)
    except KeyboardInterrupt:
        print(_cancelled(db, run_id), file=sys.stderr)
    return 130


def _cancelled(db: Database, run_id: int) -> str:
    from store.commands.audit import operator_name
    from store.commands.runs import request_cancel

    with db.write() as session:
        outcome = request_cancel(session, run_id, actor=operator_name("cli"))
    if outcome == "cancelled":
        return f"run {run_id} cancelled: it never starts"
    if outcome == "requested":
        return f"run {run_id} cancelled: it stops at its next page"
    return f"run {run_id} had already ended ({outcome})"


def every_record_failed(run: JobRun) -> bool:
    """A run that went on past bad records but got none through: nothing worked, so a
    script must not read it as done (exit 1), though the run is `partial`, not `failed`."""
    from store.models.runtime import RunStatus

    counters = run.counters or {}
    failed = counters.get("failed", 0)
    if run.status != RunStatus.PARTIAL.value or not failed:
        return False
    seen = run.progress_total or run.progress_done
    if seen:
        return failed >= seen
    return not any(n for name, n in counters.items() if name != "failed")


def _say_outcome(db: Database, run: JobRun, *, json: bool, quiet: bool) -> int:
    from connectors.context import MAX_RECORD_ERROR_NOTIFICATIONS
    from store.models.runtime import RunStatus

    status = RunStatus(run.status)
    failures: list[Notification] = []
    if status is RunStatus.PARTIAL:
        expected = min(run.counters.get("failed", 0), MAX_RECORD_ERROR_NOTIFICATIONS)
        failures = _record_failures(db, run.id or 0, expected)
    all_failed = every_record_failed(run)
    exit_status = 1 if status in (RunStatus.FAILED, RunStatus.CANCELLED) or all_failed else 0
    if json:
        result: dict[str, Any] = {
            "action": "run",
            "run": run.id,
            "status": status.value,
            "every_record_failed": all_failed,
            "summary": run.summary,
            "error": run.error,
            "counters": dict(run.counters or {}),
            "record_errors": [n.message for n in failures],
        }
        print_result(argparse.Namespace(json=True), "", result)
        return exit_status
    if quiet:
        return exit_status
    print(run.summary or f"run {run.id} {status.value}")
    if run.error:
        print(f"error: {run.error}")
    for n in failures:
        print(f"  failed: {n.message}")
    if all_failed:
        print(f"every record failed ({run.counters.get('failed', 0):,}); nothing got through")
    return exit_status


def _record_failures(db: Database, run_id: int, expected: int) -> list[Notification]:
    """The run's record failures; the worker's log sink writes them in batches, so they may
    land a moment after the run row is finished: wait a little for the expected number."""
    import sqlalchemy as sa
    from sqlmodel import col

    from store.models import Notification

    deadline = time.monotonic() + FAILURES_GRACE_SECONDS
    while True:
        with db.read() as session:
            failures = list(
                session.scalars(
                    sa.select(Notification)
                    .where(
                        col(Notification.run_id) == run_id,
                        col(Notification.event) == "record.failed",
                    )
                    .order_by(col(Notification.id))
                )
            )
        if len(failures) >= expected or time.monotonic() > deadline:
            return failures
        time.sleep(POLL_SECONDS)


def _progress_line(run: JobRun) -> str:
    from store.models.runtime import RunStatus

    if run.status == RunStatus.QUEUED.value:
        return f"run {run.id}: queued, waiting for a worker"
    if run.progress_total:
        pct = 100 * run.progress_done // max(1, run.progress_total)
        width = 20
        filled = width * run.progress_done // max(1, run.progress_total)
        bar = "#" * filled + "." * (width - filled)
        return f"run {run.id}: [{bar}] {run.progress_done}/{run.progress_total} ({pct}%)"
    return f"run {run.id}: running, {run.progress_done} done"
