"""The business loop on a Magento store, with real workers: WPS inventory -> Magento
listings -> a customer order on the Magento sandbox -> routed -> sent to WPS -> shipped ->
the shipment with its tracking on the Magento order, once. Clean, then with faults on both
sandboxes and a worker killed with SIGKILL while it ships on Magento."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from connectors.sandboxing.serve import RunningSandboxes, build_sandbox, serve
from console.runtime.demo import (
    configure_demo_business,
    place_magento_orders,
    ship_sent_orders,
    stock_demo_magento,
)
from store.db import Database
from store.models import Order, Shipment
from store.models.runtime import RunStatus
from tests.e2e.conftest import Loop, OrderSubmissions
from tests.runtime.helpers import wait_for

pytestmark = pytest.mark.e2e

FAULTS = {"error_rate": 0.1, "drop_connection": 0.03, "malformed": 0.03, "burst_429": 2}


@pytest.fixture
def loop(sqlite_db: Database, tmp_path: Path) -> Iterator[Loop]:
    running = RunningSandboxes()
    try:
        for system in ("magento", "wps"):
            sandbox = build_sandbox(system, seed=3, size=60)
            assert sandbox is not None
            app = sandbox.app
            if system == "wps":
                app = submissions = OrderSubmissions(app)
            running.sandboxes[system] = sandbox
            running.servers[system] = serve(app)
        configure_demo_business(sqlite_db, running.describe())
        harness = Loop(
            db=sqlite_db,
            home=sqlite_db.settings.home,
            running=running,
            submissions=submissions,
            log=tmp_path / "workers.log",
        )
        yield harness
        harness.stop_workers()
    finally:
        running.stop()


def wps_skus(loop: Loop, count: int) -> list[str]:
    wps = loop.running.sandboxes["wps"].state
    return [f"WPS-{wps.items[i]['sku']}" for i in list(wps.items)[:count]]


def magento_shipments(loop: Loop) -> list[dict[str, Any]]:
    creds = loop.running.describe()["magento"]
    r = httpx.get(
        loop.url("magento") + "/rest/V1/shipments",
        params={"searchCriteria": ""},
        headers={"Authorization": f"Bearer {creds['access_token']}"},
    )
    r.raise_for_status()
    return list(r.json()["items"])


def our_orders(loop: Loop) -> list[Order]:
    with loop.db.read() as session:
        return list(
            session.scalars(sa.select(Order).where(Order.customer_email.like("mage%@example.com")))  # type: ignore[union-attr]
        )


def stock(loop: Loop) -> list[str]:
    """The store's catalogue, set up by its merchant (fault-free)."""
    skus = stock_demo_magento(loop.running, wps_skus(loop, 40), count=12)
    assert skus
    return skus


def run_loop(loop: Loop, skus: list[str], *, kill_during_sync: bool) -> None:
    loop.run_until_clean("wps-demo/get_inventory")
    loop.run_until_clean("magento-demo/import_listings")
    faults = loop.running.sandboxes["magento"].faults.to_dict()
    loop.control("magento", "PUT", "faults", json={k: 0 for k in FAULTS})
    place_magento_orders(loop.running, skus, count=4)  # customers, not our runs
    loop.control("magento", "PUT", "faults", json={k: faults[k] for k in FAULTS})
    loop.run_until_clean("magento-demo/get_orders")
    loop.run_until_clean("wps-demo/send_orders")
    ship_sent_orders(loop.db, loop.running)
    loop.run_until_clean("wps-demo/get_shipments")
    if kill_during_sync:
        kill_a_worker_while_it_ships(loop)
    loop.run_until_clean("magento-demo/sync_orders")


def kill_a_worker_while_it_ships(loop: Loop) -> None:
    """SIGKILL the worker once Magento has taken a shipment but the run is not finished."""
    loop.control("magento", "PUT", "faults", json={"latency_ms": 400})
    before = len(magento_shipments(loop))
    run_id = loop.queue("magento-demo/sync_orders")
    victim = loop.workers[-1]
    wait_for(
        lambda: (
            len(loop.running.sandboxes["magento"].state.shipments) > before
            and loop.status(run_id) == RunStatus.RUNNING.value
        ),
        30,
        "Magento to take a shipment mid-run",
    )
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=10)
    loop.control("magento", "PUT", "faults", json={"latency_ms": 0})
    loop.start_worker()
    wait_for(lambda: loop.status(run_id) == RunStatus.FAILED.value, 30, "lease expiry")


def assert_tracking_on_magento_once(loop: Loop) -> None:
    orders = our_orders(loop)
    assert len(orders) == 4
    assert all(o.status != "on_hold" for o in orders), [o.hold_reason for o in orders]
    with loop.db.read() as session:
        shipments = list(session.scalars(sa.select(Shipment)))
    ours = {o.id: o for o in orders}
    mine = [s for s in shipments if s.order_id in ours]
    assert mine and all(s.synced_at is not None for s in mine)
    remote = magento_shipments(loop)
    for shipment in mine:
        order = ours[shipment.order_id]
        tracked = [
            r
            for r in remote
            if str(r["order_id"]) == order.external_id
            and any(t["track_number"] == shipment.tracking_number for t in r["tracks"])
        ]
        assert len(tracked) == 1, (order.number, shipment.tracking_number)
    assert len(remote) == len(mine)  # nothing shipped twice, nothing extra
    assert all(n == 1 for n in loop.submissions.accepted.values())


def test_magento_loop_from_inventory_to_tracking(loop: Loop) -> None:
    skus = stock(loop)
    loop.start_worker()
    run_loop(loop, skus, kill_during_sync=False)
    assert_tracking_on_magento_once(loop)


def test_magento_loop_with_faults_and_a_killed_worker(loop: Loop) -> None:
    skus = stock(loop)
    loop.start_worker()
    for system in ("magento", "wps"):
        loop.control(system, "PUT", "faults", json=FAULTS)
    run_loop(loop, skus, kill_during_sync=True)
    for system in ("magento", "wps"):
        loop.control(system, "PUT", "faults", json={k: 0 for k in FAULTS})
    loop.run_until_clean("wps-demo/get_shipments")
    loop.run_until_clean("magento-demo/sync_orders")
    assert_tracking_on_magento_once(loop)
