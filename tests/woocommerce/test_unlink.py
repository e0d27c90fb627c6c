"""A broken link can be fixed (issue 9, B6): unlink then relink on the next link run, or
publish it anew; Create Only links existing listings on SKU (B7)."""

from __future__ import annotations

import sqlalchemy as sa

from store.commands.listings import request_listing_transition, unlink_listings
from store.models import AuditEvent, Listing
from store.models.catalog import Pending
from tests.woocommerce.conftest import Shop
from tests.woocommerce.test_sync import _linked_shop


async def _broken_simple(shop: Shop) -> tuple[str, dict]:
    """A linked simple product deleted on the store and found broken by a sync."""
    skus = await _linked_shop(shop)
    variants = shop.variants()
    state = shop.woo.state
    sku = next(s for s in skus if int(variants[s].external_id or 0) in state.products)
    record = dict(state.products[int(variants[sku].external_id or 0)])
    shop.woo.control("DELETE", f"products/{variants[sku].external_id}")
    await shop.run("sync_listings", markup_percent=50)
    assert shop.variants()[sku].link_state == "broken_link"
    return sku, record


async def test_unlink_then_the_next_link_run_relinks_on_sku(shop: Shop) -> None:
    sku, record = await _broken_simple(shop)
    with shop.db.write() as session:
        result = unlink_listings(session, skus=[sku], actor="tester@cli")
    assert result.changed == [sku]
    row = shop.variants()[sku]
    assert (row.link_state, row.external_id, row.needs_attention) == ("unlinked", None, None)
    with shop.db.read() as session:
        audit = session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "listing.unlink")
        ).one()
        listing = session.get_one(Listing, row.listing_id)
    assert audit.before["link_state"] == "broken_link" and audit.after["link_state"] == "unlinked"
    assert listing.external_id is None
    # The merchant puts the product back by hand: the next link run finds it on SKU.
    state = shop.woo.state
    with state.lock:
        pid = state.new_id()
        state.add_product({**record, "id": pid, "children": []})
        state.skus[sku] = pid
    run = await shop.run("link_listings")
    assert run.status == "succeeded", run.error
    row = shop.variants()[sku]
    assert (row.link_state, row.external_id) == ("linked", str(pid))
    with shop.db.read() as session:
        assert session.get_one(Listing, row.listing_id).external_id == str(pid)


async def test_publish_of_a_broken_listing_creates_the_product_anew(shop: Shop) -> None:
    sku, _ = await _broken_simple(shop)
    with shop.db.write() as session:
        request_listing_transition(session, Pending.PUBLISH, skus=[sku], actor="t")
    run = await shop.run("publish_listings", markup_percent=50)
    assert run.status == "succeeded", run.error
    row = shop.variants()[sku]
    pid = int(row.external_id or 0)
    assert row.link_state == "linked" and row.pending is None
    assert shop.woo.state.products[pid]["sku"] == sku
    again = await shop.run("sync_listings", markup_percent=50)
    assert again.status == "succeeded" and shop.variants()[sku].link_state == "linked"


async def test_publish_of_a_broken_variable_product_recreates_parent_and_variations(
    shop: Shop,
) -> None:
    await _linked_shop(shop)
    state = shop.woo.state
    parent = next(p for p in state.products.values() if len(p["children"]) >= 2)
    children = [state.variations[v]["sku"] for v in parent["children"]]
    shop.woo.control("DELETE", f"products/{parent['id']}")
    await shop.run("sync_listings", markup_percent=50)
    assert all(shop.variants()[s].link_state == "broken_link" for s in children)
    with shop.db.write() as session:
        request_listing_transition(session, Pending.PUBLISH, skus=children, actor="t")
    run = await shop.run("publish_listings", markup_percent=50)
    assert run.status == "succeeded", run.error
    after = shop.variants()
    new_parent = state.products[state.skus[parent["sku"]]]
    assert new_parent["id"] != parent["id"]
    for sku in children:
        assert after[sku].link_state == "linked"
        assert state.variations[int(after[sku].external_id or 0)]["parent_id"] == new_parent["id"]


async def test_unlink_refuses_a_delisted_listing_and_leaves_unlinked_ones(shop: Shop) -> None:
    skus = await _linked_shop(shop)
    variants = shop.variants()
    simple = [s for s in skus if int(variants[s].external_id or 0) in shop.woo.state.products]
    with shop.db.write() as session:
        request_listing_transition(session, Pending.DELIST, skus=[simple[0]], actor="t")
    await shop.run("sync_listings", markup_percent=50)
    with shop.db.write() as session:
        result = unlink_listings(session, skus=[simple[0], simple[1]], actor="t")
    assert simple[0] in result.refused and "delisted" in result.refused[simple[0]]
    assert result.changed == [simple[1]]
    with shop.db.write() as session:
        again = unlink_listings(session, skus=[simple[1]], actor="t")
    assert again.unchanged == [simple[1]]


async def test_create_only_links_existing_listings_on_sku(shop: Shop) -> None:
    await shop.run("import_listings")
    state = shop.woo.state
    simple = next(p for p in state.products.values() if not p["children"])
    sku = simple["sku"]
    with shop.db.write() as session:
        unlink_listings(session, skus=[sku], actor="t")
        session.execute(
            sa.update(Listing).where(Listing.master_sku == sku).values(title="Our own title")
        )
    run = await shop.run("import_listings", mode="create_only")
    assert run.status == "succeeded", run.error
    assert run.counters["variants_linked"] == 1
    assert run.counters["skipped"] == len(shop.variants()) - 1
    assert "variants_created" not in run.counters
    row = shop.variants()[sku]
    assert (row.link_state, row.external_id) == ("linked", str(simple["id"]))
    with shop.db.read() as session:
        listing = session.get_one(Listing, row.listing_id)
    assert listing.title == "Our own title"  # Create Only never overwrites our data
    assert listing.external_id == str(simple["id"])
