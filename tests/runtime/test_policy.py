"""Runs end to end in one process: partial runs, pause on 401, failure streaks, redaction."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from connectors.sandboxing.serve import RunningServer, serve
from console.runtime.embedded import maybe_start_embedded_worker
from console.runtime.logging import LoggingSetup, redact, register_secret
from console.runtime.settings import RuntimeSettings
from console.runtime.worker import Worker
from store.commands.runs import queue_run
from store.db import Database
from store.models import Integration, JobRun, Notification
from store.models.runtime import RunTrigger

from .helpers import SECRET, runs_of, seed


@pytest.fixture
def api() -> Iterator[RunningServer]:
    """An API that rejects every token, echoing it back in the body (as some APIs do)."""

    async def orders(request: Request) -> JSONResponse:
        token = request.headers.get("authorization", "")
        return JSONResponse({"error": f"invalid token {token}"}, status_code=401)

    running = serve(Starlette(routes=[Route("/orders", orders)]))
    yield running
    running.stop()


async def run_once(db: Database, settings: RuntimeSettings, integration_id: int) -> JobRun:
    """Queue a run, let an in-process worker execute it, return the finished row."""
    with db.write() as session:
        run_id = queue_run(session, integration_id, RunTrigger.MANUAL).id
    worker = Worker(db, settings=settings, schedule=False)
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    try:
        for _ in range(400):
            with db.read() as session:
                run = session.get(JobRun, run_id)
            if run is not None and run.finished_at is not None:
                return run
            await asyncio.sleep(0.025)
        raise AssertionError("run did not finish")
    finally:
        stop.set()
        await task


def notifications(db: Database) -> list[Notification]:
    with db.read() as session:
        return list(session.scalars(sa.select(Notification).order_by(Notification.id)))


def integration(db: Database, integration_id: int) -> Integration:
    with db.read() as session:
        row = session.get(Integration, integration_id)
    assert row is not None
    return row


async def test_bad_records_end_the_run_partial_with_counts(
    db: Database, fast: RuntimeSettings, logs: LoggingSetup
) -> None:
    iid = seed(db, "fake/import", kind="import_listings")
    run = await run_once(db, fast, iid)
    assert run.status == "partial"
    assert run.counters == {"parents_created": 3, "failed": 2}
    assert run.summary is not None
    assert run.summary.startswith("import_listings partial: 3 parents created, 2 failed")
    logs.flush()
    events = [(n.event, n.level, n.run_id) for n in notifications(db)]
    assert events.count(("record.failed", "warning", run.id)) == 2
    assert ("run.finished", "warning", run.id) in events
    assert integration(db, iid).paused_reason is None


async def test_401_pauses_the_integration_with_an_error_notification(
    db: Database, fast: RuntimeSettings, logs: LoggingSetup, api: RunningServer
) -> None:
    iid = seed(db, "fake/orders", kind="get_orders", base_url=api.base_url)
    run = await run_once(db, fast, iid)
    assert run.status == "failed"
    assert run.error is not None and "HTTP 401" in run.error
    paused = integration(db, iid)
    assert paused.paused_reason is not None and "rejected the credentials" in paused.paused_reason
    logs.flush()
    note = [n for n in notifications(db) if n.event == "integration.paused"]
    assert len(note) == 1
    assert note[0].level == "error"
    assert note[0].integration == "fake/orders" and note[0].run_id == run.id
    assert "dropdeck integrations unpause fake/orders" in note[0].message
    # a paused integration's queued run is not claimed
    with db.write() as session:
        queue_run(session, iid, RunTrigger.MANUAL)
    worker = Worker(db, settings=fast, schedule=False)
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    await asyncio.sleep(0.4)
    stop.set()
    await task
    assert [r.status for r in runs_of(db, iid)] == ["failed", "queued"]


async def test_three_failed_runs_in_a_row_pause_the_integration(
    db: Database, fast: RuntimeSettings, logs: LoggingSetup
) -> None:
    iid = seed(db, "fake/crash", kind="sync_orders")
    for expected in (1, 2):
        run = await run_once(db, fast, iid)
        assert run.status == "failed"
        assert integration(db, iid).consecutive_failures == expected
        assert integration(db, iid).paused_reason is None
    await run_once(db, fast, iid)
    assert integration(db, iid).paused_reason == "3 failed runs in a row"


async def test_the_integrations_own_streak_limit_pauses_it(
    db: Database, fast: RuntimeSettings, logs: LoggingSetup
) -> None:
    """max_consecutive_failures (set and checked by `integrations set`: tests/cli) wins over
    the runtime default of 3."""
    iid = seed(db, "fake/crash", kind="sync_orders", settings={"max_consecutive_failures": 1})
    run = await run_once(db, fast, iid)
    assert run.status == "failed"
    assert integration(db, iid).paused_reason == "1 failed run in a row"


async def test_no_secret_in_log_file_notifications_run_errors_or_tracebacks(
    db: Database, fast: RuntimeSettings, logs: LoggingSetup, api: RunningServer
) -> None:
    crash = seed(db, "fake/crash", kind="sync_orders")
    orders = seed(db, "fake/orders", kind="get_orders", base_url=api.base_url)
    crashed = await run_once(db, fast, crash)
    rejected = await run_once(db, fast, orders)
    logs.flush()
    text = logs.log_path.read_text()
    # The test could fail: the traceback and the run ids are really there.
    assert "RuntimeError" in text and '"exception"' in text
    assert f'"run_id": {crashed.id}' in text and '"integration": "fake/crash"' in text
    assert "upstream refused key ***" in text
    stored = json.dumps(
        [[n.message, n.data, n.event] for n in notifications(db)], default=str
    ) + json.dumps([r.error for r in runs_of(db)] + [rejected.summary])
    assert "upstream refused key" in stored
    for where, blob in (("log file", text), ("notifications/runs", stored)):
        assert SECRET not in where + blob, f"secret leaked into the {where}"


def test_redaction_processor_masks_keys_values_and_query_secrets() -> None:
    register_secret("s3cr3t-value-xyz")
    out = redact(
        None,
        "info",
        {
            "event": "call",
            "consumer_secret": "abc",
            "headers": {"Authorization": "Basic dXNlcjpwdw==", "Accept": "json"},
            "url": "https://shop.test/p?consumer_key=ck_1&page=2&oauth_signature=zz",
            "note": ["sent Bearer eyJhbGciOi.x.y", "value s3cr3t-value-xyz here"],
            "count": 3,
        },
    )
    assert out["consumer_secret"] == "***"
    assert out["headers"] == {"Authorization": "***", "Accept": "json"}
    assert out["url"] == "https://shop.test/p?consumer_key=***&page=2&oauth_signature=***"
    assert out["note"] == ["sent Bearer ***", "value *** here"]
    assert out["count"] == 3


async def test_embedded_worker_starts_only_when_no_worker_is_alive(
    db: Database, fast: RuntimeSettings
) -> None:
    handle = await maybe_start_embedded_worker(db, settings=fast)
    assert handle is not None
    try:
        for _ in range(100):  # once its heartbeat row exists, no second one starts
            extra = await maybe_start_embedded_worker(db, settings=fast)
            if extra is None:
                break
            await extra.stop()
            await asyncio.sleep(0.02)
        else:
            raise AssertionError("a second embedded worker kept starting")
        iid = seed(db, "fake/inv", settings={"items": 2})
        with db.write() as session:
            run_id = queue_run(session, iid, RunTrigger.MANUAL).id
        for _ in range(200):
            with db.read() as session:
                run = session.get(JobRun, run_id)
            if run is not None and run.status == "succeeded":
                break
            await asyncio.sleep(0.025)
        else:
            raise AssertionError("the embedded worker did not run it")
    finally:
        await handle.stop()


async def test_a_runs_log_lines_and_notifications_are_found_by_run_uid(
    db: Database, fast: RuntimeSettings, logs: LoggingSetup
) -> None:
    from console.runtime.runlog import run_log_lines
    from store.queries.runs import run_notifications

    iid = seed(db, "fake/import", kind="import_listings")
    run = await run_once(db, fast, iid)
    logs.flush()
    assert run.id is not None
    events = [e["event"] for e in run_log_lines(db.settings.home, run.run_uid)]
    assert events[0] == "run.started" and events[-1] == "run.finished"
    assert run_log_lines(db.settings.home, "another-database's-key") == []
    assert events.count("record.failed") == 2
    with db.read() as session:
        notes = run_notifications(session, run.id)
    assert [n.event for n in notes] == ["record.failed", "record.failed", "run.finished"]
