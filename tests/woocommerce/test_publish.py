"""publish_listings: create missing products, overwrite published ones, bring back delisted."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from store.commands.listings import request_listing_transition
from store.models import Listing, ListingVariant
from store.models.catalog import Pending
from tests.woocommerce.conftest import Shop


def _listing(shop: Shop, master: str, skus: list[str], **fields: object) -> None:
    with shop.db.write() as session:
        listing = Listing(
            channel_id=shop.channel_id,
            master_sku=master,
            title=f"Title {master}",
            description="From Dropdeck",
            images=["https://img.example/dd.jpg"],
            category_one="Tools",
        )
        session.add(listing)
        session.flush()
        for sku in skus:
            session.add(
                ListingVariant(
                    listing_id=listing.id or 0,
                    channel_id=shop.channel_id,
                    sku=sku,
                    master_sku=sku,
                    title=f"Title {sku}",
                    upc="012345678905",
                    **fields,
                )
            )


async def test_publish_creates_simple_and_variable_products(shop: Shop) -> None:
    shop.add_inventory(
        [{"sku": s, "cost": "8.00", "quantity": 5} for s in ("DD-S", "DD-V-1", "DD-V-2")]
    )
    _listing(shop, "DD-S", ["DD-S"])
    _listing(shop, "DD-V", ["DD-V-1", "DD-V-2"])
    run = await shop.run("publish_listings", markup_percent=25)
    assert run.status == "succeeded", run.error
    assert run.counters["variants_created"] == 3 and run.counters["parents_created"] == 2
    state = shop.woo.state
    variants = shop.variants()
    simple = state.products[int(variants["DD-S"].external_id or 0)]
    assert (simple["sku"], simple["regular_price"], simple["stock_quantity"]) == (
        "DD-S",
        "10.00",
        5,
    )
    assert simple["name"] == "Title DD-S" and simple["categories"][0]["name"] == "Tools"
    child = state.variations[int(variants["DD-V-1"].external_id or 0)]
    assert state.products[child["parent_id"]]["sku"] == "DD-V"
    assert all(
        v.link_state == "linked" and v.synced_price == Decimal("10.00") for v in variants.values()
    )
    again = await shop.run("publish_listings", markup_percent=25)
    assert again.summary == "publish_listings succeeded: nothing to do"


async def test_overwrite_updates_content_and_delisted_comes_back_by_publish(shop: Shop) -> None:
    shop.add_inventory([{"sku": "DD-S", "cost": "8.00"}])
    _listing(shop, "DD-S", ["DD-S"])
    await shop.run("publish_listings")
    with shop.db.write() as session:
        session.execute(
            sa.update(Listing).where(Listing.master_sku == "DD-S").values(title="New title")
        )
        request_listing_transition(session, Pending.OVERWRITE, skus=["DD-S"], actor="t")
    await shop.run("publish_listings")
    pid = int(shop.variants()["DD-S"].external_id or 0)
    assert shop.woo.state.products[pid]["name"] == "New title"
    assert shop.variants()["DD-S"].pending is None
    with shop.db.write() as session:
        request_listing_transition(session, Pending.DELIST, skus=["DD-S"], actor="t")
    await shop.run("sync_listings")
    assert pid not in shop.woo.state.products
    assert shop.variants()["DD-S"].link_state == "delisted"
    await shop.run("publish_listings")  # a delisted listing stays off the channel...
    assert shop.variants()["DD-S"].link_state == "delisted"
    with shop.db.write() as session:
        request_listing_transition(session, Pending.PUBLISH, skus=["DD-S"], actor="t")
    await shop.run("publish_listings")  # ...until an operator publishes it
    row = shop.variants()["DD-S"]
    assert row.link_state == "linked" and int(row.external_id or 0) in shop.woo.state.products


async def test_publish_sends_content_edited_since_the_last_publish(shop: Shop) -> None:
    shop.add_inventory([{"sku": s, "cost": "8.00"} for s in ("DD-S", "DD-T")])
    _listing(shop, "DD-S", ["DD-S"])
    _listing(shop, "DD-T", ["DD-T"])
    await shop.run("publish_listings")
    with shop.db.write() as session:  # an edit, with no overwrite asked for
        session.execute(
            sa.update(Listing).where(Listing.master_sku == "DD-S").values(title="Edited")
        )
    run = await shop.run("publish_listings")
    assert run.counters["variants_updated"] == 1  # DD-S only: DD-T did not change
    pid = int(shop.variants()["DD-S"].external_id or 0)
    assert shop.woo.state.products[pid]["name"] == "Edited"
    again = await shop.run("publish_listings")
    assert again.summary == "publish_listings succeeded: nothing to do"


async def test_imported_listings_are_not_republished_until_edited(shop: Shop) -> None:
    await shop.run("import_listings")
    skus = sorted(shop.variants())
    shop.add_inventory([{"sku": s} for s in skus])
    await shop.run("import_listings")
    run = await shop.run("publish_listings")
    assert "variants_updated" not in run.counters
    with shop.db.write() as session:
        session.execute(
            sa.update(ListingVariant).where(ListingVariant.sku == skus[0]).values(upc="0001")
        )
    run = await shop.run("publish_listings")
    assert run.counters["variants_updated"] == 1
