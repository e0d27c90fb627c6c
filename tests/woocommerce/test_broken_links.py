"""Broken links found by the next sync whatever changed (issue 9, B5), and delisting a
variable product whole (B8)."""

from __future__ import annotations

import math
from typing import Any

import pytest

from connectors.woocommerce.client import WooClient
from store.commands.listings import request_listing_transition
from store.models.catalog import Pending
from tests.woocommerce.conftest import Shop
from tests.woocommerce.test_sync import _linked_shop


def _spy_checks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record how many ids each existence-check request asked for."""
    sizes: list[int] = []
    real = WooClient.products_by_id

    async def spy(self: WooClient, ids: Any) -> list[dict[str, Any]]:
        sizes.append(len(ids))
        return await real(self, ids)

    monkeypatch.setattr(WooClient, "products_by_id", spy)
    return sizes


async def test_a_deleted_product_is_a_broken_link_at_the_next_sync_with_nothing_else_changed(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    skus = await _linked_shop(shop)
    variants = shop.variants()
    state = shop.woo.state
    simple_sku = next(s for s in skus if int(variants[s].external_id or 0) in state.products)
    sizes = _spy_checks(monkeypatch)
    shop.woo.control("DELETE", f"products/{variants[simple_sku].external_id}")
    run = await shop.run("sync_listings", markup_percent=50)
    after = shop.variants()
    assert after[simple_sku].link_state == "broken_link"
    assert after[simple_sku].needs_attention is not None
    assert "no longer exists on the store" in after[simple_sku].needs_attention
    assert run.counters["broken_links"] == 1 and run.status == "partial"
    assert all(after[s].link_state == "linked" for s in skus if s != simple_sku)
    # One request per 100 products (variations ride along with their parent), no walk.
    assert len(sizes) == math.ceil(len(state.products) / 100)
    assert sum(sizes) == len(state.products) + 1  # the deleted one was asked for too


async def test_a_deleted_variation_breaks_only_itself(shop: Shop) -> None:
    skus = await _linked_shop(shop)
    state = shop.woo.state
    parent = next(p for p in state.products.values() if len(p["children"]) >= 2)
    gone, kept = parent["children"][0], parent["children"][1]
    gone_sku, kept_sku = state.variations[gone]["sku"], state.variations[kept]["sku"]
    with state.lock:
        state.remove_variation(gone)
    run = await shop.run("sync_listings", markup_percent=50)
    after = shop.variants()
    assert after[gone_sku].link_state == "broken_link"
    assert after[kept_sku].link_state == "linked"
    assert run.counters["broken_links"] == 1
    assert sum(1 for s in skus if after[s].link_state == "broken_link") == 1


async def test_a_trashed_product_is_a_broken_link(shop: Shop) -> None:
    skus = await _linked_shop(shop)
    variants = shop.variants()
    state = shop.woo.state
    sku = next(s for s in skus if int(variants[s].external_id or 0) in state.products)
    pid = int(variants[sku].external_id or 0)
    with state.lock:
        state.products[pid]["status"] = "trash"
        state.trashed.add(pid)
    await shop.run("sync_listings", markup_percent=50)
    assert shop.variants()[sku].link_state == "broken_link"


async def test_delisting_every_variation_removes_the_parent_product(shop: Shop) -> None:
    await _linked_shop(shop)
    state = shop.woo.state
    parent = next(p for p in state.products.values() if len(p["children"]) >= 2)
    pid = parent["id"]
    children = [state.variations[v]["sku"] for v in parent["children"]]
    with shop.db.write() as session:
        request_listing_transition(session, Pending.DELIST, skus=children[:1], actor="t")
    await shop.run("sync_listings", markup_percent=50)
    # One variation delisted: the parent stays with the others.
    assert pid in state.products and len(state.products[pid]["children"]) == len(children) - 1
    with shop.db.write() as session:
        request_listing_transition(session, Pending.DELIST, skus=children[1:], actor="t")
    run = await shop.run("sync_listings", markup_percent=50)
    assert run.status == "succeeded", run.error
    assert pid not in state.products
    assert not any(state.variations.get(v) for v in parent["children"])
    after = shop.variants()
    assert all(after[s].link_state == "delisted" and after[s].external_id is None for s in children)
    assert run.counters["delisted"] == len(children) - 1
