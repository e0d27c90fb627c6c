"""sync_listings against the Magento sandbox: link on SKU, only what changed, by SKU."""

from __future__ import annotations

from decimal import Decimal

import httpx
import sqlalchemy as sa

from store.commands.listing_fields import set_listing_fields
from store.models import InventoryItem, Source
from store.models.catalog import ListingVariant
from tests.magento.conftest import Shop


def _variants(shop: Shop) -> dict[str, ListingVariant]:
    with shop.db.read() as session:
        return {v.sku: v for v in session.scalars(sa.select(ListingVariant))}


async def _linked(shop: Shop, n: int = 3) -> list[str]:
    await shop.run("import_listings")
    skus = sorted(
        s
        for s, v in _variants(shop).items()
        if v.external_id and not s.endswith(("-R", "-B", "-K"))  # simple products only
    )[:n]
    shop.add_inventory(skus, quantity=7)
    await shop.run("import_listings")
    return skus


async def test_sync_sends_only_changes_and_marks_broken_and_refused(shop: Shop) -> None:
    skus = await _linked(shop)
    run = await shop.run(
        "sync_listings", price_from="cost", markup_percent=50, fields=["price", "quantity"]
    )
    assert run.status == "succeeded", run.error
    state = shop.mag.state
    for sku in skus:
        product = state.products[sku]
        assert product["price"] == 15.0
        assert product["extension_attributes"]["stock_item"]["qty"] == 7
    variants = _variants(shop)
    assert all(variants[s].synced_price == Decimal("15.00") for s in skus)
    before = dict(shop.mag.state.products[skus[0]])
    again = await shop.run(
        "sync_listings", price_from="cost", markup_percent=50, fields=["price", "quantity"]
    )
    assert again.status == "succeeded", again.error
    assert shop.mag.state.products[skus[0]]["updated_at"] == before["updated_at"]  # nothing sent
    # A product deleted on Magento becomes a broken link (the upsert must not re-create it).
    shop.mag.control("DELETE", f"products/{skus[1]}")
    with shop.db.write() as session:
        for sku in skus[1:]:
            row = session.scalars(sa.select(ListingVariant).where(ListingVariant.sku == sku)).one()
            row.synced_price = None
            session.add(row)
    run = await shop.run(
        "sync_listings", price_from="cost", markup_percent=50, fields=["price", "quantity"]
    )
    variants = _variants(shop)
    assert variants[skus[1]].link_state == "broken_link"
    assert skus[1] not in shop.mag.state.products  # not re-created by the upsert
    assert variants[skus[2]].link_state == "linked"


async def test_bulk_sync_one_request_per_chunk_and_operation_failures(shop: Shop) -> None:
    skus = await _linked(shop)
    run = await shop.run(
        "sync_listings", price_from="cost", markup_percent=20, use_bulk=True, fields=["price"]
    )
    assert run.status == "succeeded", run.error
    assert all(shop.mag.state.products[s]["price"] == 12.0 for s in skus)
    assert len(shop.mag.state.bulks) == 1  # one bulk request for the chunk
    assert run.counters["sync_requests"] == 3  # lookup, bulk, status


def _attr(product: dict[str, object], code: str) -> object:
    for attr in product["custom_attributes"]:  # type: ignore[attr-defined]
        if attr["attribute_code"] == code:
            return attr["value"]
    return None


def _set_fields(shop: Shop, skus: list[str], **values: object) -> None:
    with shop.db.write() as session:
        assert set_listing_fields(session, shop.channel_id, skus, values) == []


async def test_sync_writes_special_price_visibility_and_max_cart_qty_when_changed(
    shop: Shop,
) -> None:
    skus = await _linked(shop)
    fields = ["price", "special_price", "visibility", "max_sale_qty"]
    # Imported values are what Magento has: nothing to send for them.
    run = await shop.run("sync_listings", fields=fields)
    assert run.status == "succeeded", run.error
    _set_fields(shop, skus[:1], special_price="8.50", visibility=2, max_sale_qty=10)
    run = await shop.run("sync_listings", fields=fields)
    assert run.status == "succeeded", run.error
    product = shop.mag.state.products[skus[0]]
    assert _attr(product, "special_price") == 8.5
    assert product["visibility"] == 2
    stock = product["extension_attributes"]["stock_item"]
    assert (stock["max_sale_qty"], stock["use_config_max_sale_qty"]) == (10, False)
    assert shop.mag.state.products[skus[1]]["visibility"] == 4  # untouched
    assert run.counters["variants_updated"] == 1
    assert _variants(shop)[skus[0]].extra["synced"]["max_sale_qty"] == 10
    # Unchanged since: nothing is sent.
    again = await shop.run("sync_listings", fields=fields)
    assert again.counters.get("sync_requests", 0) == 0, again.counters
    # A field not among the "Fields to Sync" is not written, however it changed.
    _set_fields(shop, skus[:1], visibility=3)
    run = await shop.run("sync_listings", fields=["price", "special_price"])
    assert run.counters.get("sync_requests", 0) == 0
    assert shop.mag.state.products[skus[0]]["visibility"] == 2
    # A mapping "Value" is every listing's; "empty" is Set To Empty.
    run = await shop.run("sync_listings", fields=fields, max_sale_qty=5, special_price="empty")
    assert run.status == "succeeded", run.error
    for sku in skus:
        product = shop.mag.state.products[sku]
        assert product["extension_attributes"]["stock_item"]["max_sale_qty"] == 5
        assert _attr(product, "special_price") == ""
    assert shop.mag.state.products[skus[0]]["visibility"] == 3


async def test_sync_refuses_a_bad_field_value_and_bidirectional_sync(shop: Shop) -> None:
    run = await shop.run("sync_listings", fields=["visibility"], visibility="everywhere")
    assert run.status == "failed"
    assert "visibility must be one of not_visible, catalog, search, catalog_search" in (
        run.error or ""
    )
    run = await shop.run("sync_listings", sync_direction="bidirectional")
    assert run.status == "failed"
    assert "writes from Dropdeck to Magento only" in (run.error or "")


async def test_sync_links_by_sku_cheaply_and_then_only_what_changed(shop: Shop) -> None:
    state = shop.mag.state
    simple = sorted(s for s, p in state.products.items() if p["type_id"] == "simple")
    config = sorted(s for s, p in state.products.items() if p["type_id"] == "configurable")
    child = f"{config[0]}-R"
    wanted = [*simple[:3], child]
    shop.add_inventory(simple[:3], quantity=7)
    with shop.db.write() as session:  # a supplier's variant names its parent
        source = session.scalars(sa.select(Source)).one()
        session.add(
            InventoryItem(
                source_id=source.id or 0, sku=child, master_sku=child, parent_sku=config[0]
            )
        )
    # First run: 4 SKUs (and the child's parent) take one lookup; the 40-product catalogue
    # at 10 a page would take 4 pages.
    run = await shop.run("sync_listings", page_size=10, fields=["price"])
    assert run.status == "succeeded", run.error
    variants = _variants(shop)
    assert {s for s, v in variants.items() if v.link_state == "linked"} >= set(wanted)
    # count + sku lookup + children of the configurable + categories + source items
    assert run.counters["link_requests"] <= 6, run.counters
    assert "SKUs looked up" in (run.summary or "")
    # Nothing new: one request for the products changed since (this run's own writes).
    again = await shop.run("sync_listings", page_size=10, fields=["price"])
    assert again.status == "succeeded", again.error
    assert again.counters["link_requests"] <= 4, again.counters
    assert "changes since" in (again.summary or "")
    # A product created on Magento for new inventory is linked by the next run.
    shop.add_inventory(["NEW-1"], quantity=3)
    made = shop.mag.api(
        "POST", "products", json={"product": {"sku": "NEW-1", "name": "New one", "price": 4}}
    )
    assert made.status_code == 200, made.text
    third = await shop.run("sync_listings", page_size=10, fields=["price"])
    assert third.status == "succeeded", third.error
    assert _variants(shop)["NEW-1"].link_state == "linked"


async def test_first_link_walks_the_catalogue_when_that_is_cheaper(shop: Shop) -> None:
    skus = sorted(s for s, p in shop.mag.state.products.items() if p["type_id"] == "simple")
    shop.add_inventory(skus[:150] + [f"NOT-THERE-{n}" for n in range(150)], quantity=2)
    run = await shop.run("sync_listings", fields=["price"])
    assert run.status == "succeeded", run.error
    assert "catalogue walk" in (run.summary or "")
    assert all(_variants(shop)[s].link_state == "linked" for s in skus[:150])


async def test_store_code_decides_which_store_views_see_a_write(shop: Shop) -> None:
    skus = await _linked(shop, 1)
    token = shop.mag.sandbox.credentials["access_token"]

    def visibility(scope: str) -> int:
        prefix = "/rest/V1" if scope == "" else f"/rest/{scope}/V1"
        r = httpx.get(
            f"{shop.mag.url}{prefix}/products/{skus[0]}",
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert r.status_code == 200, r.text
        return int(r.json()["visibility"])

    async def sync(store_code: str, value: int) -> None:
        _set_fields(shop, skus, visibility=value)
        run = await shop.run("sync_listings", fields=["visibility"], store_code=store_code)
        assert run.status == "succeeded", run.error

    # `default`: the default store view's own value; the global one and "fr" keep theirs.
    await sync("default", 2)
    assert (visibility(""), visibility("default"), visibility("all"), visibility("fr")) == (
        2,
        2,
        4,
        4,
    )
    # `all`: the global value, shown by every view without its own ("fr"), not by default.
    await sync("all", 3)
    assert (visibility(""), visibility("all"), visibility("fr")) == (2, 3, 3)
    # A store view's code: that view only.
    await sync("fr", 1)
    assert (visibility(""), visibility("all"), visibility("fr")) == (2, 3, 1)
    # An unknown store code is no store code: Magento finds no such route. The run stops
    # and says which setting to check; no listing is taken for a broken link.
    _set_fields(shop, skus, visibility=4)
    run = await shop.run("sync_listings", fields=["visibility"], store_code="nl")
    assert run.status == "failed"
    assert "check the store code setting" in str(run.error)
    assert _variants(shop)[skus[0]].link_state == "linked"
