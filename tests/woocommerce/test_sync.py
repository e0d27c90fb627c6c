"""sync_listings: only what changed, batched; pending actions; broken links; item errors."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from connectors.woocommerce import mapping
from store.commands.listings import (
    ListingAction,
    apply_listing_action,
    request_listing_transition,
)
from store.models import InventoryItem
from store.models.catalog import Pending
from tests.woocommerce.conftest import Shop


async def _linked_shop(shop: Shop) -> list[str]:
    """Import, then give every store SKU inventory so the listing rule prices it."""
    await shop.run("import_listings")
    skus = sorted(shop.variants())
    shop.add_inventory([{"sku": s, "cost": "10.00", "quantity": 7} for s in skus])
    await shop.run("import_listings")  # links imported variants to inventory on SKU
    first = await shop.run("sync_listings", markup_percent=50)
    assert first.status == "succeeded", first.error
    return skus


def _store_record(shop: Shop, external_id: str) -> dict:
    state = shop.woo.state
    return state.products.get(int(external_id)) or state.variations[int(external_id)]


async def test_sync_pushes_rule_price_and_stock_then_nothing(shop: Shop) -> None:
    skus = await _linked_shop(shop)
    variants = shop.variants()
    for sku in skus:
        record = _store_record(shop, variants[sku].external_id or "")
        shown = 0 if variants[sku].hidden else 7  # drafts import as hidden: out of stock
        assert (record["regular_price"], record["stock_quantity"]) == ("15.00", shown)
        assert variants[sku].synced_price == Decimal("15.00") and variants[sku].synced_at
    again = await shop.run("sync_listings", markup_percent=50)
    assert again.counters.get("write_requests", 0) == 0
    assert again.summary == "sync_listings succeeded: nothing to do"


async def test_sync_sends_only_changed_variants_in_few_requests(shop: Shop) -> None:
    skus = await _linked_shop(shop)
    variants = shop.variants()
    simple = [
        s
        for s in skus
        if variants[s].external_id and int(variants[s].external_id) in shop.woo.state.products
    ][:3]
    with shop.db.write() as session:
        session.execute(
            sa.update(InventoryItem).where(InventoryItem.sku.in_(simple)).values(cost=20)
        )
    run = await shop.run("sync_listings", markup_percent=50)
    assert run.counters["variants_updated"] == 3
    assert run.counters["write_requests"] == math.ceil(3 / 100)
    for sku in simple:
        assert _store_record(shop, variants[sku].external_id or "")["regular_price"] == "30.00"


async def test_hide_unhide_and_delist_are_carried_out_by_sync(shop: Shop) -> None:
    skus = await _linked_shop(shop)
    variants = shop.variants()
    simple = [
        s
        for s in skus
        if int(variants[s].external_id or 0) in shop.woo.state.products and not variants[s].hidden
    ]
    hide, delist = simple[0], simple[1]
    with shop.db.write() as session:
        apply_listing_action(session, ListingAction.HIDE, skus=[hide], actor="t")
    with shop.db.write() as session:
        request_listing_transition(session, Pending.DELIST, skus=[delist], actor="t")
    assert shop.variants()[delist].pending == "delist"
    await shop.run("sync_listings", markup_percent=50)
    after = shop.variants()
    hidden_record = _store_record(shop, variants[hide].external_id or "")
    assert (hidden_record["stock_quantity"], hidden_record["stock_status"]) == (0, "outofstock")
    assert after[hide].pending is None and after[hide].synced_quantity == 0
    assert after[delist].link_state == "delisted" and after[delist].external_id is None
    assert int(variants[delist].external_id or 0) not in shop.woo.state.products
    with shop.db.write() as session:
        apply_listing_action(session, ListingAction.UNHIDE, skus=[hide], actor="t")
    await shop.run("sync_listings", markup_percent=50)
    assert _store_record(shop, variants[hide].external_id or "")["stock_quantity"] == 7
    assert shop.variants()[hide].pending is None


async def test_product_deleted_behind_our_back_becomes_a_broken_link(shop: Shop) -> None:
    skus = await _linked_shop(shop)
    variants = shop.variants()
    state = shop.woo.state
    simple_sku = next(s for s in skus if int(variants[s].external_id or 0) in state.products)
    variable = next(p for p in state.products.values() if p["children"])
    child_skus = [state.variations[v]["sku"] for v in variable["children"]]
    shop.woo.control("DELETE", f"products/{variants[simple_sku].external_id}")
    shop.woo.control("DELETE", f"products/{variable['id']}")
    with shop.db.write() as session:
        session.execute(sa.update(InventoryItem).values(cost=12))
    run = await shop.run("sync_listings", markup_percent=50)
    assert run.status == "partial"
    after = shop.variants()
    for sku in [simple_sku, *child_skus]:
        assert after[sku].link_state == "broken_link"
        assert "no longer exists on the store" in (after[sku].needs_attention or "")
    assert run.counters["broken_links"] == 1 + len(child_skus)
    others = [s for s in skus if s not in (simple_sku, *child_skus)]
    assert all(after[s].synced_price == Decimal("18.00") for s in others)


async def test_a_refused_item_needs_attention_and_the_rest_sync(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    skus = await _linked_shop(shop)
    variants = shop.variants()
    state = shop.woo.state
    simple = [s for s in skus if int(variants[s].external_id or 0) in state.products]
    bad = variants[simple[0]].external_id
    with shop.db.write() as session:
        session.execute(sa.update(InventoryItem).values(cost=11))
    real = mapping.stock_update

    def refused_for_one(
        external_id: str, price: Decimal | None, quantity: int, hidden: bool
    ) -> dict[str, Any]:
        item = real(external_id, price, quantity, hidden)
        if external_id == bad:
            item["stock_quantity"] = "lots"  # WooCommerce answers rest_invalid_param for it
        return item

    monkeypatch.setattr(mapping, "stock_update", refused_for_one)
    run = await shop.run("sync_listings", markup_percent=50)
    after = shop.variants()
    assert run.status == "partial" and run.counters["failed"] == 1
    assert "WooCommerce refused it" in (after[simple[0]].needs_attention or "")
    assert after[simple[0]].link_state == "linked"
    assert after[simple[0]].synced_price == Decimal("15.00")
    assert after[simple[1]].synced_price == Decimal("16.50")
    monkeypatch.setattr(mapping, "stock_update", real)
    run = await shop.run("sync_listings", markup_percent=50)
    assert shop.variants()[simple[0]].needs_attention is None
