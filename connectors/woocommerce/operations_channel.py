"""WooCommerce's side of the shared channel flows, and the run's client.

import/link listings, get orders and sync orders are the shared channel flows
(`connectors.flows`); this module gives them WooCommerce's side: `WooCatalogue` (product
pages with their variations, mapped), `WooOrders` (order pages) and `WooShipments` (an
order note or a Shipment Tracking item per shipment).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from store.commands.shipment_push import ShipmentPush

from ..context import RunContext
from ..errors import FatalError, MappingError
from ..flows.catalogue import CataloguePage, import_catalogue, link_catalogue
from ..flows.orders import OrderRows, import_orders
from ..flows.shipments import push_shipments
from ..paging import Page, Token
from . import mapping
from .client import HTTP_SETTINGS, WooClient, woocommerce_auth
from .settings import (
    ImportSettings,
    LinkSettings,
    OrderSettings,
    SyncOrderSettings,
    api_version,
)

# Variation lists fetched at once; one uvicorn/PHP worker pool serves them.
VARIATION_CONCURRENCY = 8


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


class WooCatalogue:
    """The store's products, a page (100) at a time, each variable product with its
    variations (`VARIATION_CONCURRENCY` lists at once), mapped to listing rows."""

    first_page: Token = 1

    def __init__(self, client: WooClient) -> None:
        self.client = client
        self._variations = asyncio.Semaphore(VARIATION_CONCURRENCY)

    async def catalogue_page(self, token: Token) -> CataloguePage:
        """Fetch product page `token` and its variations, and map them."""
        result = await self.client.products_page(int(str(token)))
        page = CataloguePage(
            records=len(result.items), total=result.total or 0, next_token=result.next_token
        )
        fetched = await asyncio.gather(*(self._children(p) for p in result.items))
        for product, children in zip(result.items, fetched, strict=True):
            try:
                listing = mapping.product_to_listing(product)
                rows = mapping.product_variants(product, children)
            except MappingError as exc:
                page.errors.append(exc)
                continue
            page.listings.append(listing)
            page.variants[listing["master_sku"]] = rows
        return page

    async def _children(self, product: dict[str, Any]) -> list[dict[str, Any]] | None:
        if product.get("type") != "variable":
            return None
        async with self._variations:
            return await self.client.all_variations(int(product["id"]))


class WooOrders:
    """Orders with the configured statuses created within the last `days` days.

    wc/v3 takes the statuses as one list; wc/v2's `status` filter takes one status, so
    there the walk goes status by status (tokens are (status index, page))."""

    def __init__(self, client: WooClient, settings: OrderSettings) -> None:
        self.client = client
        self.statuses = settings.statuses
        since = datetime.now(UTC) - timedelta(days=settings.days)
        self.after = since.strftime("%Y-%m-%dT%H:%M:%S")
        self.one_status_a_walk = client.api.endswith("/wc/v2")
        self.first_page: Token = (0, 1) if self.one_status_a_walk else 1

    async def orders_page(self, token: Token) -> Page[dict[str, Any]]:
        """Order page `token`, ascending by id."""
        if not self.one_status_a_walk:
            return await self.client.orders_page(
                int(str(token)), statuses=self.statuses, after=self.after
            )
        index, number = cast(tuple[int, int], token)
        page = await self.client.orders_page(
            number, statuses=[self.statuses[index]], after=self.after
        )
        if page.next_token is not None:
            next_token: Token | None = (index, page.next_token)
        elif index + 1 < len(self.statuses):
            next_token = (index + 1, 1)
        else:
            next_token = None
        return Page(items=page.items, next_token=next_token, total=None)

    def map_order(self, order: dict[str, Any]) -> OrderRows:
        """The order's rows for the store."""
        return mapping.order_to_rows(order)


class WooShipments:
    """A shipment as an order note, or as a Shipment Tracking item (`use_shipment_tracking`)."""

    def __init__(self, client: WooClient, settings: SyncOrderSettings) -> None:
        self.client = client
        self.settings = settings

    async def already_pushed(self, push: ShipmentPush) -> bool:
        """Whether the order's trackings (or notes) already name the tracking number."""
        order_id = int(push.order_external_id)
        if self.settings.use_shipment_tracking:
            items = await self.client.trackings(order_id)
            return any(i.get("tracking_number") == push.tracking_number for i in items)
        notes = await self.client.order_notes(order_id)
        return any(push.tracking_number in str(n.get("note", "")) for n in notes)

    async def push_shipment(self, push: ShipmentPush) -> None:
        """Add the tracking item, or the note (emailed to the shopper with `customer_note`)."""
        order_id = int(push.order_external_id)
        if self.settings.use_shipment_tracking:
            item = mapping.tracking_item(push.carrier, push.tracking_number, push.shipped_at)
            await self.client.add_tracking(order_id, item)
            return
        lines = [(line.sku, line.quantity) for line in push.lines]
        text = mapping.shipment_note(push.carrier, push.service, push.tracking_number, lines)
        await self.client.add_order_note(order_id, text, customer_note=self.settings.customer_note)

    async def complete_order(self, order_external_id: str) -> None:
        """Set the order's status to completed."""
        await self.client.update_order(int(order_external_id), {"status": "completed"})


async def import_listings(ctx: RunContext) -> None:
    """Import every product and variation as listings (manual only).

    *Create Only* leaves existing listings as they are; *Create & Overwrite Existing*
    refreshes them from the store. New listings can start paused. Imported variants are
    linked to inventory on SKU only; SKUs that match no listing create new listings.
    """
    settings = ImportSettings.parse(ctx.settings, ctx.integration.name)
    await import_catalogue(
        ctx,
        WooCatalogue(woo_client(ctx)),
        overwrite=settings.mode == "create_and_overwrite",
        new_paused=settings.new_listings_paused,
    )


async def link_listings(ctx: RunContext) -> None:
    """Link the store's products to inventory on SKU or UPC (setting `match_on`).

    A store variant whose SKU (or UPC: the attribute/field named UPC) matches an inventory
    item becomes a linked listing with that inventory's master SKU; delisted listings are
    left alone, broken links are relinked.
    """
    settings = LinkSettings.parse(ctx.settings, ctx.integration.name)
    await link_catalogue(ctx, WooCatalogue(woo_client(ctx)), settings.match_on)


async def get_orders(ctx: RunContext) -> None:
    """Import orders with the configured statuses created within the last `days` days.

    Idempotent on (channel, WooCommerce order id). An order whose shipping method has no
    channel shipping mapping is held with a reason naming the missing key; the others get
    their shipping policy and are routed to sources.
    """
    settings = OrderSettings.parse(ctx.settings, ctx.integration.name)
    await import_orders(ctx, WooOrders(woo_client(ctx), settings))


async def sync_orders(ctx: RunContext) -> None:
    """Push each unsynced shipment once: as an order note, or a Shipment Tracking item when
    `use_shipment_tracking` is on. Partial shipments are pushed as they come; the order is
    marked completed on the store when every line has shipped (`complete_when_shipped`)."""
    settings = SyncOrderSettings.parse(ctx.settings, ctx.integration.name)
    target = WooShipments(woo_client(ctx), settings)
    await push_shipments(ctx, target, complete_when_shipped=settings.complete_when_shipped)
