"""ShipStation tests against the sandbox peer.

`peer`: the sandbox in process on its own clock, with a client whose sleeps advance that
clock (pacing across rate windows takes no wall time). `channel`: the sandbox served on
127.0.0.1 and a business wired to it (sealed connection, a ShipStation channel, a WPS
source with inventory); `channel.run(kind, **settings)` queues a run, claims it and
executes it through `console.runtime.runs.execute`, the path a worker takes, so
counters, summaries and pausing are the engine's own.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from connectors.context import ClientPool
from connectors.http import ConnectorClient, build_client
from connectors.registry import load_operations
from connectors.sandboxing import BuiltSandbox
from connectors.sandboxing.clock import Clock
from connectors.sandboxing.serve import RunningServer, serve
from connectors.shipstation import client as ss_client
from connectors.shipstation.sandbox import build
from console.runtime.runs import ActiveRun, claim, execute
from console.runtime.settings import RuntimeSettings
from store.commands.runs import queue_run
from store.commands.setup import ensure_channel, ensure_integration, ensure_source, save_connection
from store.crypto import SecretBox
from store.db import Database
from store.models import AuditEvent, InventoryItem, JobRun, Order, ShippingMapping
from store.models.runtime import RunTrigger

FROZEN_AT = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
RUNTIME = RuntimeSettings(lease_seconds=60.0)
load_operations(["shipstation"])


@dataclass
class Peer:
    """The sandbox, its clock and a client speaking to it."""

    sandbox: BuiltSandbox
    clock: Clock
    http: ConnectorClient
    api: ss_client.ShipStationClient

    @property
    def state(self) -> Any:
        return self.sandbox.state


def sandbox_client(sandbox: BuiltSandbox, clock: Clock, **creds: str) -> ConnectorClient:
    """A client over an in-process transport whose sleeps advance the sandbox clock."""

    async def sleep(seconds: float) -> None:
        clock.advance(seconds)
        await asyncio.sleep(0)

    key = creds.get("api_key", sandbox.credentials["api_key"])
    secret = creds.get("api_secret", sandbox.credentials["api_secret"])
    return build_client(
        "http://shipstation.test",
        name="ShipStation",
        auth=ss_client.auth(key, secret),
        settings=ss_client.HTTP_SETTINGS,
        transport=httpx.ASGITransport(app=sandbox.app),  # type: ignore[arg-type]
        sleep=sleep,
        clock=clock.timestamp,
    )


@pytest.fixture
async def peer() -> AsyncIterator[Peer]:
    clock = Clock(FROZEN_AT)
    sandbox = build(seed=3, size=400, clock=clock)
    http = sandbox_client(sandbox, clock)
    yield Peer(sandbox, clock, http, ss_client.ShipStationClient(http))
    await http.aclose()


# -- the channel, run by the real job engine against the served sandbox ------------------------


@dataclass
class ShipStationChannel:
    """A business selling through the served ShipStation sandbox, stocked from WPS."""

    db: Database
    sandbox: BuiltSandbox
    server: RunningServer
    channel_id: int = 0
    source_id: int = 0
    sleeps: list[float] = field(default_factory=list)

    @property
    def state(self) -> Any:
        return self.sandbox.state

    def control(self, method: str, path: str, **kw: Any) -> Any:
        r = httpx.request(method, f"{self.server.base_url}/_sandbox/{path}", timeout=10, **kw)
        assert r.is_success, r.text
        return r.json() if r.content else None

    def place(self, skus: list[str], **fields: Any) -> dict[str, Any]:
        """A customer order placed in ShipStation (as a store integration would put it)."""
        items = [{"sku": sku, "quantity": 1} for sku in skus]
        fields.setdefault("requestedShippingService", "Standard")
        placed: dict[str, Any] = self.control("POST", "orders", json={"items": items, **fields})
        return placed

    def stock(self, *skus: str, quantity: int = 10) -> None:
        """Inventory at the WPS source for these SKUs (so their orders route)."""
        with self.db.write() as session:
            for sku in skus:
                session.add(
                    InventoryItem(
                        source_id=self.source_id,
                        sku=sku,
                        master_sku=sku,
                        parent_sku=sku,
                        quantity=quantity,
                        cost=Decimal("10.00"),
                    )
                )

    def map_shipping(self, text: str, policy: str = "ground") -> None:
        from store.commands.shipping import shipping_key

        with self.db.write() as session:
            session.add(
                ShippingMapping(
                    scope="channel", owner_id=self.channel_id, key=shipping_key(text), value=policy
                )
            )

    async def _sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)  # honoured, not waited: retries run instantly

    async def run(self, kind: str, **settings: Any) -> JobRun:
        """Run the channel's `kind` integration once, with these settings."""
        with self.db.write() as session:
            from store.models import Channel

            channel = session.get_one(Channel, self.channel_id)
            integration = ensure_integration(session, channel, kind, settings=settings)
            integration.paused_reason = None
            iid = integration.id or 0
            run_id = queue_run(session, iid, RunTrigger.MANUAL).id or 0
        claimed = claim(self.db, "test-worker", RUNTIME)
        assert claimed is not None and claimed.id == run_id
        clients = ClientPool(sleep=self._sleep)
        try:
            await execute(
                self.db,
                ActiveRun(run_id, iid),
                claimed,
                worker_id="test-worker",
                clients=clients,
                settings=RUNTIME,
            )
        finally:
            await clients.aclose()
        with self.db.read() as session:
            return session.get_one(JobRun, run_id)

    def ship(
        self,
        order_id: int | str,
        lines: list[tuple[str, int]],
        *,
        carrier: str = "UPS",
        tracking: str = "1ZSHIP000000000001",  # UPS-shaped: the check takes it
        shipped_at: datetime = FROZEN_AT,
    ) -> None:
        """The supplier shipped these lines of our copy of ShipStation order `order_id`."""
        from store.commands.fulfillment import ShipmentIn, record_shipments
        from store.models import FulfillmentRequest

        with self.db.write() as session:
            order = session.scalars(
                sa.select(Order).where(
                    Order.channel_id == self.channel_id, Order.external_id == str(order_id)
                )
            ).one()
            request = session.scalars(
                sa.select(FulfillmentRequest).where(FulfillmentRequest.order_id == order.id)
            ).one()
            shipment = ShipmentIn(
                external_id=f"{tracking}-{len(lines)}",
                tracking_number=tracking,
                carrier=carrier,
                service="Ground",
                shipped_at=shipped_at,
                lines=lines,
            )
            record_shipments(session, request.id or 0, [shipment])

    def orders(self) -> dict[str, Order]:
        """Our orders by ShipStation orderId."""
        with self.db.read() as session:
            rows = session.scalars(sa.select(Order).where(Order.channel_id == self.channel_id))
            return {o.external_id: o for o in rows}

    def audit(self, action: str) -> list[AuditEvent]:
        with self.db.read() as session:
            return list(
                session.scalars(
                    sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)  # type: ignore[arg-type]
                )
            )


def wire(db: Database, sandbox: BuiltSandbox, server: RunningServer) -> ShipStationChannel:
    with db.write() as session:
        conn = save_connection(
            session,
            SecretBox(db.settings.home),
            name="ss-conn",
            system="shipstation",
            base_url=server.base_url,
            secrets=dict(sandbox.credentials),
        )
        channel = ensure_channel(session, name="ss-demo", kind="shipstation", connection=conn)
        source = ensure_source(session, name="wps", kind="wps", connection=None, priority=1)
        return ShipStationChannel(
            db, sandbox, server, channel_id=channel.id or 0, source_id=source.id or 0
        )


@pytest.fixture
def served() -> Iterator[tuple[BuiltSandbox, RunningServer]]:
    sandbox = build(seed=4, size=60)
    sandbox.state.settings.rate_limit = 1000  # the rate tests are in test_client and the bench
    for table in (sandbox.state.orders, sandbox.state.order_keys, sandbox.state.shipments):
        table.clear()  # only the orders a test places
    server = serve(sandbox.app)
    yield sandbox, server
    server.stop()


@pytest.fixture
def channel(db: Database, served: tuple[BuiltSandbox, RunningServer]) -> ShipStationChannel:
    return wire(db, *served)


@pytest.fixture
def sqlite_channel(
    sqlite_db: Database, served: tuple[BuiltSandbox, RunningServer]
) -> ShipStationChannel:
    return wire(sqlite_db, *served)
