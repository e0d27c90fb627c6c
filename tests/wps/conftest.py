"""WPS fixtures: the sandbox served over real HTTP, a WPS source in the store, runners."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

import connectors.wps.operations  # noqa: F401  (registers the wps operations)
from connectors.context import ClientPool
from connectors.registry import get_operation
from connectors.sandboxing import BuiltSandbox
from connectors.sandboxing.serve import RunningServer, serve
from connectors.wps.sandbox import build
from connectors.wps.sandbox.state import UNORDERABLE
from console.runtime.runs import load_context
from console.runtime.settings import RuntimeSettings
from console.runtime.worker import Worker
from store.commands.routing import po_number
from store.commands.runs import queue_run
from store.commands.setup import ensure_channel, ensure_integration, ensure_source, save_connection
from store.crypto import SecretBox
from store.db import Database
from store.models import (
    Channel,
    FulfillmentLine,
    FulfillmentRequest,
    Integration,
    JobRun,
    Order,
    OrderLine,
    Source,
)
from store.models._types import utcnow
from store.models.runtime import RunTrigger

FAST = RuntimeSettings(
    poll_seconds=0.02,
    heartbeat_seconds=0.3,
    lease_seconds=5.0,
    scheduler_refresh_seconds=0.2,
    shutdown_grace_seconds=2.0,
    max_consecutive_failures=3,
)


@dataclass
class Wps:
    """The served sandbox and a WPS source wired to it in the store."""

    db: Database
    sandbox: BuiltSandbox
    server: RunningServer
    source_id: int
    control: httpx.Client

    @property
    def state(self) -> Any:
        return self.sandbox.state

    def integration(self, kind: str, settings: dict[str, Any] | None = None) -> int:
        with self.db.write() as session:
            source = session.get(Source, self.source_id)
            assert source is not None
            row = ensure_integration(session, source, kind, settings=settings)
            assert row.id is not None
            return row.id

    def faults(self, **changes: Any) -> None:
        self.control.put("/_sandbox/faults", json=changes).raise_for_status()

    def orderable_skus(self, n: int, at_least: int = 3) -> list[str]:
        out = []
        for item_id, item in self.state.items.items():
            if item["status"] not in UNORDERABLE and sum(self.state.stock[item_id]) >= at_least:
                out.append(item["sku"])
                if len(out) == n:
                    break
        return out

    def order(
        self,
        lines: list[tuple[str, int]],
        *,
        number: str = "1001",
        method: str | None = "BEST",
        email: str | None = "ada@example.com",
        auto_process: bool = True,
        customer: tuple[str, str] = ("Ada", "Lovelace"),
    ) -> int:
        """An order routed whole to this source; returns the fulfillment request id."""
        with self.db.write() as session:
            channel = ensure_channel(
                session, name="shop", kind="woocommerce", connection=None, auto_process=auto_process
            )
            order = Order(
                channel_id=channel.id or 0,
                external_id=f"ext-{number}",
                number=number,
                status="routed",
                customer_name=" ".join(customer),
                customer_email=email,
                shipping_address={
                    "first_name": customer[0],
                    "last_name": customer[1],
                    "address_1": "1 Main St",
                    "city": "Boise",
                    "state": "ID",
                    "postcode": "83702",
                    "phone": "2085550100",
                },
                shipping_text="Ground",
                placed_at=utcnow(),
            )
            session.add(order)
            session.flush()
            request = FulfillmentRequest(
                order_id=order.id or 0,
                source_id=self.source_id,
                po_number=po_number(session, order, self.source_id),
                shipping_method=method,
                shipping_address=dict(order.shipping_address),
            )
            session.add(request)
            session.flush()
            for i, (sku, qty) in enumerate(lines):
                line = OrderLine(
                    order_id=order.id or 0,
                    external_id=f"{number}-{i}",
                    sku=f"WPS-{sku}",
                    quantity=qty,
                    price=Decimal("10.00"),
                )
                session.add(line)
                session.flush()
                session.add(
                    FulfillmentLine(
                        request_id=request.id or 0,
                        order_line_id=line.id or 0,
                        sku=sku,
                        quantity=qty,
                    )
                )
            assert request.id is not None
            return request.id

    def request(self, request_id: int) -> FulfillmentRequest:
        with self.db.read() as session:
            row = session.get(FulfillmentRequest, request_id)
        assert row is not None
        return row

    def order_of(self, request_id: int) -> Order:
        with self.db.read() as session:
            row = session.get(Order, self.request(request_id).order_id)
        assert row is not None
        return row


@pytest.fixture
def wps(db: Database) -> Iterator[Wps]:
    yield from _wps(db)


@pytest.fixture
def wps_sqlite(sqlite_db: Database) -> Iterator[Wps]:
    yield from _wps(sqlite_db)


def _wps(db: Database) -> Iterator[Wps]:
    sandbox = build(seed=5, size=240)
    server = serve(sandbox.app)
    control = httpx.Client(base_url=server.base_url)
    try:
        yield wire_wps(db, sandbox, server, control)
    finally:
        control.close()
        server.stop()


def wire_wps(
    db: Database, sandbox: BuiltSandbox, server: RunningServer, control: httpx.Client
) -> Wps:
    """A WPS source in `db` on the served sandbox (several stores may share one account)."""
    with db.write() as session:
        conn = save_connection(
            session,
            SecretBox(db.settings.home),
            name="wps-conn",
            system="wps",
            base_url=server.base_url,
            secrets={"api_token": sandbox.credentials["api_token"]},
        )
        source = ensure_source(session, name="wps", kind="wps", connection=conn, sku_prefix="WPS-")
        assert source.id is not None
        source_id = source.id
    return Wps(db, sandbox, server, source_id, control)


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
