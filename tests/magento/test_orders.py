"""import_listings, get_orders and sync_orders against the Magento sandbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from store.commands.shipping import shipping_key
from store.models import AuditEvent, FulfillmentRequest, Order, OrderLine, Shipment, ShipmentLine
from store.models.catalog import Listing, ListingVariant
from tests.magento.conftest import Shop


def _orders(shop: Shop) -> dict[str, Order]:
    with shop.db.read() as session:
        return {o.external_id: o for o in session.scalars(sa.select(Order))}


def _lines(shop: Shop, order: Order) -> list[OrderLine]:
    with shop.db.read() as session:
        return list(
            session.scalars(
                sa.select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.id)
            )
        )


def _child(shop: Shop) -> tuple[dict[str, Any], dict[str, Any]]:
    state = shop.mag.state
    parent = next(p for p in state.products.values() if p["type_id"] == "configurable")
    child_id = parent["extension_attributes"]["configurable_product_links"][0]
    return parent, state.products[state.by_id[child_id]]


def _simple(shop: Shop) -> dict[str, Any]:
    return next(
        p
        for p in shop.mag.state.products.values()
        if p["type_id"] == "simple" and p["visibility"] != 1
    )


async def test_import_listings_simple_and_configurable(shop: Shop) -> None:
    run = await shop.run("import_listings", page_size=7, new_listings_paused=True)
    assert run.status == "succeeded", run.error
    parent, child = _child(shop)
    with shop.db.read() as session:
        listings = {x.master_sku: x for x in session.scalars(sa.select(Listing))}
        variants = {v.sku: v for v in session.scalars(sa.select(ListingVariant))}
    shown = [p for p in shop.mag.state.products.values() if p["visibility"] != 1]
    assert set(listings) == {p["sku"] for p in shown}
    assert child["sku"] in variants and parent["sku"] not in variants
    v = variants[child["sku"]]
    assert v.quantity == child["extension_attributes"]["stock_item"]["qty"] and v.paused
    assert v.extra["attributes"] == {"Color": child["custom_attributes"][-1]["value"]}
    simple = _simple(shop)
    listing = listings[simple["sku"]]
    assert listing.description == f"<p>{simple['name']}, built to last.</p>"
    assert listing.category_one in {"Apparel", "Tools", "Outdoor"}
    files = [e["file"] for e in simple["media_gallery_entries"]]
    assert listing.images == [f"{shop.mag.url}/media/catalog/product{f}" for f in files]


async def _routable(shop: Shop, skus: list[str]) -> None:
    await shop.run("import_listings")
    shop.add_inventory(skus)
    await shop.run("import_listings")
    shop.map_shipping(shipping_key("Flat Rate - Fixed"))


async def test_get_orders_maps_the_guide_fields_acknowledges_once_and_holds_no_shipping(
    shop: Shop,
) -> None:
    _, child = _child(shop)
    simple = _simple(shop)
    await _routable(shop, [child["sku"], simple["sku"]])
    placed = shop.mag.control(
        "POST",
        "orders",
        json={
            "items": [{"sku": child["sku"], "qty": 2}, {"sku": simple["sku"], "qty": 1}],
            "coupon_code": "SAVE10",
            "customer_note": "after 2 PM",
        },
    )
    bare = shop.mag.control(
        "POST", "orders", json={"items": [{"sku": simple["sku"]}], "no_shipping": True}
    )
    old = shop.mag.control(
        "POST", "orders", json={"items": [{"sku": simple["sku"]}], "days_ago": 30}
    )
    run = await shop.run("get_orders", days=7, use_parent_item_id=True)
    assert run.status == "succeeded", run.error
    orders = _orders(shop)
    assert str(old["entity_id"]) not in orders
    order = orders[str(placed["entity_id"])]
    assert order.status == "routed", order.hold_reason
    assert order.details["coupon_code"] == "SAVE10"
    assert order.details["customer_note"] == "after 2 PM"
    assert order.details["invoices"] and order.details["shipping_amount"] == "5.00"
    lines = _lines(shop, order)
    top = placed["items"][0]
    assert [(line.sku, line.external_id) for line in lines] == [
        (child["sku"], str(top["item_id"])),
        (simple["sku"], str(placed["items"][2]["item_id"])),
    ]
    assert lines[0].price is not None and float(lines[0].price) == child["price"]
    held = orders[str(bare["entity_id"])]
    assert held.status == "on_hold"
    assert held.hold_reason == (
        "Missing shipping information: the Magento order has no shipping address"
    )
    comments = shop.mag.api("GET", f"orders/{placed['entity_id']}/comments").json()["items"]
    assert [c["comment"] for c in comments] == ["Order imported into Dropdeck."]
    again = await shop.run("get_orders", days=7, use_parent_item_id=True)
    assert again.status == "succeeded", again.error
    assert len(_orders(shop)) == 2
    comments = shop.mag.api("GET", f"orders/{placed['entity_id']}/comments").json()["items"]
    assert len(comments) == 1


async def test_get_orders_status_filter_and_24_paging(shop: Shop) -> None:
    simple = _simple(shop)
    shop.mag.control("PUT", "settings", json={"version": "2.4"})
    made = [
        shop.mag.control("POST", "orders", json={"items": [{"sku": simple["sku"]}]})
        for _ in range(53)
    ]
    shop.mag.control("PUT", f"orders/{made[0]['entity_id']}/status", json={"status": "holded"})
    run = await shop.run("get_orders", statuses=["processing"], acknowledge=False)
    assert run.status == "succeeded", run.error
    assert set(_orders(shop)) == {str(m["entity_id"]) for m in made[1:]}


def _shipment(shop: Shop, order: Order, tracking: str, qty: int | None = None) -> int:
    lines = _lines(shop, order)
    with shop.db.write() as session:
        request = session.scalars(
            sa.select(FulfillmentRequest).where(FulfillmentRequest.order_id == order.id)
        ).first()
        assert request is not None, order.hold_reason
        shipment = Shipment(
            source_id=request.source_id,
            request_id=request.id or 0,
            external_id=tracking,
            shipped_at=datetime.now(UTC),
            order_id=order.id or 0,
            carrier="UPS",
            service="Ground",
            tracking_number=tracking,
        )
        session.add(shipment)
        session.flush()
        for line in lines[:1] if qty else lines:
            session.add(
                ShipmentLine(
                    shipment_id=shipment.id or 0,
                    order_line_id=line.id,
                    sku=line.sku,
                    quantity=qty or line.quantity,
                )
            )
        return shipment.id or 0


async def test_sync_orders_partial_then_rest_with_switches_each_once(shop: Shop) -> None:
    _, child = _child(shop)
    simple = _simple(shop)
    await _routable(shop, [child["sku"], simple["sku"]])
    placed = shop.mag.control(
        "POST",
        "orders",
        json={"items": [{"sku": child["sku"], "qty": 2}, {"sku": simple["sku"], "qty": 1}]},
    )
    assert (await shop.run("get_orders", use_parent_item_id=True)).status == "succeeded"
    order = _orders(shop)[str(placed["entity_id"])]
    _shipment(shop, order, "1Z999AA10000000001", qty=1)
    settings = {
        "notify_customer": True,
        "append_comment": True,
        "visible_on_front": True,
        "extension_attribute": True,
    }
    run = await shop.run("sync_orders", **settings)
    assert run.status == "succeeded", run.error
    shipped = shop.mag.api("GET", "shipments", params={"searchCriteria": ""}).json()["items"]
    assert len(shipped) == 1
    first = shipped[0]
    assert first["tracks"][0]["track_number"] == "1Z999AA10000000001"
    assert first["tracks"][0]["carrier_code"] == "ups"
    assert first["items"] == [
        {**first["items"][0], "order_item_id": placed["items"][0]["item_id"], "qty": 1}
    ]
    assert first["notification"]["sent"] is True
    assert first["comments"][0]["is_visible_on_front"] == 1
    assert first["extension_attributes"] == {"source_code": "default"}
    assert shop.mag.api("GET", f"orders/{placed['entity_id']}").json()["status"] == "processing"
    _shipment(
        shop, order, "1Z999AA10000000002"
    )  # every line, more than is left of the first: clamped
    run = await shop.run("sync_orders")
    assert run.status == "succeeded", run.error
    assert shop.mag.api("GET", f"orders/{placed['entity_id']}").json()["status"] == "complete"
    run = await shop.run("sync_orders")
    total = shop.mag.api("GET", "shipments", params={"searchCriteria": ""}).json()["total_count"]
    assert total == 2


async def test_sync_orders_refuses_bad_tracking_and_item_id_mismatch(shop: Shop) -> None:
    simple = _simple(shop)
    _, child = _child(shop)
    await _routable(shop, [simple["sku"], child["sku"]])
    placed = shop.mag.control("POST", "orders", json={"items": [{"sku": simple["sku"]}]})
    cfg = shop.mag.control("POST", "orders", json={"items": [{"sku": child["sku"]}]})
    assert (await shop.run("get_orders")).status == "succeeded"
    orders = _orders(shop)
    _shipment(shop, orders[str(placed["entity_id"])], "1Z1 1Z2")
    # The carrier (UPS) names the format: a FedEx-shaped number is refused; so is a
    # terminal escape, shown visible in the one-line error.
    _shipment(shop, orders[str(placed["entity_id"])], "123456789012")
    _shipment(shop, orders[str(placed["entity_id"])], "1Z\x1b[2J" + "9" * 14)
    # Without "Use Parent Item ID" the configurable line is the child row: Magento 2.4
    # ships nothing for it, and the error says so.
    _shipment(shop, orders[str(cfg["entity_id"])], "1Z999AA10000000003")
    run = await shop.run("sync_orders")
    assert run.status == "partial", run.error  # each failed shipment is a failed record
    with shop.db.read() as session:
        errors = {s.tracking_number: s.sync_error for s in session.scalars(sa.select(Shipment))}
    assert "several numbers" in str(errors["1Z1 1Z2"])
    assert str(errors["123456789012"]) == (
        "tracking refused: the tracking number '123456789012' does not match UPS's format "
        "(1Z and 16 letters or digits); correct it at the source; sent once it passes"
    )
    hostile = str(errors["1Z\x1b[2J" + "9" * 14])
    assert "malformed" in hostile and "␛[2J" in hostile and "\x1b" not in hostile
    assert run.counters["failed"] == 4
    assert str(errors["1Z999AA10000000003"]).endswith(
        "You can't create a shipment without products."
    )
    assert (
        shop.mag.api("GET", "shipments", params={"searchCriteria": ""}).json()["total_count"] == 0
    )


async def test_sync_orders_item_id_mismatch(shop: Shop) -> None:
    simple = _simple(shop)
    await _routable(shop, [simple["sku"]])
    placed = shop.mag.control("POST", "orders", json={"items": [{"sku": simple["sku"]}]})
    assert (await shop.run("get_orders")).status == "succeeded"
    order = _orders(shop)[str(placed["entity_id"])]
    sid = _shipment(shop, order, "1Z999AA10000000004")
    with shop.db.write() as session:  # the source shipped a SKU the order has no line for
        line = session.scalars(sa.select(ShipmentLine).where(ShipmentLine.shipment_id == sid)).one()
        line.order_line_id = None
        line.sku = "NOT-ON-ORDER"
        session.add(line)
    await shop.run("sync_orders")
    with shop.db.read() as session:
        error = session.get_one(Shipment, sid).sync_error
    assert str(error).startswith("External Order Item ID Mismatch: NOT-ON-ORDER")
    assert (
        shop.mag.api("GET", "shipments", params={"searchCriteria": ""}).json()["total_count"] == 0
    )


async def test_a_worker_that_died_after_magento_shipped_does_not_ship_again(shop: Shop) -> None:
    simple = _simple(shop)
    await _routable(shop, [simple["sku"]])
    placed = shop.mag.control("POST", "orders", json={"items": [{"sku": simple["sku"]}]})
    assert (await shop.run("get_orders")).status == "succeeded"
    order = _orders(shop)[str(placed["entity_id"])]
    sid = _shipment(shop, order, "1Z999AA10000000005")
    # The last run recorded its intent, Magento accepted the ship call, then the worker died.
    item_id = placed["items"][0]["item_id"]
    shipped = shop.mag.api(
        "POST",
        f"order/{placed['entity_id']}/ship",
        json={
            "items": [{"order_item_id": item_id, "qty": 1}],
            "tracks": [
                {"track_number": "1Z999AA10000000005", "title": "UPS", "carrier_code": "ups"}
            ],
        },
    )
    assert shipped.is_success
    with shop.db.write() as session:
        row = session.get_one(Shipment, sid)
        row.sync_error = "pushing to Magento: not confirmed yet"
        session.add(row)
    run = await shop.run("sync_orders")
    assert run.status == "succeeded", run.error
    with shop.db.read() as session:
        row = session.get_one(Shipment, sid)
        assert row.synced_at is not None and row.sync_error is None
    total = shop.mag.api("GET", "shipments", params={"searchCriteria": ""}).json()["total_count"]
    assert total == 1


async def test_pii_retention_scrubs_shipped_orders_after_the_days_and_audits(shop: Shop) -> None:
    simple = _simple(shop)
    await _routable(shop, [simple["sku"]])
    old = shop.mag.control("POST", "orders", json={"items": [{"sku": simple["sku"]}]})
    new = shop.mag.control("POST", "orders", json={"items": [{"sku": simple["sku"]}]})
    assert (await shop.run("get_orders")).status == "succeeded"
    orders = _orders(shop)
    for placed, age in ((old, 31), (new, 5)):
        sid = _shipment(shop, orders[str(placed["entity_id"])], f"1Z999AA10000000{age:03d}")
        with shop.db.write() as session:
            row = session.get_one(Shipment, sid)
            row.shipped_at = datetime.now(UTC) - timedelta(days=age)
            session.add(row)
    assert (await shop.run("sync_orders")).status == "succeeded"
    run = await shop.run("get_orders", pii_retention="30")
    assert run.status == "succeeded", run.error
    assert run.counters["pii_scrubbed"] == 1
    orders = _orders(shop)
    gone, kept = orders[str(old["entity_id"])], orders[str(new["entity_id"])]
    assert (gone.customer_name, gone.customer_email) == ("", None)
    assert gone.shipping_address == {"state": "IL", "country": "US"}
    assert "pii_scrubbed_at" in gone.details and gone.number == old["increment_id"]
    assert kept.customer_email == "sam@example.com" and kept.customer_name == "Sam Shopper"
    with shop.db.read() as session:
        audit = session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "pii_scrubbed")
        ).all()
    assert [a.record_id for a in audit] == [str(gone.id)]
    assert "sam@example.com" not in str(audit[0].before) + str(audit[0].after)
    again = await shop.run("get_orders", pii_retention="30")
    assert "pii_scrubbed" not in again.counters  # once each
