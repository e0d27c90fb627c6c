"""publish_listings against the Magento sandbox: create and update, configurables, images."""

from __future__ import annotations

import sqlalchemy as sa

from connectors.sandboxing.serve import RunningServer
from store.models import Listing, ListingVariant
from tests.magento.conftest import Shop


def _listing(shop: Shop, master: str, skus: list[str], images: list[str]) -> None:
    with shop.db.write() as session:
        listing = Listing(
            channel_id=shop.channel_id,
            master_sku=master,
            title=f"Title {master}",
            description="From Dropdeck",
            images=images,
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
                )
            )


def _variants(shop: Shop) -> dict[str, ListingVariant]:
    with shop.db.read() as session:
        return {v.sku: v for v in session.scalars(sa.select(ListingVariant))}


async def test_publish_creates_simple_and_configurable_with_images_once(
    shop: Shop, images: RunningServer
) -> None:
    shop.add_inventory(["DD-S", "DD-V-1", "DD-V-2"], quantity=5)
    pics = [f"{images.base_url}/img/a.png", f"{images.base_url}/img/b.png"]
    _listing(shop, "DD-S", ["DD-S"], pics)
    _listing(shop, "DD-V", ["DD-V-1", "DD-V-2"], pics[:1])
    run = await shop.run("publish_listings", images="direct_copy", markup_percent=25)
    assert run.status == "succeeded", run.error
    state = shop.mag.state
    simple = state.products["DD-S"]
    assert (simple["name"], simple["price"], simple["type_id"]) == ("Title DD-S", 12.5, "simple")
    assert simple["extension_attributes"]["stock_item"]["qty"] == 5
    assert [e["label"] for e in simple["media_gallery_entries"]] == pics
    parent = state.products["DD-V"]
    assert parent["type_id"] == "configurable"
    kids = {state.by_id[i] for i in parent["extension_attributes"]["configurable_product_links"]}
    assert kids == {"DD-V-1", "DD-V-2"} and state.products["DD-V-1"]["visibility"] == 1
    variants = _variants(shop)
    assert variants["DD-S"].link_state == "linked"
    assert variants["DD-S"].external_id == str(simple["id"])
    # A foreign image on Magento stays (override false); ours are not sent twice.
    shop.mag.api(
        "POST",
        "products/DD-S/media",
        json={
            "entry": {
                "label": "merchant",
                "content": {
                    "base64_encoded_data": "aGVsbG8=",
                    "type": "image/jpeg",
                    "name": "m.jpg",
                },
            }
        },
    )
    with shop.db.write() as session:
        for v in session.scalars(sa.select(ListingVariant)):
            v.pending = "overwrite"
            session.add(v)
    run = await shop.run("publish_listings", images="direct_copy")
    assert run.status == "succeeded", run.error
    labels = [e["label"] for e in state.products["DD-S"]["media_gallery_entries"]]
    assert labels == [*pics, "merchant"]
    with shop.db.write() as session:
        for v in session.scalars(sa.select(ListingVariant)):
            v.pending = "overwrite"
            session.add(v)
    run = await shop.run("publish_listings", images="direct_copy", override_images=True)
    assert run.status == "succeeded", run.error
    assert [e["label"] for e in state.products["DD-S"]["media_gallery_entries"]] == pics


async def test_publish_switches_duplicate_sku_and_required_name(shop: Shop) -> None:
    existing = next(p for p in shop.mag.state.products.values() if p["type_id"] == "simple")
    shop.add_inventory([existing["sku"], "DD-NEW"], quantity=3)
    _listing(shop, existing["sku"], [existing["sku"]], [])
    _listing(shop, "DD-NEW", ["DD-NEW"], [])
    run = await shop.run("publish_listings", update_existing=False, create_new=False)
    assert run.status == "partial", run.error
    variants = _variants(shop)
    assert variants[existing["sku"]].needs_attention.startswith("duplicate SKU")
    assert "Create New Products is off" in str(variants["DD-NEW"].needs_attention)
    assert "DD-NEW" not in shop.mag.state.products
    run = await shop.run("publish_listings")
    assert run.status == "succeeded", run.error
    assert shop.mag.state.products[existing["sku"]]["name"] == f"Title {existing['sku']}"
    assert _variants(shop)["DD-NEW"].link_state == "linked"


async def test_publish_files_categories_and_sends_special_price(shop: Shop) -> None:
    shop.add_inventory(["DD-C", "DD-W-1", "DD-W-2"], quantity=4)
    _listing(shop, "DD-C", ["DD-C"], [])
    _listing(shop, "DD-W", ["DD-W-1", "DD-W-2"], [])
    with shop.db.write() as session:
        for listing in session.scalars(sa.select(Listing)):
            # "Apparel" exists (id 3); "Socks" under it does not yet: it is created once.
            listing.category_one, listing.category_two = "Apparel", "Socks"
            session.add(listing)
        for v in session.scalars(sa.select(ListingVariant)):
            v.extra = {"special_price": "7.25", "visibility": 2, "max_sale_qty": 6}
            v.extra["short_description"] = "Short one"
            session.add(v)
    run = await shop.run("publish_listings")
    assert run.status == "succeeded", run.error
    state = shop.mag.state
    socks = [c for c in state.categories.values() if c["name"] == "Socks"]
    assert len(socks) == 1 and socks[0]["parent_id"] == 3
    for sku in ("DD-C", "DD-W"):
        links = state.products[sku]["extension_attributes"]["category_links"]
        assert [link["category_id"] for link in links] == ["3", str(socks[0]["id"])]
    for sku in ("DD-C", "DD-W-1"):
        attrs = {a["attribute_code"]: a["value"] for a in state.products[sku]["custom_attributes"]}
        assert attrs["special_price"] == 7.25
        assert attrs["short_description"] == "Short one"
        assert state.products[sku]["extension_attributes"]["stock_item"]["max_sale_qty"] == 6
    # The listing's Visibility for a simple product; a configurable's child is never alone.
    assert (state.products["DD-C"]["visibility"], state.products["DD-W-1"]["visibility"]) == (2, 1)
    # Published values are what Magento has: a sync of Special Price sends nothing.
    assert _variants(shop)["DD-C"].extra["synced"]["special_price"] == "7.25"
    assert _variants(shop)["DD-C"].extra["synced"]["visibility"] == 2
    sync = await shop.run("sync_listings", fields=["special_price", "max_sale_qty"])
    assert sync.counters.get("sync_requests", 0) == 0, sync.counters
    # An update moves the product to the listing's new categories and special price.
    with shop.db.write() as session:
        listing = session.scalars(sa.select(Listing).where(Listing.master_sku == "DD-C")).one()
        listing.category_one, listing.category_two = "Tools", None
        session.add(listing)
        v = session.scalars(sa.select(ListingVariant).where(ListingVariant.sku == "DD-C")).one()
        v.extra = {**v.extra, "special_price": "6.00"}
        v.pending = "overwrite"
        session.add(v)
    run = await shop.run("publish_listings")
    assert run.status == "succeeded", run.error
    product = state.products["DD-C"]
    assert [link["category_id"] for link in product["extension_attributes"]["category_links"]] == [
        "6"
    ]
    attrs = {a["attribute_code"]: a["value"] for a in product["custom_attributes"]}
    assert attrs["special_price"] == 6.0


async def test_publish_files_categories_under_the_store_groups_root(shop: Shop) -> None:
    state = shop.mag.state
    shop.add_inventory(["DD-O"], quantity=2)
    _listing(shop, "DD-O", ["DD-O"], [])
    with shop.db.write() as session:
        listing = session.scalars(sa.select(Listing)).one()
        listing.category_one, listing.category_two = "Apparel", "Socks"
        session.add(listing)
    # The outlet store view's group files under its own root (11), not the Default Category.
    run = await shop.run("publish_listings", store_code="outlet")
    assert run.status == "succeeded", run.error
    apparel = [c for c in state.categories.values() if c["name"] == "Apparel"]
    ours = [c for c in apparel if c["parent_id"] == 11]
    assert len(apparel) == 2 and len(ours) == 1  # the main store's Apparel (3) is not used
    socks = [c for c in state.categories.values() if c["name"] == "Socks"]
    assert len(socks) == 1 and socks[0]["parent_id"] == ours[0]["id"]
    links = state.products["DD-O"]["extension_attributes"]["category_links"]
    assert [link["category_id"] for link in links] == [str(ours[0]["id"]), str(socks[0]["id"])]
    # The main store's root is read from Magento too (here moved to "Outdoor", 8).
    state.store_groups[1]["root_category_id"] = 8
    with shop.db.write() as session:
        v = session.scalars(sa.select(ListingVariant)).one()
        v.pending = "overwrite"
        session.add(v)
    run = await shop.run("publish_listings")
    assert run.status == "succeeded", run.error
    under_8 = [c for c in state.categories.values() if c["parent_id"] == 8]
    assert {c["name"] for c in under_8} == {"Camping", "Apparel"}
    # A group without a root category stops the run (paused), naming the setting.
    state.store_groups[1]["root_category_id"] = 0
    with shop.db.write() as session:
        v = session.scalars(sa.select(ListingVariant)).one()
        v.pending = "overwrite"
        session.add(v)
    run = await shop.run("publish_listings", store_code="default")
    assert run.status == "failed"
    assert "check the store code setting" in (run.error or "")
