"""Sync & Link Listings' link step: the store's products linked to inventory on SKU, cheaply.

Walking the whole catalogue every sync costs a request per page (and per configurable)
however little changed. Instead each run looks up only what may have changed since the
integration's last good run:

- products created or changed on Magento since then (`updated_at gteq`, an hour's margin
  for clock skew): usually one request for an empty page;
- SKUs that appeared on our side since then (new inventory, variants left unlinked), in
  batches of `sku in (...)` with each item's parent SKU, so a configurable comes with
  its children.

The first run (or one after no good run) looks up every unlinked inventory SKU the same
way, or walks the catalogue when that takes fewer requests (a store much smaller than the
supplier's catalogue). The pages go through the shared catalogue walk and link writes.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from store.commands.channel_listings import link_candidates
from store.queries.runs import last_import_started

from ..context import RunContext
from ..flows.catalogue import CataloguePage, link_catalogue
from ..paging import Token
from .client import MagentoClient
from .mapping import magento_date
from .operations_listings import MagentoCatalogue

SKU_BATCH = 100  # SKUs per `sku in (...)` lookup (the URL stays a few kilobytes)
SKEW = timedelta(hours=1)  # Magento's clock may be behind ours


class SkuBatches:
    """The products among a list of SKUs, `SKU_BATCH` a page, mapped like catalogue pages."""

    first_page: Token = 0

    def __init__(self, catalogue: MagentoCatalogue, skus: list[str]) -> None:
        self.catalogue = catalogue
        self.skus = skus

    async def catalogue_page(self, token: Token) -> CataloguePage:
        """Look up batch `token` (one request) and map what Magento has of it."""
        n = int(str(token))
        batch = self.skus[n * SKU_BATCH : (n + 1) * SKU_BATCH]
        more = (n + 1) * SKU_BATCH < len(self.skus)
        page = CataloguePage(
            records=len(batch), total=len(self.skus), next_token=n + 1 if more else None
        )
        found = await self.catalogue.client.products_by_sku(batch)
        await self.catalogue.map_products(page, found)
        return page


async def link_on_sku(ctx: RunContext, client: MagentoClient, catalogue: MagentoCatalogue) -> str:
    """Link the store's products to inventory on SKU; returns how ("changes since ...",
    "SKU lookups" or "catalogue walk") for the run's note."""
    with ctx.db.read() as session:
        last = last_import_started(session, ctx.integration.id or 0)
    since = None if last is None else _aware(last) - SKEW
    skus = await ctx.write(link_candidates, ctx.owner_id, since)
    if since is not None:
        catalogue.updated_since = magento_date(since)
        await link_catalogue(ctx, catalogue, "sku", keep_linked=True)
        if skus:
            await link_catalogue(ctx, SkuBatches(catalogue, skus), "sku", keep_linked=True)
        return f"changes since {catalogue.updated_since} UTC, {len(skus)} new SKUs looked up"
    if not skus:
        return "nothing to link"
    pages = math.ceil(await client.product_count() / client.page_size)
    if pages <= math.ceil(len(skus) / SKU_BATCH):
        await link_catalogue(ctx, catalogue, "sku", keep_linked=True)
        return f"catalogue walk ({pages} pages: fewer than {len(skus)} SKUs' lookups)"
    await link_catalogue(ctx, SkuBatches(catalogue, skus), "sku", keep_linked=True)
    return f"{len(skus)} SKUs looked up"


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo else when.replace(tzinfo=UTC)
