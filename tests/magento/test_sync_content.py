"""sync_listings writes the listing's content (Name, Description, Short Description,
Images, Categories, Variant UPC) only when it changed, read back from the Magento sandbox."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from connectors.sandboxing.serve import RunningServer
from store.commands.listing_fields import set_listing_fields
from store.models import Listing, ListingVariant
from tests.magento.conftest import Shop

CONTENT = ["name", "description", "short_description", "images", "categories", "upc"]


def _attr(product: dict[str, Any], code: str) -> Any:
    for attr in product["custom_attributes"]:
        if attr["attribute_code"] == code:
            return attr["value"]
    return None


def _category_names(shop: Shop, product: dict[str, Any]) -> list[str]:
    state = shop.mag.state
    links = product["extension_attributes"]["category_links"]
    return [state.categories[int(link["category_id"])]["name"] for link in links]


async def _imported(shop: Shop) -> tuple[list[str], str]:
    """Import the catalogue, link three simple products and one configurable's children
    to inventory; (the simple SKUs, the configurable's SKU)."""
    state = shop.mag.state
    simple = sorted(
        s for s, p in state.products.items() if p["type_id"] == "simple" and p["visibility"] != 1
    )[:3]
    config = sorted(s for s, p in state.products.items() if p["type_id"] == "configurable")[0]
    shop.add_inventory([*simple, f"{config}-R", f"{config}-B", f"{config}-K"], quantity=7)
    run = await shop.run("import_listings")
    assert run.status == "succeeded", run.error
    # Price and stock from inventory go out first, so what follows is content alone.
    run = await shop.run("sync_listings")
    assert run.status == "succeeded", run.error
    return simple, config


def _edit_listing(shop: Shop, master: str, **values: Any) -> None:
    with shop.db.write() as session:
        listing = session.scalars(sa.select(Listing).where(Listing.master_sku == master)).one()
        for name, value in values.items():
            setattr(listing, name, value)
        session.add(listing)


def _edit_variant(shop: Shop, sku: str, **values: Any) -> None:
    with shop.db.write() as session:
        row = session.scalars(sa.select(ListingVariant).where(ListingVariant.sku == sku)).one()
        for name, value in values.items():
            setattr(row, name, value)
        session.add(row)


async def test_imported_content_is_not_written_back(shop: Shop) -> None:
    await _imported(shop)
    run = await shop.run("sync_listings", fields=CONTENT)
    assert run.status == "succeeded", run.error
    assert run.counters.get("sync_requests", 0) == 0, run.counters


async def test_simple_product_content_written_once_and_only_what_changed(
    shop: Shop, images: RunningServer
) -> None:
    simple, _ = await _imported(shop)
    state = shop.mag.state
    sku, other = simple[0], simple[1]
    before_other = dict(state.products[other])
    old_files = [e["file"] for e in state.products[sku]["media_gallery_entries"]]
    with shop.db.read() as session:
        listing = session.scalars(sa.select(Listing).where(Listing.master_sku == sku)).one()
        kept_images = list(listing.images)
    new_image = f"{images.base_url}/img/front.png"
    _edit_listing(
        shop,
        sku,
        title="Blue T-Shirt",
        description="A comfortable blue t-shirt made of 100% cotton.",
        images=[*kept_images, new_image],
        category_one="Apparel",
        category_two="Socks",
    )
    _edit_variant(shop, sku, upc="012345678905")
    with shop.db.write() as session:
        set_listing_fields(session, shop.channel_id, [sku], {"short_description": "Blue cotton."})
    run = await shop.run("sync_listings", fields=["price", "quantity", *CONTENT])
    assert run.status == "succeeded", run.error
    product = state.products[sku]
    assert product["name"] == "Blue T-Shirt"
    assert _attr(product, "description") == "A comfortable blue t-shirt made of 100% cotton."
    assert _attr(product, "short_description") == "Blue cotton."
    assert _attr(product, "upc") == "012345678905"
    assert _category_names(shop, product) == ["Apparel", "Socks"]
    socks = [c for c in state.categories.values() if c["name"] == "Socks"]
    assert len(socks) == 1 and socks[0]["parent_id"] == 3  # under the main store's Apparel
    gallery = product["media_gallery_entries"]
    # The imported images are recognised as Magento's own: only the new one is uploaded.
    assert [e["file"] for e in gallery[: len(old_files)]] == old_files
    assert [e["label"] for e in gallery[len(old_files) :]] == [new_image]
    assert state.products[other]["updated_at"] == before_other["updated_at"]  # untouched
    # lookup + PUT + media list + upload + store views + store groups + category list +
    # the new category: the request count is reported.
    assert run.counters["sync_requests"] == 8, run.counters
    assert run.counters["variants_updated"] == 1
    # Nothing changed since: nothing is sent.
    again = await shop.run("sync_listings", fields=["price", "quantity", *CONTENT])
    assert again.counters.get("sync_requests", 0) == 0, again.counters
    # Only the name changes: only the name is written (the merchant's own price and
    # description on Magento stay), in one lookup and one PUT.
    product["price"] = 99.0
    product["custom_attributes"] = [
        a if a["attribute_code"] != "description" else {**a, "value": "Merchant's words"}
        for a in product["custom_attributes"]
    ]
    _edit_listing(shop, sku, title="Navy T-Shirt")
    run = await shop.run("sync_listings", fields=["price", "quantity", *CONTENT])
    assert run.status == "succeeded", run.error
    assert run.counters["sync_requests"] == 2, run.counters
    assert product["name"] == "Navy T-Shirt" and product["price"] == 99.0
    assert _attr(product, "description") == "Merchant's words"
    assert len(product["media_gallery_entries"]) == len(old_files) + 1  # never twice


async def test_a_field_not_chosen_waits_for_the_sync_that_chooses_it(shop: Shop) -> None:
    simple, _ = await _imported(shop)
    sku = simple[0]
    _edit_listing(shop, sku, description="New words")
    run = await shop.run("sync_listings", fields=["price", "name"])
    assert run.counters.get("sync_requests", 0) == 0, run.counters
    assert _attr(shop.mag.state.products[sku], "description") != "New words"
    # A price change meets a sync of content alone: it is not sent, and not forgotten.
    run = await shop.run(
        "sync_listings", fields=["description"], price_from="cost", markup_percent=50
    )
    assert run.status == "succeeded", run.error
    assert _attr(shop.mag.state.products[sku], "description") == "New words"
    assert run.counters["sync_requests"] == 2
    assert shop.mag.state.products[sku]["price"] != 15.0
    run = await shop.run("sync_listings", fields=["price"], price_from="cost", markup_percent=50)
    assert run.status == "succeeded", run.error
    assert shop.mag.state.products[sku]["price"] == 15.0, (run.counters, run.summary)


async def test_configurable_parent_takes_listing_content_children_their_own(
    shop: Shop, images: RunningServer
) -> None:
    _, config = await _imported(shop)
    state = shop.mag.state
    red, blue = f"{config}-R", f"{config}-B"
    untouched = dict(state.products[blue])
    _edit_listing(
        shop,
        config,
        title="Trail Tent",
        description="Sleeps two.",
        images=[f"{images.base_url}/img/tent.png"],
        category_one="Outdoor",
        category_two="Tents",
    )
    _edit_variant(shop, red, title="Trail Tent - Red", upc="036000291452")
    with shop.db.write() as session:
        set_listing_fields(session, shop.channel_id, [red], {"short_description": "Light."})
    run = await shop.run("sync_listings", fields=CONTENT)
    assert run.status == "succeeded", run.error
    parent = state.products[config]
    assert parent["name"] == "Trail Tent"
    assert _attr(parent, "description") == "Sleeps two."
    assert _attr(parent, "short_description") == "Light."  # the parent's, not the child's
    assert _category_names(shop, parent) == ["Outdoor", "Tents"]
    assert [e["label"] for e in parent["media_gallery_entries"]][-1].endswith("/img/tent.png")
    child = state.products[red]
    assert (child["name"], _attr(child, "upc")) == ("Trail Tent - Red", "036000291452")
    assert _attr(child, "description") != "Sleeps two."  # the child keeps its own
    assert (
        child["extension_attributes"]["category_links"]
        != parent["extension_attributes"]["category_links"]
    )
    assert state.products[blue]["updated_at"] == untouched["updated_at"]
    assert run.counters["parents_updated"] == 1
    again = await shop.run("sync_listings", fields=CONTENT)
    assert again.counters.get("sync_requests", 0) == 0, again.counters


async def test_an_image_that_cannot_be_fetched_needs_attention_the_rest_is_written(
    shop: Shop, images: RunningServer
) -> None:
    simple, _ = await _imported(shop)
    sku = simple[0]
    _edit_listing(shop, sku, title="Renamed", images=[f"{images.base_url}/nothing/here.png"])
    run = await shop.run("sync_listings", fields=["name", "images"])
    assert run.status == "partial", run.error
    assert shop.mag.state.products[sku]["name"] == "Renamed"
    with shop.db.read() as session:
        row = session.scalars(sa.select(ListingVariant).where(ListingVariant.sku == sku)).one()
    assert "could not be fetched" in str(row.needs_attention)
    # The name is settled; the images are tried again by the next sync.
    again = await shop.run("sync_listings", fields=["name", "images"])
    # lookup, media list (no PUT: nothing else of the product changed)
    assert again.counters["sync_requests"] == 2, again.counters
