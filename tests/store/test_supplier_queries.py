"""The queries behind the attention summary, Listings' supplier backing and Inventory, on
SQLite and PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa

from console.runtime.demo_data import seed_demo_business
from store.db import Database
from store.models import InventoryItem, ListingVariant, Order
from store.queries.attention import attention
from store.queries.inventory import (
    count_inventory,
    inventory_key,
    listings_of_items,
    page_inventory,
)
from store.queries.listings import ListingTab, count_listings, page_listings, supplier_items


def test_attention_counts_what_waits(db: Database) -> None:
    seed_demo_business(db)
    with db.read() as s:
        a = attention(s)
        held = s.scalar(sa.select(sa.func.count()).where(Order.status == "on_hold"))
        variants = s.scalar(sa.select(sa.func.count()).select_from(ListingVariant))
    assert a.held_orders == held and a.held_example and a.held_example.startswith("order #")
    assert a.failed_requests > 0 and a.failed_example and "PO " in a.failed_example
    assert a.broken_links > 0 and a.paused_integrations == 0 and not a.all_well
    assert a.listings == variants and 0 < a.no_supplier < variants and a.owners == 5


def test_no_supplier_tab_and_the_backing_of_each_row(db: Database) -> None:
    seed_demo_business(db)
    with db.read() as s:
        counts = count_listings(s)
        unbacked = page_listings(s, ListingTab.NO_SUPPLIER, limit=1000)
        backed = page_listings(s, sku_prefix="WPS-0000001-", limit=10)
        items = supplier_items(s, "WPS-0000001-RED")
        cost = s.scalar(
            sa.select(InventoryItem.cost).where(InventoryItem.master_sku == "WPS-0000001-RED")
        )
    assert counts[ListingTab.NO_SUPPLIER] == len(unbacked) > 0
    assert all(r.supplier is None and r.supplier_stock is None for r in unbacked)
    assert [r.supplier for r in backed] == ["Western Power Sports"] * 3
    red = next(r for r in backed if r.sku == "WPS-0000001-RED")
    assert (red.suppliers, red.supplier_stock, red.supplier_cost) == (1, items[0].quantity, cost)
    assert [(i.source, i.sku) for i in items] == [("Western Power Sports", "WPS-0000001-RED")]


def test_inventory_pages_by_sku_and_filters_on_shown_words(db: Database) -> None:
    seed_demo_business(db)
    with db.read() as s:
        first = page_inventory(s, limit=25)
        second = page_inventory(s, after=first[-1].key, limit=25)
        back = page_inventory(s, before=second[0].key, limit=25)
        blue = page_inventory(s, text="western blu", limit=100)
        n_blue = count_inventory(s, text="western blu")
    assert len(first) == 25 and [r.sku for r in first] == sorted(r.sku for r in first)
    assert first[-1].sku < second[0].sku and back == first
    assert len(blue) == n_blue == 20 and all(r.sku.endswith("-BLU") for r in blue)
    assert all(r.listed for r in first)  # the demo lists every WPS item on woo-demo


def test_listings_of_items_follow_routings_rule(db: Database) -> None:
    seed_demo_business(db, listings=30, orders=0)
    with db.write() as s:
        linked = s.scalars(
            sa.select(ListingVariant).where(ListingVariant.master_sku == "WPS-0000001-RED")
        ).all()
        assert linked
        linked[0].master_sku = None  # sells the supplier's SKU itself: still backed
        s.execute(
            sa.update(ListingVariant)
            .where(ListingVariant.master_sku == "WPS-0000002-RED")
            .values(master_sku="ELSEWHERE")
        )
    with db.read() as s:
        found = listings_of_items(s, ["WPS-0000001-RED", "WPS-0000002-RED", "NOPE"])
        first = page_inventory(s, limit=3)
        key = inventory_key(s, first[1].id)
        after = page_inventory(s, after=key, limit=1) if key else []
        missing = inventory_key(s, 10**9)
    assert sorted(x.sku for x in found["WPS-0000001-RED"]) == sorted(v.sku for v in linked)
    assert "WPS-0000002-RED" not in found and "NOPE" not in found
    assert key == first[1].key and after == first[2:] and missing is None
