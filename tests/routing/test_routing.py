from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session

from store.commands.routing import plan_routing, route_order
from store.db import Database
from store.models import (
    Channel,
    FulfillmentLine,
    FulfillmentRequest,
    InventoryItem,
    Order,
    OrderLine,
    ShippingMapping,
    Source,
)
from store.models._types import utcnow


def _business(s: Session) -> tuple[Channel, Source, Source]:
    ch = Channel(name="woo", kind="woocommerce")
    wps = Source(name="WPS", kind="wps", priority=1)
    usd = Source(name="US Direct", kind="usdirect", priority=2)
    s.add_all([ch, wps, usd])
    s.flush()
    return ch, wps, usd


def _item(s: Session, source: Source, sku: str, qty: int, cost: str) -> None:
    s.add(
        InventoryItem(
            source_id=source.id or 0,
            sku=f"{source.kind}-{sku}",
            master_sku=sku,
            parent_sku=sku,
            quantity=qty,
            cost=Decimal(cost),
        )
    )


def _order(s: Session, ch: Channel, lines: dict[str, int], ext: str = "100") -> Order:
    order = Order(
        channel_id=ch.id or 0,
        external_id=ext,
        number=f"#{ext}",
        placed_at=utcnow(),
        shipping_policy="ground",
    )
    s.add(order)
    s.flush()
    for i, (sku, qty) in enumerate(lines.items()):
        s.add(OrderLine(order_id=order.id or 0, external_id=str(i), sku=sku, quantity=qty))
    s.flush()
    return order


def test_whole_order_source_wins_over_cheaper_split(db: Database) -> None:
    with db.write() as s:
        ch, wps, usd = _business(s)
        _item(s, wps, "A", 5, "10.00")
        _item(s, wps, "B", 5, "10.00")
        _item(s, usd, "A", 5, "1.00")  # cheaper, but cannot fill B
        s.add(ShippingMapping(scope="source", owner_id=wps.id or 0, key="ground", value="BEST"))
        order = _order(s, ch, {"A": 1, "B": 2})
        plan = route_order(s, order)
    assert list(plan.assignments) == [wps.id]
    assert "fills the whole order" in plan.explanation[0]
    with db.read() as s:
        requests = list(s.scalars(sa.select(FulfillmentRequest)))
        lines = list(s.scalars(sa.select(FulfillmentLine)))
        status = s.get(Order, order.id).status  # type: ignore[union-attr]
    assert [(r.source_id, r.shipping_method) for r in requests] == [(wps.id, "BEST")]
    assert sorted((f.sku, f.quantity) for f in lines) == [("wps-A", 1), ("wps-B", 2)]
    assert status == "routed"


def test_split_by_lowest_cost_and_no_stock_holds(db: Database) -> None:
    with db.write() as s:
        ch, wps, usd = _business(s)
        _item(s, wps, "A", 5, "10.00")
        _item(s, usd, "B", 5, "3.00")
        split = plan_routing(s, _order(s, ch, {"A": 1, "B": 1}))
        assert set(split.assignments) == {wps.id, usd.id}
        order = _order(s, ch, {"A": 9}, ext="101")  # more than anyone has
        held = route_order(s, order)
    assert held.hold_reason and "A x9" in held.hold_reason
    with db.read() as s:
        again = s.get(Order, order.id)
    assert again is not None and again.status == "on_hold" and again.hold_reason


def test_routing_twice_creates_no_second_request(db: Database) -> None:
    with db.write() as s:
        ch, wps, _ = _business(s)
        _item(s, wps, "A", 5, "10.00")
        order = _order(s, ch, {"A": 1})
        route_order(s, order)
        route_order(s, order)
    with db.read() as s:
        n = s.scalar(sa.select(sa.func.count()).select_from(FulfillmentRequest))
    assert n == 1
