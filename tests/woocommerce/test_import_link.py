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


async def test_create_only_keeps_existing_listings_and_overwrite_refreshes_them(
    shop: Shop,
) -> None:
    await shop.run("import_listings")
    state = shop.woo.state
    simple = next(p for p in state.products.values() if not p["children"])
    simple["name"] = "Renamed on the store"
    simple["regular_price"] = "1.23"
    run = await shop.run("import_listings", mode="create_only")
    assert run.counters.get("parents_created", 0) == 0
    assert "variants_updated" not in run.counters
    assert shop.variants()[simple["sku"]].title != "Renamed on the store"
    run = await shop.run("import_listings", mode="create_and_overwrite")
    assert run.counters["parents_updated"] == len(state.products)
    row = shop.variants()[simple["sku"]]
    assert row.title == "Renamed on the store"
    assert str(row.price) == "1.23"


async def test_new_listings_can_start_paused_and_mismatched_skus_create_new_ones(
    shop: Shop,
) -> None:
    await shop.run("import_listings")
    before = shop.variants()
    # A product added on the store since: its SKU matches nothing, so it is a new listing.
    state = shop.woo.state
    with state.lock:
        now = state.now()
        pid = state.new_id()
        state.add_product(
            {
                "id": pid,
                "name": "Brand new",
                "type": "simple",
                "status": "publish",
                "sku": "NEW-1",
                "regular_price": "9.99",
                "manage_stock": True,
                "stock_quantity": 4,
                "children": [],
                "meta_data": [],
                "attributes": [],
                "created": now,
                "modified": now,
            }
        )
        state.skus["NEW-1"] = pid
    run = await shop.run("import_listings", new_listings_paused=True)
    after = shop.variants()
    assert run.counters["variants_created"] == 1
    assert after["NEW-1"].paused and after["NEW-1"].external_id == str(pid)
    assert not any(after[sku].paused for sku in before)


async def test_import_rejects_a_bad_setting_with_one_line(shop: Shop) -> None:
    run = await shop.run("import_listings", mode="merge")
    assert run.status == "failed"
    assert run.error == (
        "woo-demo/import_listings: invalid setting: mode must be 'create_only' or "
        "'create_and_overwrite', not 'merge'; fix it in the integration"
    )


async def test_import_links_to_inventory_on_sku(shop: Shop) -> None:
    sku = next(iter(_store_skus(shop)))
    shop.add_inventory([{"sku": sku, "master_sku": "M-" + sku}])
    await shop.run("import_listings")
    assert shop.variants()[sku].master_sku == "M-" + sku


async def test_link_on_upc_uses_the_attribute_meta_or_gtin(shop: Shop) -> None:
    from connectors.woocommerce.mapping import find_upc

    state = shop.woo.state
    records = [*state.products.values(), *state.variations.values()]
    with_upc = [r for r in records if not r.get("children") and find_upc(r)]
    shop.add_inventory(
        [{"sku": f"INV-{i}", "upc": find_upc(r)} for i, r in enumerate(with_upc[:5])]
    )
    run = await shop.run("link_listings", match_on="upc")
    assert run.status == "succeeded", run.error
    assert run.counters["linked"] == 5
    variants = shop.variants()
    for i, r in enumerate(with_upc[:5]):
        row = variants[r["sku"]]
        assert (row.master_sku, row.link_state, row.external_id) == (
            f"INV-{i}",
            "linked",
            str(r["id"]),
        )


async def test_link_on_sku_matches_inventory_sku(shop: Shop) -> None:
    skus = sorted(_store_skus(shop))[:3]
    shop.add_inventory([{"sku": s} for s in skus])
    run = await shop.run("link_listings")
    assert run.counters["linked"] == 3
    assert {s for s, v in shop.variants().items() if v.master_sku} == set(skus)
