"""sync_listings against the Magento sandbox: link on SKU, only what changed, by SKU."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

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
