"""The ShipStation channel's integration kinds, registered for the job engine.

- sync_listings: links listings on SKU only (the shared catalogue walk over GET /products);
  it never writes product data to ShipStation, as the integration guide says.
- get_orders: `orders_in` (the shared get-orders flow, then "Assign User ID after order
  Import" and the guide's "My orders are not importing" answers).
- sync_orders: `orders_out` (markasshipped once per order, carrier checked against the
  account's carriers).
"""

from __future__ import annotations

from ..context import RunContext
from ..errors import FatalError, MappingError
from ..flows.catalogue import CataloguePage, link_catalogue
from ..paging import Token
from ..registry import operation
from ..settings import no_templates
from . import mapping, orders_in, orders_out
from .client import HTTP_SETTINGS, ShipStationClient, auth
from .settings import SyncListingsSettings

SYSTEM = "shipstation"


def shipstation_client(ctx: RunContext) -> ShipStationClient:
    """The run's `ShipStationClient` over the connection's shared HTTP client."""
    secrets = ctx.secrets
    missing = [k for k in ("api_key", "api_secret") if not (secrets.get(k) or "").strip()]
    if missing:
        raise FatalError(
            f"{ctx.owner.name}: the connection has no {' or '.join(missing)}; add the API Key "
            "and API Secret Key from ShipStation's Settings > Account > API Settings"
        )
    http = ctx.http_client(
        auth=auth(secrets["api_key"], secrets["api_secret"]), settings=HTTP_SETTINGS
    )
    return ShipStationClient(http)


class ShipStationCatalogue:
    """ShipStation's products, 500 a page, as one-variant listings keyed by trimmed SKU."""

    first_page: Token = 1

    def __init__(self, client: ShipStationClient) -> None:
        self.client = client

    async def catalogue_page(self, token: Token) -> CataloguePage:
        """Fetch product page `token` and map it (a product without SKU cannot link)."""
        result = await self.client.products_page(int(str(token)))
        page = CataloguePage(
            records=len(result.items), total=result.total, next_token=result.next_token
        )
        for product in result.items:
            found = mapping.product_sku(product)
            if found is None:
                ref = f"product {product.get('productId', '?')}"
                page.errors.append(MappingError(ref, "has no SKU; linking is on the SKU field"))
                continue
            product_id, sku = found
            title = str(product.get("name") or "")
            page.listings.append({"master_sku": sku, "external_id": product_id, "title": title})
            page.variants[sku] = [
                {"sku": sku, "external_id": product_id, "title": title, "upc": None}
            ]
        return page


@operation(SYSTEM, "sync_listings")
async def sync_listings(ctx: RunContext) -> None:
    """Link ShipStation's products to inventory on SKU. Nothing is written to ShipStation:
    "Updating product data is not currently supported"."""
    SyncListingsSettings.parse(
        ctx.settings, integration=ctx.integration.name, kind=ctx.kind, templates=no_templates
    )
    await link_catalogue(ctx, ShipStationCatalogue(shipstation_client(ctx)), "sku")


@operation(SYSTEM, "get_orders")
async def get_orders(ctx: RunContext) -> None:
    """Import new ShipStation orders (see `orders_in.get_orders`)."""
    await orders_in.get_orders(ctx, shipstation_client(ctx))


@operation(SYSTEM, "sync_orders")
async def sync_orders(ctx: RunContext) -> None:
    """Mark shipped orders shipped in ShipStation (see `orders_out.sync_orders`)."""
    await orders_out.sync_orders(ctx, shipstation_client(ctx))
