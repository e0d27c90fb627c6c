"""Inventory -> link -> sync -> customer order -> routed -> sent -> shipped -> tracking, twice:
clean, then with faults on both sandboxes and a worker killed with SIGKILL mid-send."""

from __future__ import annotations

import signal
from decimal import Decimal

import httpx
import pytest
import sqlalchemy as sa

from console.runtime.demo import place_customer_orders, ship_sent_orders, stock_demo_store
from store.models import FulfillmentRequest, JobRun, ListingVariant, Order, Shipment
from store.models.runtime import RunStatus
from tests.runtime.helpers import wait_for

from .conftest import Loop

pytestmark = pytest.mark.e2e

FAULTS = {"error_rate": 0.12, "drop_connection": 0.04, "malformed": 0.04, "burst_429": 2}


def woo_get(loop: Loop, path: str) -> httpx.Response:
    creds = loop.running.describe()["woocommerce"]
    return httpx.get(
        loop.url("woocommerce") + "/wp-json/wc/v3" + path,
        auth=(creds["consumer_key"], creds["consumer_secret"]),
    )


def our_orders(loop: Loop) -> list[Order]:
    with loop.db.read() as session:
        return list(
            session.scalars(
                sa.select(Order).where(Order.customer_email.like("customer%@example.com"))  # type: ignore[union-attr]
            )
        )


def prepare_catalogue(loop: Loop, skus: list[str]) -> None:
    for name in ("wps-demo/get_inventory", "woo-demo/import_listings"):
        loop.run_until_clean(name)
    loop.run_until_clean("woo-demo/link_listings")
    loop.run_until_clean("woo-demo/sync_listings")


def assert_sync_reached_the_store(loop: Loop, skus: list[str]) -> None:
    with loop.db.read() as session:
        variant = session.scalars(
            sa.select(ListingVariant).where(ListingVariant.sku == skus[0])
        ).one()
    assert variant.link_state == "linked" and variant.master_sku == skus[0]
    assert variant.synced_price == variant.price is not None
    remote = woo_get(loop, f"/products?sku={skus[0]}").json()
    if not remote:  # a variation: look it up through its parent
        remote = woo_get(loop, f"/products?sku={skus[0]}&type=variation").json()
    prices = {Decimal(p["regular_price"]) for p in remote}
    assert variant.price in prices


def take_orders_and_ship(loop: Loop, skus: list[str], *, kill_during_send: bool) -> None:
    place_customer_orders(loop.running, skus)
    loop.run_until_clean("woo-demo/get_orders")
    if kill_during_send:
        kill_a_worker_while_it_sends(loop)
    loop.run_until_clean("wps-demo/send_orders")
    ship_sent_orders(loop.db, loop.running)
    loop.run_until_clean("wps-demo/get_shipments")
    loop.run_until_clean("woo-demo/sync_orders")


def kill_a_worker_while_it_sends(loop: Loop) -> None:
    """SIGKILL the worker once WPS has accepted an order but the run is not finished."""
    loop.control("wps", "PUT", "faults", json={"latency_ms": 250})
    run_id = loop.queue("wps-demo/send_orders")
    victim = loop.workers[-1]
    wait_for(
        lambda: (
            sum(loop.submissions.accepted.values()) >= 1
            and loop.status(run_id) == RunStatus.RUNNING.value
        ),
        30,
        "WPS to accept an order mid-run",
    )
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=10)
    loop.control("wps", "PUT", "faults", json={"latency_ms": 0})
    loop.start_worker()
    # The new worker finds the dead worker's lease expired and fails that run.
    wait_for(lambda: loop.status(run_id) == RunStatus.FAILED.value, 30, "lease expiry")
    with loop.db.read() as session:
        run = session.get(JobRun, run_id)
    assert run is not None and "worker" in (run.error or "")


def assert_loop_complete(loop: Loop) -> None:
    orders = our_orders(loop)
    assert len(orders) == 10
    held = [o for o in orders if o.status == "on_hold"]
    assert len(held) == 2, [(o.number, o.hold_reason) for o in held]
    assert all("local_pickup" in (o.hold_reason or "") for o in held)
    with loop.db.read() as session:
        requests = list(session.scalars(sa.select(FulfillmentRequest)))
        shipments = list(session.scalars(sa.select(Shipment)))
    shipped_orders = {o.id for o in orders if o.status != "on_hold"}
    assert {r.order_id for r in requests} >= shipped_orders
    # No duplicate at the supplier: every PO was accepted exactly once, none lost.
    accepted = loop.submissions.accepted
    lost = [
        (r.po_number, r.status, r.attempts, r.last_error)
        for r in requests
        if r.po_number not in accepted
    ]
    assert not lost, lost
    assert set(accepted) <= {r.po_number for r in requests}
    assert all(n == 1 for n in accepted.values()), accepted
    wps_orders = loop.running.sandboxes["wps"].state.orders
    assert {r.po_number for r in requests} <= set(wps_orders)
    # Tracking reached the WooCommerce orders, once per shipment.
    assert shipments and all(s.synced_at is not None for s in shipments)
    by_order = {o.id: o for o in orders}
    for shipment in shipments:
        order = by_order.get(shipment.order_id)
        if order is None:
            continue
        notes = woo_get(loop, f"/orders/{order.external_id}/notes").json()
        mentioning = [n for n in notes if shipment.tracking_number in n["note"]]
        assert len(mentioning) == 1, (order.number, shipment.tracking_number)
    statuses = {o.status for o in orders if o.id in shipped_orders}
    assert statuses <= {"completed", "shipped", "partially_shipped"}
    assert "partially_shipped" in statuses  # the demo ships one PO short


def test_whole_loop_from_inventory_to_tracking(loop: Loop) -> None:
    skus = stock_demo_store(loop.running, count=12)
    loop.start_worker()
    prepare_catalogue(loop, skus)
    assert_sync_reached_the_store(loop, skus)
    take_orders_and_ship(loop, skus, kill_during_send=False)
    assert_loop_complete(loop)


def test_whole_loop_with_faults_and_a_killed_worker(loop: Loop) -> None:
    skus = stock_demo_store(loop.running, count=12)  # the store's catalogue, set up fault-free
    for system in ("woocommerce", "wps"):
        loop.control(system, "PUT", "faults", json=FAULTS)
    # WPS documents duplicate POs as allowed: only Dropdeck itself can prevent them.
    loop.control("wps", "PUT", "settings", json={"duplicate_po": "allow"})
    loop.start_worker()
    prepare_catalogue(loop, skus)
    take_orders_and_ship(loop, skus, kill_during_send=True)
    for system in ("woocommerce", "wps"):
        loop.control(system, "PUT", "faults", json={k: 0 for k in FAULTS})
    loop.run_until_clean("wps-demo/get_shipments")
    loop.run_until_clean("woo-demo/sync_orders")
    assert_loop_complete(loop)
    with loop.db.read() as session:
        orders = session.scalar(sa.select(sa.func.count()).select_from(Order))
        distinct = session.scalar(
            sa.select(sa.func.count(sa.distinct(Order.external_id))).select_from(Order)
        )
    assert orders == distinct  # no duplicate orders in the store either
