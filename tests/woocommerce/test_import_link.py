"""import_listings and link_listings against the WooCommerce sandbox."""

from __future__ import annotations

from tests.woocommerce.conftest import Shop


def _store_skus(shop: Shop) -> set[str]:
    state = shop.woo.state
    skus = set()
    for p in state.products.values():
        if p["children"]:
            skus.update(state.variations[v]["sku"] for v in p["children"])
        else:
            skus.add(p["sku"])
    return skus


async def test_import_creates_parents_and_variants_with_a_summary(shop: Shop) -> None:
    run = await shop.run("import_listings")
    assert run.status == "succeeded", run.error
    variants = shop.variants()
    assert set(variants) == _store_skus(shop)
    state = shop.woo.state
    parents = len(state.products)
    assert run.counters["parents_created"] == parents
    assert run.counters["variants_created"] == len(variants)
    assert f"{parents} parents created" in (run.summary or "")
    assert all(v.link_state == "linked" and not v.paused for v in variants.values())
    some = next(p for p in state.products.values() if p["children"])
    child = state.variations[some["children"][0]]
    row = variants[child["sku"]]
    assert row.external_id == str(child["id"])
    assert row.price is not None and f"{row.price:.2f}" == child["regular_price"]
    assert row.synced_quantity == child["stock_quantity"]
