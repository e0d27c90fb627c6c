"""What every WooCommerce operation shares: the client for a run, the catalogue walk, store calls.

The catalogue walk fetches product pages and, for variable products, their variations with
bounded concurrency, and hands each page on through a small queue so the store writes of
page N overlap the HTTP of page N+1 (DESIGN: "synchronous store calls run off the loop").
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ..context import RunContext
from ..errors import FatalError, MappingError, RecordError
from ..paging import paginate
from . import mapping
from .client import HTTP_SETTINGS, WooClient, woocommerce_auth
from .settings import api_version

T = TypeVar("T")
# Variation lists fetched at once; one uvicorn/PHP worker pool serves them.
VARIATION_CONCURRENCY = 8
# Pages fetched ahead of the store writes (bounds memory to a few pages).
PREFETCH_PAGES = 2


def woo_client(ctx: RunContext) -> WooClient:
    """The run's `WooClient` over the connection's shared HTTP client."""
    secrets = ctx.secrets
    missing = [k for k in ("consumer_key", "consumer_secret") if not secrets.get(k)]
    if missing:
        raise FatalError(
            f"{ctx.owner.name}: the connection has no {' or '.join(missing)}; "
            "add the WooCommerce REST API keys to the connection"
        )
    auth = woocommerce_auth(ctx.base_url, secrets["consumer_key"], secrets["consumer_secret"])
    http = ctx.http_client(auth=auth, settings=HTTP_SETTINGS)
    return WooClient(http, api=api_version(ctx.settings, ctx.integration.name))


@dataclass
class CatalogPage:
    """One page of products mapped to rows; products that failed are in `errors`."""

    number: int
    total: int
    products: int = 0
    next_token: int | None = None
    listings: list[dict[str, Any]] = field(default_factory=list)
    variants: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # by master_sku
    errors: list[RecordError] = field(default_factory=list)


async def _map_page(client: WooClient, number: int, sem: asyncio.Semaphore) -> CatalogPage:
    result = await client.products_page(number)
    page = CatalogPage(number=number, total=result.total or 0, products=len(result.items))

    async def variations(product: dict[str, Any]) -> list[dict[str, Any]] | None:
        if product.get("type") != "variable":
            return None
        async with sem:
            return await client.all_variations(int(product["id"]))

    fetched = await asyncio.gather(*(variations(p) for p in result.items))
    for product, children in zip(result.items, fetched, strict=True):
        try:
            listing = mapping.product_to_listing(product)
            rows = mapping.product_variants(product, children)
        except MappingError as exc:
            page.errors.append(exc)
            continue
        page.listings.append(listing)
        page.variants[listing["master_sku"]] = rows
    page.next_token = result.next_token  # type: ignore[assignment]
    return page


async def catalog_pages(client: WooClient) -> AsyncIterator[CatalogPage]:
    """Every product page of the store, mapped, fetched up to `PREFETCH_PAGES` ahead."""
    sem = asyncio.Semaphore(VARIATION_CONCURRENCY)

    async def fetch(number: Any) -> CatalogPage:
        return await _map_page(client, int(number), sem)

    async for page in paginate(fetch, first=1, what="products", ahead=PREFETCH_PAGES):
        yield page
