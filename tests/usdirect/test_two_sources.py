"""Two sources, one catalogue: WPS and US Direct both carry a product (one master SKU through
US Direct's `Master SKU` mapping), routing picks by stock, then cost, then priority, and an
order needing both becomes one request per source: each sent once, both shipped, tracking
back once. Both suppliers are their sandboxes over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
import sqlalchemy as sa

from store.commands.routing import route_order, routing_preview
from store.commands.setup import ensure_channel
from store.db import Database
from store.models import (
    FulfillmentRequest,
    InventoryItem,
    Listing,
    ListingVariant,
    Order,
    OrderLine,
    Shipment,
    ShippingMapping,
    Source,
)
from store.models._types import utcnow
from tests.usdirect.conftest import ADDRESS, UsDirect, serve_usdirect
from tests.wps.conftest import Wps, _wps, run_job

pytestmark = pytest.mark.e2e


@pytest.fixture
def both(db: Database) -> Iterator[tuple[Wps, UsDirect]]:
    wps_gen, usd_gen = _wps(db), serve_usdirect(db)
    wps, usd = next(wps_gen), next(usd_gen)
    yield wps, usd
    for gen in (usd_gen, wps_gen):
        next(gen, None)


def item(db: Database, source_id: int, sku: str) -> InventoryItem:
    with db.read() as session:
        row = session.scalars(
            sa.select(InventoryItem).where(
                InventoryItem.source_id == source_id, InventoryItem.sku == sku
            )
        ).one()
    return row


async def test_a_split_order_is_sent_once_per_source_and_tracked_back_once(
    both: tuple[Wps, UsDirect],
) -> None:
    wps, usd = both
    db = wps.db
    shared_wps, only_wps = wps.orderable_skus(2, at_least=5)
    stocked = [s for s in usd.state.primary if (usd.state.products[s]["qty"] or 0) >= 5]
    shared_usd, only_usd = stocked[:2]
    for sku in (shared_usd, only_usd):
        usd.control.put(f"/_sandbox/products/{sku}", json={"qty": 50}).raise_for_status()
    # US Direct's item shared_usd is WPS's shared_wps: a master-SKU mapping set says so.
    template = {
        "rules": {"Master SKU": "set:masters:sku"},
        "mapping_sets": {"masters": {shared_usd: f"WPS-{shared_wps}"}},
    }
    assert (await run_job(db, wps.integration("get_inventory"))).status == "succeeded"
    usd_import = await run_job(db, usd.integration("get_inventory", {"mapping_template": template}))
    assert usd_import.status == "succeeded", usd_import.error
    assert item(db, usd.source_id, shared_usd).master_sku == f"WPS-{shared_wps}"
    assert item(db, usd.source_id, only_usd).master_sku == f"USD-{only_usd}"

    # The shared product is cheaper at US Direct; WPS has the other line only.
    with db.write() as session:
        for source_id, sku, cost in (
            (wps.source_id, shared_wps, "30.00"),
            (usd.source_id, shared_usd, "20.00"),
        ):
            session.execute(
                sa.update(InventoryItem)
                .where(InventoryItem.source_id == source_id, InventoryItem.sku == sku)
                .values(cost=Decimal(cost), quantity=40)
            )
        channel = ensure_channel(
            session, name="shop", kind="woocommerce", connection=None, auto_process=True
        )
        for source_id, code in ((wps.source_id, "BEST"), (usd.source_id, "UPS-GND")):
            session.add(
                ShippingMapping(scope="source", owner_id=source_id, key="Ground", value=code)
            )
        order = Order(
            channel_id=channel.id or 0,
            external_id="ext-7001",
            number="7001",
            customer_name="Ada Lovelace",
            customer_email="ada@example.com",
            shipping_address=dict(ADDRESS),
            shipping_policy="Ground",
            placed_at=utcnow(),
        )
        session.add(order)
        session.flush()
        for n, (channel_sku, master, qty) in enumerate(
            (
                ("SHOP-A", f"WPS-{shared_wps}", 2),
                ("SHOP-B", f"WPS-{only_wps}", 1),
                ("SHOP-C", f"USD-{only_usd}", 3),
            )
        ):
            listing = Listing(channel_id=channel.id or 0, master_sku=master)
            session.add(listing)
            session.flush()
            session.add(
                ListingVariant(
                    listing_id=listing.id or 0,
                    channel_id=channel.id or 0,
                    sku=channel_sku,
                    master_sku=master,
                )
            )
            session.add(
                OrderLine(
                    order_id=order.id or 0, external_id=f"l{n}", sku=channel_sku, quantity=qty
                )
            )
        session.flush()
        order_id = order.id or 0
        preview = routing_preview(session, order_id)
        route_order(session, order)
    assert preview == [
        "SHOP-A x2 -> usdirect (lowest cost)",
        "SHOP-B x1 -> wps (only source with stock)",
        "SHOP-C x3 -> usdirect (only source with stock)",
        "= 2 fulfillment requests, one per source",
    ]
    with db.read() as session:
        requests = {r.source_id: r for r in session.scalars(sa.select(FulfillmentRequest))}
    assert set(requests) == {wps.source_id, usd.source_id}
    assert requests[usd.source_id].shipping_method == "UPS-GND"

    for source in (wps, usd):
        run = await run_job(db, source.integration("send_orders"))
        assert run.status == "succeeded", run.error
        assert (await run_job(db, source.integration("send_orders"))).counters.get("sent") is None
    assert list(usd.state.orders) == [requests[usd.source_id].po_number]
    placed = usd.state.orders[requests[usd.source_id].po_number]
    assert sorted((i["sku"], i["quantity"]) for i in placed["items"]) == sorted(
        [(shared_usd, 2), (only_usd, 3)]
    )

    wps.control.post(
        f"/_sandbox/orders/{requests[wps.source_id].po_number}/ship",
        json={"tracking_number": "1ZWPS"},
    ).raise_for_status()
    usd.control.post(
        f"/_sandbox/orders/{requests[usd.source_id].po_number}/ship", json={}
    ).raise_for_status()
    for source in (wps, usd):
        run = await run_job(db, source.integration("get_shipments"))
        assert run.counters.get("shipments_created") == 1, (source, run.counters, run.error)
    again = [
        await run_job(db, s.integration("get_shipments", {"statuses": ["sent", "shipped"]}))
        for s in (wps, usd)
    ]
    assert all("shipments_created" not in r.counters for r in again)
    with db.read() as session:
        assert session.get(Order, order_id).status == "shipped"  # type: ignore[union-attr]
        assert session.scalar(sa.select(sa.func.count()).select_from(Shipment)) == 2


def test_equal_cost_goes_to_the_source_with_the_better_priority(db: Database) -> None:
    with db.write() as session:
        channel = ensure_channel(session, name="shop", kind="woocommerce", connection=None)
        wps = Source(name="wps", kind="wps", priority=2)
        usd = Source(name="usdirect", kind="usdirect", priority=1)
        session.add_all([wps, usd])
        session.flush()
        for source in (wps, usd):
            session.add(
                InventoryItem(
                    source_id=source.id or 0,
                    sku=f"{source.kind}-1",
                    master_sku="M-1",
                    parent_sku=f"{source.kind}-1",
                    quantity=9,
                    cost=Decimal("5.00"),
                )
            )
        order = Order(channel_id=channel.id or 0, external_id="e1", number="1", placed_at=utcnow())
        session.add(order)
        session.flush()
        session.add(OrderLine(order_id=order.id or 0, external_id="l1", sku="M-1", quantity=2))
        session.flush()
        assert (
            routing_preview(session, order.id or 0)[0]
            == "M-1 x2 -> usdirect (fills the whole order, lowest total cost)"
        )
        # No stock at US Direct: stock comes first.
        session.execute(
            sa.update(InventoryItem).where(InventoryItem.source_id == usd.id).values(quantity=1)
        )
        assert routing_preview(session, order.id or 0)[0] == "M-1 x2 -> wps (fills the whole order)"
