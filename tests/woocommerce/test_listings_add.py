"""From supplier inventory to the store (issue 9, A3): listings added from a source's
inventory are priced by the listing rule and created on the store by the next publish."""

from __future__ import annotations

import sqlalchemy as sa

from store.commands.listing_add import add_listings_from_inventory
from store.models import Listing, Source
from tests.woocommerce.conftest import Shop


async def test_inventory_becomes_listings_then_products_on_publish(shop: Shop) -> None:
    shop.add_inventory(
        [
            {"sku": "WPS-1", "cost": "10.00", "quantity": 4},
            {"sku": "WPS-V-S", "parent_sku": "WPS-V", "cost": "20.00", "quantity": 2},
            {"sku": "WPS-V-M", "parent_sku": "WPS-V", "cost": "20.00", "quantity": 3},
            {"sku": "OTHER-1", "cost": "5.00"},
        ]
    )
    with shop.db.write() as session:
        source = session.scalars(sa.select(Source)).one()
        made = add_listings_from_inventory(session, shop.channel_id, source.id or 0, ["WPS-"])
    assert made == (2, 3)
    with shop.db.write() as session:
        again = add_listings_from_inventory(session, shop.channel_id, source.id or 0, ["WPS-"])
    assert again == (0, 0)
    variants = shop.variants()
    assert set(variants) == {"WPS-1", "WPS-V-S", "WPS-V-M"}
    assert all(v.link_state == "unlinked" and v.master_sku == v.sku for v in variants.values())
    run = await shop.run("publish_listings", markup_percent=50)
    assert run.status == "succeeded", run.error
    state = shop.woo.state
    after = shop.variants()
    simple = state.products[int(after["WPS-1"].external_id or 0)]
    assert (simple["sku"], simple["regular_price"], simple["stock_quantity"]) == (
        "WPS-1",
        "15.00",
        4,
    )
    child = state.variations[int(after["WPS-V-M"].external_id or 0)]
    assert state.products[child["parent_id"]]["sku"] == "WPS-V"
    assert child["regular_price"] == "30.00"
    with shop.db.read() as session:
        masters = set(session.scalars(sa.select(Listing.master_sku)))
    assert masters == {"WPS-1", "WPS-V"}
