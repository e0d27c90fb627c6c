"""Magento's side of the shared catalogue walk: import_listings.

`MagentoCatalogue` gives `connectors.flows.catalogue` one page of products (API Page Size)
at a time: configurable products with their children (`configurable-products/{sku}/children`,
a few at once), quantities from MSI source items (one request per page: list responses
carry no `stock_item`), categories resolved to names (one request per run).
"""

from __future__ import annotations

import asyncio
from typing import Any

from ..context import RunContext
from ..errors import MappingError
from ..flows.catalogue import CataloguePage, import_catalogue
from ..paging import Token
from . import mapping
from .client import MagentoClient
from .operations_orders import magento_client
from .settings import ImportSettings

CHILD_CONCURRENCY = 4


class MagentoCatalogue:
    """The store's products a page at a time, mapped to listing rows."""

    first_page: Token = 1

    def __init__(
        self,
        client: MagentoClient,
        settings: ImportSettings,
        media_url: str,
        *,
        updated_since: str | None = None,
    ) -> None:
        self.client = client
        self.settings = settings
        self.media_url = settings.image_url_prefix or media_url
        self.updated_since = updated_since  # only products created or changed since then
        self.categories: dict[str, str] | None = None
        self._children = asyncio.Semaphore(CHILD_CONCURRENCY)

    async def catalogue_page(self, token: Token) -> CataloguePage:
        """Fetch product page `token`, its configurables' children and its quantities."""
        result = await self.client.products_page(int(str(token)), updated_since=self.updated_since)
        page = CataloguePage(
            records=len(result.items), total=result.total, next_token=result.next_token
        )
        await self.map_products(page, result.items)
        return page

    async def map_products(self, page: CataloguePage, found: list[dict[str, Any]]) -> None:
        """Map `found` products (with their configurables' children and quantities) into
        `page`'s rows; a product that does not map is one of its errors."""
        # Children ("Not Visible Individually") come with their parent, not on their own.
        products = [p for p in found if p.get("visibility") != 1]
        if not products:
            return
        if self.categories is None:  # one request per run, and only if a product needs it
            self.categories = {
                str(c.get("id")): str(c.get("name") or "") for c in await self.client.categories()
            }
        kids = await asyncio.gather(*(self._kids(p) for p in products))
        skus = [str(p.get("sku") or "") for p in products]
        skus += [str(k.get("sku") or "") for group in kids for k in group]
        stock = await self.client.source_items([s for s in skus if s])
        for product, children in zip(products, kids, strict=True):
            try:
                listing, variants = mapping.product_to_listing(
                    product,
                    children,
                    stock=stock,
                    categories=self.categories,
                    media_url=self.media_url,
                    master_sku=self.settings.master_sku,
                )
            except MappingError as exc:
                page.errors.append(exc)
                continue
            page.listings.append(listing)
            page.variants[listing["master_sku"]] = variants

    async def _kids(self, product: dict[str, Any]) -> list[dict[str, Any]]:
        if product.get("type_id") != "configurable":
            return []
        async with self._children:
            return await self.client.children(str(product.get("sku")))


async def import_listings(ctx: RunContext) -> None:
    """Import simple and configurable products as listings (manual only): "Set New Listings
    to Paused", the Master SKU field, "Create only" or "Create and update", image URL prefix."""
    settings = ImportSettings.parse(ctx.settings, ctx.integration.name)
    client = magento_client(ctx, settings.common)
    media_url = ctx.base_url.rstrip("/") + "/media/catalog/product"
    await import_catalogue(
        ctx,
        MagentoCatalogue(client, settings, media_url),
        overwrite=settings.mode == "create_and_update",
        new_paused=settings.new_listings_paused,
    )
