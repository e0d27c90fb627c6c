"""Order placed in ShipStation -> imported and routed -> sent to WPS -> shipped -> marked
shipped in ShipStation once, with the account's carrier code; clean, then with faults on
both sandboxes and a worker killed with SIGKILL right after ShipStation accepted a
markasshipped (before the worker could record it).

The sandboxes run in this process on 127.0.0.1; `dropdeck worker` runs as subprocesses.
"""

from __future__ import annotations

import json
import os
import signal
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from connectors.sandboxing.serve import RunningSandboxes, build_sandbox, serve
from console.runtime.demo import (
    WPS_PREFIX,
    configure_demo_business,
    place_shipstation_orders,
    ship_sent_orders,
    stock_shipstation,
)
from store.db import Database
from store.models import Channel, JobRun, Order, Shipment
from store.models.runtime import RunStatus
from tests.e2e.conftest import Loop, OrderSubmissions
from tests.runtime.helpers import wait_for

pytestmark = pytest.mark.e2e

# 429 bursts are left to tests/shipstation/test_client.py: ShipStation's reset is up to a
# minute, which the client honours (a real minute here).
FAULTS = {"error_rate": 0.1, "malformed": 0.04, "drop_connection": 0.03}


class MarkAsShippedWatch:
    """Counts markasshipped calls ShipStation accepted, per orderId; when `kill_pid` is
    set, SIGKILLs that process as soon as ShipStation has accepted one (before the answer
    leaves), as a worker dying at the worst moment would."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.accepted: Counter[int] = Counter()
        self.bodies: list[dict[str, object]] = []
        self.kill_pid: int | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != "/orders/markasshipped":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []

        async def recording() -> Message:
            message = await receive()
            chunks.append(message.get("body", b""))
            return message

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                body = json.loads(b"".join(chunks) or b"{}")
                self.accepted[int(body["orderId"])] += 1
                self.bodies.append(body)
                if self.kill_pid is not None:
                    os.kill(self.kill_pid, signal.SIGKILL)
                    self.kill_pid = None
            await send(message)

        await self.app(scope, recording, watch)


@pytest.fixture
def loop(sqlite_db: Database, tmp_path: Path) -> Iterator[tuple[Loop, MarkAsShippedWatch]]:
    running = RunningSandboxes()
    try:
        wps = build_sandbox("wps", seed=3, size=150)
        shipstation = build_sandbox("shipstation", seed=3, size=40)
        assert wps is not None and shipstation is not None
        submissions = OrderSubmissions(wps.app)
        watch = MarkAsShippedWatch(shipstation.app)
        running.sandboxes.update(wps=wps, shipstation=shipstation)
        running.servers["wps"] = serve(submissions)
        running.servers["shipstation"] = serve(watch)
        configure_demo_business(sqlite_db, running.describe())
        harness = Loop(
            db=sqlite_db,
            home=sqlite_db.settings.home,
            running=running,
            submissions=submissions,
            log=tmp_path / "workers.log",
        )
        yield harness, watch
        harness.stop_workers()
    finally:
        running.stop()


def wps_skus(loop: Loop, count: int = 40) -> list[str]:
    """SKUs the business sells: WPS items with the WPS prefix."""
    items = loop.running.sandboxes["wps"].state.items
    return [WPS_PREFIX + items[i]["sku"] for i in list(items)[:count]]


def ship_through_wps(loop: Loop) -> None:
    loop.run_until_clean("wps-demo/send_orders")
    ship_sent_orders(loop.db, loop.running)
    loop.run_until_clean("wps-demo/get_shipments")


def our_orders(loop: Loop) -> list[Order]:
    with loop.db.read() as session:
        channel = session.scalars(
            sa.select(Channel).where(Channel.name == "shipstation-demo")
        ).one()
        return list(session.scalars(sa.select(Order).where(Order.channel_id == channel.id)))


def assert_marked_once(loop: Loop, watch: MarkAsShippedWatch) -> None:
    orders = {o.external_id: o for o in our_orders(loop) if o.customer_email}
    placed = [o for o in orders.values() if (o.customer_email or "").startswith("shipper")]
    assert len(placed) == 6
    held = [o for o in placed if o.status == "on_hold"]
    assert [o.shipping_text for o in held] == ["Will Call"]
    assert "Missing shipping mapping 'will_call'" in (held[0].hold_reason or "")
    shipped = [o for o in placed if o.status != "on_hold"]
    assert shipped and all(o.status == "completed" for o in shipped)
    state = loop.running.sandboxes["shipstation"].state
    with loop.db.read() as session:
        sent = {s.order_id: s for s in session.scalars(sa.select(Shipment))}
    # WPS's carriers as ShipStation codes on this account (BEST through the demo's setting).
    codes = {"BEST": "ups", "UPS": "ups", "FedEx": "fedex", "USPS": "stamps_com"}
    for order in shipped:
        remote = int(order.external_id)
        assert watch.accepted[remote] == 1, (order.number, watch.accepted)
        assert state.orders[remote]["orderStatus"] == "shipped"
        [fulfillment] = [f for f in state.fulfillments.values() if f["orderId"] == remote]
        assert fulfillment["carrierCode"] == codes[sent[order.id].carrier]
        assert fulfillment["trackingNumber"] == sent[order.id].tracking_number
    assert all(n == 1 for n in watch.accepted.values()), watch.accepted
    assert all(n == 1 for n in loop.submissions.accepted.values())  # one WPS order per PO


def test_order_placed_in_shipstation_comes_back_marked_shipped_once(
    loop: tuple[Loop, MarkAsShippedWatch],
) -> None:
    harness, watch = loop
    skus = wps_skus(harness)
    harness.start_worker()
    harness.run_until_clean("wps-demo/get_inventory")
    stock_shipstation(harness.running, skus)
    harness.run_until_clean("shipstation-demo/sync_listings")
    place_shipstation_orders(harness.running, skus)
    harness.run_until_clean("shipstation-demo/get_orders")
    ship_through_wps(harness)
    harness.run_until_clean("shipstation-demo/sync_orders")
    harness.run_until_clean("shipstation-demo/sync_orders")  # a re-run sends nothing
    assert_marked_once(harness, watch)


def test_with_faults_and_a_worker_killed_after_shipstation_accepted(
    loop: tuple[Loop, MarkAsShippedWatch],
) -> None:
    harness, watch = loop
    skus = wps_skus(harness)
    harness.start_worker()
    harness.run_until_clean("wps-demo/get_inventory")
    stock_shipstation(harness.running, skus)
    place_shipstation_orders(harness.running, skus)
    for system in ("shipstation", "wps"):
        harness.control(system, "PUT", "faults", json=FAULTS)
    harness.run_until_clean("shipstation-demo/sync_listings")
    harness.run_until_clean("shipstation-demo/get_orders")
    harness.run_until_clean("shipstation-demo/get_orders")  # again: each order once
    for system in ("shipstation", "wps"):
        harness.control(system, "PUT", "faults", json={k: 0 for k in FAULTS})
    ship_through_wps(harness)
    for system in ("shipstation", "wps"):
        harness.control(system, "PUT", "faults", json=FAULTS)

    victim = harness.workers[-1]
    watch.kill_pid = victim.pid
    run_id = harness.queue("shipstation-demo/sync_orders")
    victim.wait(timeout=60)
    assert sum(watch.accepted.values()) == 1  # ShipStation took one, the worker never knew
    harness.start_worker()
    # The lease (seconds) expires; a loaded machine may take a minute to see it swept.
    wait_for(lambda: harness.status(run_id) == RunStatus.FAILED.value, 120, "lease expiry")
    with harness.db.read() as session:
        run = session.get(JobRun, run_id)
    assert run is not None and "worker" in (run.error or "")
    harness.run_until_clean("shipstation-demo/sync_orders")
    for system in ("shipstation", "wps"):
        harness.control(system, "PUT", "faults", json={k: 0 for k in FAULTS})
    harness.run_until_clean("shipstation-demo/sync_orders")
    assert_marked_once(harness, watch)
    with harness.db.read() as session:
        total = session.scalar(sa.select(sa.func.count()).select_from(Order))
        distinct = session.scalar(
            sa.select(sa.func.count(sa.distinct(Order.external_id))).select_from(Order)
        )
    assert total == distinct  # no duplicate orders in the store
