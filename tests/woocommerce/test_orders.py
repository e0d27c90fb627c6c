"""get_orders and sync_orders against the WooCommerce sandbox."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from store.models import (
    FulfillmentRequest,
    Order,
    OrderLine,
    Shipment,
    ShipmentLine,
    ShippingMapping,
)
from tests.woocommerce.conftest import Shop


def _map(shop: Shop, key: str, policy: str = "standard") -> None:
    with shop.db.write() as session:
        session.add(
            ShippingMapping(scope="channel", owner_id=shop.channel_id, key=key, value=policy)
        )


def _orders(shop: Shop) -> dict[str, Order]:
    with shop.db.read() as session:
        return {o.external_id: o for o in session.scalars(sa.select(Order))}


def _place(shop: Shop, sku: str, qty: int = 2, method: str = "Flat rate") -> dict:
    return shop.woo.control(
        "POST",
        "orders",
        json={"line_items": [{"sku": sku, "quantity": qty}], "shipping_method_title": method},
    )


async def _stocked_sku(shop: Shop) -> str:
    await shop.run("import_listings")
    sku = sorted(shop.variants())[0]
    shop.add_inventory([{"sku": sku, "quantity": 50}])
    await shop.run("import_listings")
    return sku


async def test_missing_shipping_mapping_holds_the_order_with_the_exact_reason(shop: Shop) -> None:
    sku = await _stocked_sku(shop)
    placed = _place(shop, sku, method="Express Delivery")
    run = await shop.run("get_orders")
    assert run.status == "succeeded", run.error
    order = _orders(shop)[str(placed["id"])]
    assert order.status == "on_hold"
    assert order.hold_reason == (
        "Missing shipping mapping 'express_delivery' for shipping method \"Express Delivery\" "
        "on channel woo-demo: add it with 'dropdeck mappings shipping add --channel woo-demo "
        "express_delivery POLICY', POLICY a name of your own (e.g. ground) that each source "
        "maps to a carrier code with 'dropdeck mappings shipping add --source NAME POLICY "
        "CODE'; then run get_orders again, or press r on the order in the console"
    )
    _map(shop, "express_delivery", "2day")
    await shop.run("get_orders")
    order = _orders(shop)[str(placed["id"])]
    assert (order.status, order.shipping_policy, order.hold_reason) == ("routed", "2day", None)


async def test_get_orders_is_idempotent_and_filters_status_and_days(shop: Shop) -> None:
    sku = await _stocked_sku(shop)
    _map(shop, "flat_rate")
    _map(shop, "free_shipping")
    _map(shop, "express")
    _map(shop, "local_pickup")
    placed = _place(shop, sku)
    pending = shop.woo.control(
        "POST", "orders", json={"line_items": [{"sku": sku}], "status": "pending"}
    )
    first = await shop.run("get_orders", statuses=["processing"], days=7)
    second = await shop.run("get_orders", statuses=["processing"], days=7)
    orders = _orders(shop)
    assert str(placed["id"]) in orders and str(pending["id"]) not in orders
    # Seeded orders are 0-60 days old: only the last week's processing ones come in.
    state = shop.woo.state
    week_ago = state.now() - 7 * 86_400
    expected = {
        str(o["id"])
        for o in state.orders.values()
        if o["status"] == "processing" and o["created"] > week_ago
    }
    assert set(orders) == expected
    assert first.counters["orders_created"] == len(expected)
    assert "orders_created" not in second.counters and second.counters["skipped"] == len(expected)
    with shop.db.read() as session:
        lines = session.scalars(sa.select(OrderLine)).all()
    assert len(lines) == sum(len(state.orders[int(e)]["line_items"]) for e in expected)
    assert orders[str(placed["id"])].status == "routed"


async def _shipped_order(shop: Shop, qty: int = 3) -> tuple[dict, Order]:
    sku = await _stocked_sku(shop)
    _map(shop, "flat_rate")
    placed = _place(shop, sku, qty=qty)
    await shop.run("get_orders")
    order = _orders(shop)[str(placed["id"])]
    assert order.status == "routed", order.hold_reason
    return placed, order


def _ship(shop: Shop, order: Order, tracking: str, qty: int, carrier: str = "UPS") -> None:
    with shop.db.write() as session:
        request = session.scalars(
            sa.select(FulfillmentRequest).where(FulfillmentRequest.order_id == order.id)
        ).one()
        line = session.scalars(sa.select(OrderLine).where(OrderLine.order_id == order.id)).one()
        shipment = Shipment(
            source_id=request.source_id,
            order_id=order.id or 0,
            request_id=request.id or 0,
            external_id=tracking,
            carrier=carrier,
            service="Ground",
            tracking_number=tracking,
            shipped_at=datetime(2026, 5, 30, tzinfo=UTC),
        )
        session.add(shipment)
        session.flush()
        session.add(
            ShipmentLine(
                shipment_id=shipment.id or 0, order_line_id=line.id, sku=line.sku, quantity=qty
            )
        )


async def test_partial_shipments_go_as_notes_once_and_complete_the_order(shop: Shop) -> None:
    placed, order = await _shipped_order(shop, qty=3)
    oid = placed["id"]
    _ship(shop, order, "1ZPART000000000001", 1)
    run = await shop.run("sync_orders")
    assert run.counters == {"shipments_synced": 1}
    notes = [n["note"] for n in shop.woo.control("GET", f"orders/{oid}/notes")]
    assert any("1ZPART000000000001" in n and "x1" in n for n in notes)
    assert shop.woo.state.orders[oid]["status"] == "processing"
    again = await shop.run("sync_orders")
    assert again.counters == {}
    assert sum("1ZPART000000000001" in n for n in notes) == 1
    _ship(shop, order, "1ZPART000000000002", 2)
    run = await shop.run("sync_orders")
    assert run.counters == {"shipments_synced": 1, "orders_completed": 1}
    assert shop.woo.state.orders[oid]["status"] == "completed"
    assert _orders(shop)[str(oid)].status == "completed"
    notes = [n["note"] for n in shop.woo.control("GET", f"orders/{oid}/notes")]
    assert (
        sum("1ZPART000000000001" in n for n in notes) == 1
        and sum("1ZPART000000000002" in n for n in notes) == 1
    )


async def test_tracking_goes_through_the_shipment_tracking_plugin_when_set(shop: Shop) -> None:
    placed, order = await _shipped_order(shop, qty=1)
    _ship(shop, order, "9400111899223100000001", 1, carrier="USPS")
    run = await shop.run("sync_orders", use_shipment_tracking=True)
    assert run.counters["shipments_synced"] == 1
    items = shop.woo.control("GET", f"orders/{placed['id']}/trackings")
    assert [(i["tracking_provider"], i["tracking_number"]) for i in items] == [
        ("USPS", "9400111899223100000001")
    ]
    with shop.db.read() as session:
        shipment = session.scalars(sa.select(Shipment)).one()
    assert shipment.synced_at is not None and shipment.sync_error is None


@pytest.mark.parametrize("use_shipment_tracking", [False, True], ids=["note", "tracking-item"])
async def test_a_malformed_tracking_number_is_refused_and_the_other_shipment_goes(
    shop: Shop, use_shipment_tracking: bool
) -> None:
    """Two numbers and a terminal escape in one field: refused with the one-line error,
    nothing added to the WooCommerce order for it (no note, no tracking item); the order's
    good shipment is pushed in the same run."""
    placed, order = await _shipped_order(shop, qty=2)
    oid = placed["id"]
    sku = placed["line_items"][0]["sku"]
    hostile = "1Z999AA10000000001\n1Z999AA1\x1b[2J0000000002"
    _ship(shop, order, hostile, 1)
    _ship(shop, order, "1Z999AA10000000003", 1)
    run = await shop.run("sync_orders", use_shipment_tracking=use_shipment_tracking)
    assert run.status == "partial", run.error
    assert run.counters == {"shipments_synced": 1, "failed": 1}
    message = (
        "tracking refused: the tracking number field holds several numbers "
        "('1Z999AA10000000001␊1Z999AA1␛[2J000000000…'); send one per shipment; "
        "correct it at the source; sent once it passes"
    )
    with shop.db.read() as session:
        errors = {s.tracking_number: s.sync_error for s in session.scalars(sa.select(Shipment))}
    assert errors == {hostile: message, "1Z999AA10000000003": None}
    notes = [n["note"] for n in shop.woo.control("GET", f"orders/{oid}/notes")]
    items = shop.woo.control("GET", f"orders/{oid}/trackings")
    if use_shipment_tracking:
        assert [i["tracking_number"] for i in items] == ["1Z999AA10000000003"]
        assert not [n for n in notes if "tracking number" in n]
    else:
        assert items == []
        assert [n for n in notes if "tracking number" in n] == [
            f"Shipped via UPS Ground, tracking number 1Z999AA10000000003: {sku} x1"
        ]
    assert shop.woo.state.orders[oid]["status"] == "processing"  # not every shipment pushed
