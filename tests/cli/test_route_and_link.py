"""The commands a held order's reason names: link the listing to inventory, add the missing
shipping mapping, route again. Each is audited; a hold is reported once, not per run."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session

from store.commands.channel_orders import Held, map_and_route
from store.commands.route_again import missing_mapping
from store.db import Database
from store.models import (
    AuditEvent,
    Channel,
    FulfillmentRequest,
    InventoryItem,
    Listing,
    ListingVariant,
    Order,
    OrderLine,
    ShippingMapping,
    Source,
)
from store.models._types import utcnow

from .conftest import Run


def _business(db: Database, *, shipping: str = "Flat rate") -> int:
    """A channel selling SKU SHOP-1 with no supplier behind it, WPS carrying W-1 (master
    M-1), a ground policy, and one order for SHOP-1; returns the order id."""
    with db.write() as s:
        ch = Channel(name="woo", kind="woocommerce")
        wps = Source(name="wps", kind="wps", priority=1)
        s.add_all([ch, wps])
        s.flush()
        s.add(
            InventoryItem(
                source_id=wps.id or 0,
                sku="W-1",
                master_sku="M-1",
                parent_sku="W-1",
                quantity=10,
                cost=Decimal("4.00"),
            )
        )
        listing = Listing(channel_id=ch.id or 0, master_sku="SHOP-1", title="Grip")
        s.add(listing)
        s.flush()
        s.add(
            ListingVariant(
                listing_id=listing.id or 0, channel_id=ch.id or 0, sku="SHOP-1", title="Grip"
            )
        )
        s.add(
            ShippingMapping(scope="channel", owner_id=ch.id or 0, key="flat_rate", value="ground")
        )
        s.add(ShippingMapping(scope="source", owner_id=wps.id or 0, key="ground", value="BEST"))
        s.add(ShippingMapping(scope="source", owner_id=wps.id or 0, key="express", value="FE2D"))
        order = Order(
            channel_id=ch.id or 0,
            external_id="500",
            number="500",
            placed_at=utcnow(),
            shipping_text=shipping,
        )
        s.add(order)
        s.flush()
        s.add(OrderLine(order_id=order.id or 0, external_id="1", sku="SHOP-1", quantity=2))
        s.flush()
        map_and_route(s, ch.id or 0, [order], [])
        return order.id or 0


def _order(s: Session, order_id: int) -> Order:
    order = s.get(Order, order_id)
    assert order is not None
    return order


def test_link_then_route_again_sends_the_order_to_the_supplier(db: Database, cli: Run) -> None:
    order_id = _business(db)
    with db.read() as s:
        reason = _order(s, order_id).hold_reason or ""
    assert reason.startswith("no source has stock for SHOP-1 x2")
    # The reason names the key and the commands; both exist.
    assert "i in Listings" in reason and "dropdeck listings link SKU --to MASTER_SKU" in reason
    assert "dropdeck orders route 500" in reason

    status, out, err = cli("orders", "route", "500")
    assert status == 1 and "still on hold: no source has stock" in out

    status, out, err = cli("listings", "link", "SHOP-1", "--to", "W-1")  # the source's SKU
    assert status == 0, err
    assert "linked to M-1 (wps): 1" in out
    status, out, err = cli("orders", "route", "500")
    assert (status, out.strip()) == (0, "order 500 routed"), err
    with db.read() as s:
        assert _order(s, order_id).status == "routed"
        request = s.scalars(sa.select(FulfillmentRequest)).one()
        assert request.shipping_method == "BEST"
        actions = [a.action for a in s.scalars(sa.select(AuditEvent).order_by(AuditEvent.id))]
    assert actions == ["order.route_again", "listing.link_inventory", "order.route_again"]
    status, out, err = cli("orders", "route", "500")
    assert status == 1 and "is routed, not on hold" in err


def test_link_refuses_an_unknown_item_or_listing(db: Database, cli: Run) -> None:
    _business(db)
    status, _, err = cli("listings", "link", "SHOP-1", "--to", "NOPE")
    assert status == 1 and "no inventory item has master SKU or SKU NOPE" in err
    status, _, err = cli("listings", "link", "GONE-9", "--to", "M-1")
    assert status == 1 and "no listing with SKU GONE-9" in err


def test_held_for_a_mapping_names_the_policies_and_route_adds_it(db: Database, cli: Run) -> None:
    order_id = _business(db, shipping="Local pickup")
    with db.read() as s:
        order = _order(s, order_id)
        assert order.status == "on_hold"
        # POLICY is no placeholder: the choices are the policies the sources ship by.
        assert "POLICY one of express, ground (the policies your sources ship by)" in (
            order.hold_reason or ""
        )
        missing = missing_mapping(s, order_id)
    assert missing is not None and (missing.key, missing.policies) == (
        "local_pickup",
        ["express", "ground"],
    )
    cli("listings", "link", "SHOP-1", "--to", "M-1")
    status, out, err = cli("orders", "route", "500", "--shipping-policy", "ground")
    assert status == 0, err
    assert out.splitlines() == ["channel mapping added: local_pickup -> ground", "order 500 routed"]
    with db.read() as s:
        assert _order(s, order_id).shipping_policy == "ground"
        audited = s.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "shipping_mapping.set")
        ).one()
    assert audited.after == {
        "scope": "channel",
        "owner": "woo",
        "key": "local_pickup",
        "value": "ground",
    }


def test_a_hold_is_news_once_and_again_only_for_another_reason(db: Database) -> None:
    order_id = _business(db, shipping="Local pickup")
    with db.write() as s:
        order = _order(s, order_id)
        held: list[Held] = []
        map_and_route(s, order.channel_id, [order], held)
        assert held == []  # same hold as before: not news
        s.add(
            ShippingMapping(
                scope="channel", owner_id=order.channel_id, key="local_pickup", value="ground"
            )
        )
        s.flush()
        map_and_route(s, order.channel_id, [order], held)
    # Mapped now, but no supplier for SHOP-1: held for another reason, which is news.
    assert [h.number for h in held] == ["500"]
    assert held[0].reason.startswith("no source has stock")
