"""Cancelling runs: a queued run never starts; a running one stops at its next page with
what it wrote so far recorded; who started and who cancelled are kept."""

from __future__ import annotations

import asyncio

from sqlmodel import select

from console.runtime.settings import RuntimeSettings
from console.runtime.worker import Worker
from store.commands.runs import queue_run, request_cancel
from store.db import Database
from store.models import AuditEvent, JobRun
from store.models.runtime import RunStatus, RunTrigger

from .helpers import seed


def _run(db: Database, run_id: int) -> JobRun:
    with db.read() as session:
        run = session.get(JobRun, run_id)
    assert run is not None
    return run


async def _wait(db: Database, run_id: int, done: object) -> JobRun:
    for _ in range(400):
        run = _run(db, run_id)
        if done(run):  # type: ignore[operator]
            return run
        await asyncio.sleep(0.025)
    raise AssertionError(f"run {run_id} never reached the expected state")


async def test_a_running_run_stops_at_its_next_page_and_keeps_what_it_wrote(
    db: Database, fast: RuntimeSettings
) -> None:
    iid = seed(db, "fake/slow", settings={"items": 200, "sleep": 10.0})
    with db.write() as session:
        run_id = queue_run(session, iid, RunTrigger.MANUAL, started_by="alice@console").id
    assert run_id is not None
    worker = Worker(db, settings=fast, schedule=False)
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    try:
        await _wait(db, run_id, lambda r: r.status == "running" and r.progress_done > 0)
        with db.write() as session:
            assert request_cancel(session, run_id, actor="bob@console") == "requested"
        run = await _wait(db, run_id, lambda r: r.finished_at is not None)
    finally:
        stop.set()
        await task
    assert run.status == RunStatus.CANCELLED
    assert run.error == "cancelled by bob@console"
    assert 0 < run.progress_done < 200  # stopped part-way, long before the 10 s of work
    # Every item counted was also reported as done: it stopped between items, not in one.
    assert run.counters["updated"] == run.progress_done
    assert run.started_by == "alice@console"
    with db.read() as session:
        audit = session.exec(select(AuditEvent).where(AuditEvent.action == "run.cancel")).one()
    assert audit.actor == "bob@console" and audit.record_id == str(run_id)


async def test_a_queued_run_is_cancelled_at_once_and_never_starts(
    db: Database, fast: RuntimeSettings
) -> None:
    iid = seed(db, "fake/queued")
    with db.write() as session:
        run_id = queue_run(session, iid, RunTrigger.SCHEDULE).id
    assert run_id is not None
    with db.write() as session:
        assert request_cancel(session, run_id, actor="bob@cli") == "cancelled"
    run = _run(db, run_id)
    assert run.status == RunStatus.CANCELLED and run.started_at is None
    assert run.started_by == "schedule"
    assert "bob@cli" in (run.error or "")
    # A run that has ended is left alone; the answer is how it ended.
    with db.write() as session:
        session.get(JobRun, run_id).status = RunStatus.SUCCEEDED  # type: ignore[union-attr]
    with db.write() as session:
        assert request_cancel(session, run_id, actor="bob@cli") == "succeeded"
        other = queue_run(session, iid, RunTrigger.MANUAL).id
    assert other is not None and _run(db, other).started_by.split("@")[-1] == "manual"


async def test_the_console_quitting_stops_its_workers_runs_at_the_next_page(
    db: Database, fast: RuntimeSettings
) -> None:
    from dataclasses import replace

    from console.runtime.embedded import maybe_start_embedded_worker

    iid = seed(db, "fake/long", settings={"items": 200, "sleep": 20.0})
    # A grace period longer than the run: stop() must not wait for it.
    handle = await maybe_start_embedded_worker(
        db, settings=replace(fast, shutdown_grace_seconds=60.0)
    )
    assert handle is not None
    with db.write() as session:
        run_id = queue_run(session, iid, RunTrigger.MANUAL).id
    assert run_id is not None
    await _wait(db, run_id, lambda r: r.status == "running" and r.progress_done > 0)
    await handle.stop()
    run = _run(db, run_id)
    assert run.status == RunStatus.CANCELLED
    assert run.error == "cancelled by the console quitting"
    assert 0 < run.progress_done < 200
    assert run.counters["updated"] == run.progress_done
