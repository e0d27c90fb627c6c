"""WPS fixtures: the sandbox served over real HTTP, a WPS source in the store, runners."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any, ClassVar

import httpx
import pytest
import sqlalchemy as sa

import connectors.wps.operations  # noqa: F401  (registers the wps operations)
from connectors.context import ClientPool
from connectors.registry import get_operation
from connectors.sandboxing import BuiltSandbox
from connectors.sandboxing.serve import RunningServer
from connectors.wps.sandbox import build
from connectors.wps.sandbox.state import UNORDERABLE
from console.runtime.runs import load_context
from console.runtime.settings import RuntimeSettings
from console.runtime.worker import Worker
from store.commands.runs import queue_run
from store.db import Database
from store.models import Channel, Integration, JobRun
from store.models.runtime import RunTrigger
from tests.served_source import ServedSource

FAST = RuntimeSettings(
    poll_seconds=0.02,
    heartbeat_seconds=0.3,
    lease_seconds=5.0,
    scheduler_refresh_seconds=0.2,
    shutdown_grace_seconds=2.0,
    max_consecutive_failures=3,
)


class Wps(ServedSource):
    """The served sandbox and a WPS source (prefix WPS-) wired to it in the store."""

    SYSTEM: ClassVar[str] = "wps"
    SKU_PREFIX: ClassVar[str] = "WPS-"
    METHOD: ClassVar[str] = "BEST"
    ADDRESS: ClassVar[dict[str, str]] = {
        "address_1": "1 Main St",
        "city": "Boise",
        "state": "ID",
        "postcode": "83702",
        "phone": "2085550100",
    }
    SHIPPING_TEXT: ClassVar[str] = "Ground"

    def orderable_skus(self, n: int, at_least: int = 3) -> list[str]:
        out = []
        for item_id, item in self.state.items.items():
            if item["status"] not in UNORDERABLE and sum(self.state.stock[item_id]) >= at_least:
                out.append(item["sku"])
                if len(out) == n:
                    break
        return out


@pytest.fixture
def wps(db: Database) -> Iterator[Wps]:
    yield from _wps(db)


@pytest.fixture
def wps_sqlite(sqlite_db: Database) -> Iterator[Wps]:
    yield from _wps(sqlite_db)


def _wps(db: Database) -> Iterator[Wps]:
    sandbox = build(seed=5, size=240)
    yield from Wps.served(db, sandbox, lambda _: {"api_token": sandbox.credentials["api_token"]})


def wire_wps(
    db: Database, sandbox: BuiltSandbox, server: RunningServer, control: httpx.Client
) -> Wps:
    """A WPS source in `db` on the served sandbox (several stores may share one account)."""
    return Wps.wire(db, sandbox, server, control, {"api_token": sandbox.credentials["api_token"]})


async def run_job(db: Database, integration_id: int, timeout: float = 30.0) -> JobRun:
    """The real engine path: queue a run, let an in-process worker execute it."""
    with db.write() as session:
        run_id = queue_run(session, integration_id, RunTrigger.MANUAL).id
    worker = Worker(db, settings=FAST, schedule=False)
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    try:
        for _ in range(int(timeout / 0.02)):
            with db.read() as session:
                run = session.get(JobRun, run_id)
            if run is not None and run.finished_at is not None:
                return run
            await asyncio.sleep(0.02)
        raise AssertionError("run did not finish")
    finally:
        stop.set()
        await task


async def _no_sleep(_: float) -> None:
    await asyncio.sleep(0)


async def run_direct(db: Database, integration_id: int) -> Any:
    """The operation with a real RunContext and instant backoff (fault tests); returns ctx."""
    with db.write() as session:
        run = queue_run(session, integration_id, RunTrigger.MANUAL)
    clients = ClientPool(sleep=_no_sleep)
    ctx, problem = load_context(db, run, clients)
    assert ctx is not None, problem
    try:
        await get_operation(ctx.system, ctx.kind)(ctx)
    finally:
        await clients.aclose()
        with db.write() as session:
            row = session.get(JobRun, run.id)
            if row is not None:
                session.delete(row)
    return ctx


def integration_row(db: Database, integration_id: int) -> Integration:
    with db.read() as session:
        row = session.get(Integration, integration_id)
    assert row is not None
    return row


def channel_rows(db: Database) -> list[Channel]:
    with db.read() as session:
        return list(session.scalars(sa.select(Channel)))
