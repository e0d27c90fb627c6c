"""`dropdeck run INTEGRATION [--wait]`: queue a run now; any live worker picks it up.

With --wait and no live worker, the run is executed in this process (said on stderr) by a
worker that claims that one run only: the same claim (the integration's run lock), lease,
heartbeat, failure policy and notifications as any worker, so it never waits for ever.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import threading
import time
from collections.abc import Callable

import sqlalchemy as sa
from sqlmodel import col

from connectors.context import MAX_RECORD_ERROR_NOTIFICATIONS
from connectors.registry import load_operations
from store.commands.runs import queue_run
from store.db import Database
from store.models import JobRun, Notification
from store.models.runtime import RunStatus, RunTrigger
from store.queries.runs import integration_by_name, live_workers

from ..context import open_store
from ..errors import CliError
from ..runtime.logging import configure_logging, shutdown_logging
from ..runtime.settings import load_runtime_settings
from ..runtime.worker import Worker

POLL_SECONDS = 0.5
FAILURES_GRACE_SECONDS = 3.0
FINISHED = {RunStatus.SUCCEEDED, RunStatus.PARTIAL, RunStatus.FAILED, RunStatus.CANCELLED}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], line: str) -> None:
    p = sub.add_parser(
        "run",
        help=line,
        description="Queue a run of INTEGRATION; whichever worker is alive executes it. "
        "With --wait: show progress, print the summary, exit 1 if the run failed "
        "(a partial run exits 0 and lists its failed records).",
    )
    p.add_argument("integration", help="integration name (see 'dropdeck integrations')")
    p.add_argument("--wait", action="store_true", help="wait for the run and print its summary")
    p.set_defaults(handler=_run)


def _queue(db: Database, name: str) -> tuple[int, bool]:
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
        print(run_id)
        return 0
    if alive:
        return _wait(db, run_id)
    print(
        "no worker is running: running it in this process ('dropdeck worker' runs the schedule)",
        file=sys.stderr,
    )
    return run_here(db, run_id)


def run_here(db: Database, run_id: int) -> int:
    """Execute queued run `run_id` in this process, showing progress; its exit status."""
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
        return _wait(db, run_id, alive=thread.is_alive)
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join()
        loop.close()
        shutdown_logging()


def _wait(db: Database, run_id: int, alive: Callable[[], bool] | None = None) -> int:
    tty = sys.stderr.isatty()
    last_line = ""
    while True:
        with db.read() as session:
            run = session.get(JobRun, run_id)
        assert run is not None
        status = RunStatus(run.status)
        if status in FINISHED:
            break
        if alive is not None and not alive():
            raise CliError(f"run {run_id} stopped before it finished ({status.value})")
        line = _progress_line(run)
        if line != last_line:
            print(f"\r{line}\x1b[K" if tty else line, end="" if tty else "\n", file=sys.stderr)
            last_line = line
        time.sleep(POLL_SECONDS)
    if tty and last_line:
        print(file=sys.stderr)
    print(run.summary or f"run {run_id} {status.value}")
    if run.error:
        print(f"error: {run.error}")
    if status is RunStatus.PARTIAL:
        expected = min(run.counters.get("failed", 0), MAX_RECORD_ERROR_NOTIFICATIONS)
        for n in _record_failures(db, run_id, expected):
            print(f"  failed: {n.message}")
    return 1 if status in (RunStatus.FAILED, RunStatus.CANCELLED) else 0


def _record_failures(db: Database, run_id: int, expected: int) -> list[Notification]:
    """The run's record failures; the worker's log sink writes them in batches, so they may
    land a moment after the run row is finished: wait a little for the expected number."""
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
    if run.status == RunStatus.QUEUED.value:
        return f"run {run.id}: queued, waiting for a worker"
    if run.progress_total:
        pct = 100 * run.progress_done // max(1, run.progress_total)
        width = 20
        filled = width * run.progress_done // max(1, run.progress_total)
        bar = "#" * filled + "." * (width - filled)
        return f"run {run.id}: [{bar}] {run.progress_done}/{run.progress_total} ({pct}%)"
    return f"run {run.id}: running, {run.progress_done} done"
