"""import_listings and link_listings: walk the store's catalogue and write it page by page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..context import RunContext
from . import listings_store
from .common import catalog_pages, woo_client
from .settings import ImportSettings, LinkSettings


async def import_listings(ctx: RunContext) -> None:
    """Import every product and variation as listings (manual only).

    *Create Only* leaves existing listings as they are; *Create & Overwrite Existing*
    refreshes them from the store. New listings can start paused. Imported variants are
    linked to inventory on SKU only; SKUs that match no listing create new listings.
    """
    settings = ImportSettings.parse(ctx.settings, ctx.integration.name)
    if ctx.integration.schedule_type != "manual":
        ctx.log.warning(
            "import.scheduled",
            message=f"{ctx.integration.name}: import_listings runs manually only; "
            "set its schedule to manual",
        )
    channel = await _write_catalogue(
        ctx,
        listings_store.write_import_page,
        overwrite=settings.mode == "create_and_overwrite",
        new_paused=settings.new_listings_paused,
    )
    linked = await ctx.write(listings_store.link_inventory_on_sku, channel)
    if linked:
        ctx.count("linked_to_inventory", linked)


async def link_listings(ctx: RunContext) -> None:
    """Link the store's products to inventory on SKU or UPC (setting `match_on`).

    A store variant whose SKU (or UPC: the attribute/field named UPC) matches an inventory
    item becomes a linked listing with that inventory's master SKU; delisted listings are
    left alone, broken links are relinked.
    """
    settings = LinkSettings.parse(ctx.settings, ctx.integration.name)
    await _write_catalogue(ctx, listings_store.write_link_page, settings.match_on)


async def _write_catalogue(
    ctx: RunContext,
    write: Callable[..., listings_store.PageCounts | dict[str, int]],
    *args: Any,
    **kwargs: Any,
) -> int:
    """Walk the store's catalogue: record each page's errors, then in one transaction
    `write(session, channel, listings, variants, *args, **kwargs)`, count what it did and
    report progress. Returns the channel id."""
    client = woo_client(ctx)
    channel = ctx.owner_id
    done = 0
    async for page in catalog_pages(client):
        for error in page.errors:
            ctx.record_failure(error)
        counts = await ctx.write(write, channel, page.listings, page.variants, *args, **kwargs)
        for name, n in counts.items():
            if n:
                ctx.count(name, n)
        done += page.products
        ctx.progress(done, page.total)
    return channel
