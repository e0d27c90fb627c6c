from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from store.commands.pricing import ListingRule, apply_listing_rule
from store.db import Database
from store.models import Channel, InventoryItem, Listing, ListingVariant, Source


def _setup(db: Database) -> int:
    with db.write() as s:
        ch = Channel(name="woo", kind="woocommerce")
        a = Source(name="A", kind="wps")
        b = Source(name="B", kind="usdirect")
        s.add_all([ch, a, b])
        s.flush()
        listing = Listing(channel_id=ch.id or 0, master_sku="P")
        s.add(listing)
        s.flush()
        for sku, paused in (("X", False), ("Y", False), ("Z", True), ("NOSRC", False)):
            s.add(
                ListingVariant(
                    listing_id=listing.id or 0,
                    channel_id=ch.id or 0,
                    sku=sku,
                    master_sku=sku,
                    price=Decimal("1.00"),
                    quantity=1,
                    paused=paused,
                )
            )
        for src, sku, qty, cost, msrp in (
            (a, "X", 10, "10.00", "25.00"),
            (b, "X", 0, "5.00", "20.00"),  # cheaper but out of stock
            (a, "Y", 2, "4.00", None),
            (a, "Z", 50, "1.00", None),
        ):
            s.add(
                InventoryItem(
                    source_id=src.id or 0,
                    sku=f"{src.name}-{sku}",
                    master_sku=sku,
                    parent_sku=sku,
                    quantity=qty,
                    cost=Decimal(cost),
                    msrp=Decimal(msrp) if msrp else None,
                )
            )
        return ch.id or 0


def _prices(db: Database) -> dict[str, tuple[Decimal | None, int]]:
    with db.read() as s:
        rows = s.execute(
            sa.select(ListingVariant.sku, ListingVariant.price, ListingVariant.quantity)
        ).all()
    return {sku: (price, qty) for sku, price, qty in rows}


def test_rule_prices_from_cheapest_in_stock_source_with_buffer(db: Database) -> None:
    channel_id = _setup(db)
    rule = ListingRule(price_from="cost", markup_percent=Decimal("25"), safety_buffer=3)
    with db.write() as s:
        changed = apply_listing_rule(s, channel_id, rule)
    assert changed == 2
    got = _prices(db)
    assert got["X"] == (Decimal("12.50"), 7)
    assert got["Y"] == (Decimal("5.00"), 0)  # 2 - 3 floors at 0
    assert got["Z"] == (Decimal("1.00"), 1)  # paused: untouched
    assert got["NOSRC"] == (Decimal("1.00"), 1)  # no inventory: untouched
    with db.write() as s:
        assert apply_listing_rule(s, channel_id, rule) == 0  # nothing changed the second time


def test_rule_from_msrp() -> None:
    rule = ListingRule.from_settings({"price_from": "msrp", "markup_percent": "0"})
    assert rule.price_from == "msrp" and rule.markup_percent == 0
    with pytest.raises(ValueError, match="price_from must be"):
        ListingRule.from_settings({"price_from": "map"})
    with pytest.raises(ValueError, match="safety_buffer must be 0 or more"):
        ListingRule.from_settings({"safety_buffer": -1})
