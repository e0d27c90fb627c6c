"""Magento's side of the shared order flows: get_orders and sync_orders.

get_orders: `MagentoOrders` gives `connectors.flows.orders` pages of 50 orders (with their
invoices) and maps them; after the pages, each imported order that does not show the
acknowledgment comment yet gets it (looked for first, so never twice).

sync_orders: `MagentoShipments` pushes each shipment with `POST /V1/order/{id}/ship`. The
intent is recorded before the call, so a worker that dies after Magento accepted it leaves
the shipment "uncertain"; the flow then reads the order's shipments before shipping again.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from store.commands import pii, shipment_push
from store.commands.shipment_push import ShipmentPush

from ..context import RunContext
from ..errors import FatalError
from ..flows.orders import OrderRows, import_orders
from ..flows.shipments import push_shipments
from ..paging import Page, Token
from . import mapping
from .client import HTTP_SETTINGS, MagentoClient, error_message, magento_auth
from .settings import Common, OrderSettings, SyncOrderSettings

PUSHING = "pushing to Magento: not confirmed yet"


def magento_client(ctx: RunContext, common: Common) -> MagentoClient:
    """The run's `MagentoClient` over the connection's shared HTTP client."""
    token = ctx.secrets.get("access_token")
    if not token:
        raise FatalError(
            f"{ctx.owner.name}: the connection has no access_token; paste the integration's "
            "Access Token (System > Integrations > Activate) into the connection"
        )
    http = ctx.http_client(auth=magento_auth(str(token)), settings=HTTP_SETTINGS)
    return MagentoClient(http, page_size=common.page_size, store_code=common.store_code)


class MagentoOrders:
    """Orders created within the last `days` days with the chosen statuses (all if none)."""

    first_page: Token = 1

    def __init__(self, client: MagentoClient, settings: OrderSettings) -> None:
        self.client = client
        self.settings = settings
        since = datetime.now(UTC) - timedelta(days=settings.days)
        self.created_from = mapping.magento_date(since)
        self.invoices: dict[str, list[dict[str, Any]]] = {}
        self.to_acknowledge: dict[int, dict[str, Any]] = {}

    async def orders_page(self, token: Token) -> Page[dict[str, Any]]:
        """Order page `token` (50 orders, ascending by id) and the invoices of its orders."""
        page = await self.client.orders_page(
            int(str(token)), statuses=self.settings.statuses, created_from=self.created_from
        )
        ids = [int(o["entity_id"]) for o in page.items if str(o.get("entity_id", "")).isdigit()]
        self.invoices = {}
        for invoice in await self.client.invoices(ids):
            self.invoices.setdefault(str(invoice.get("order_id")), []).append(invoice)
        return page

    def map_order(self, order: dict[str, Any]) -> OrderRows:
        """The order's rows; an order without shipping information is held with the reason."""
        row, lines = mapping.order_to_rows(
            order,
            use_parent_item_id=self.settings.use_parent_item_id,
            invoices=self.invoices.get(str(order.get("entity_id")), []),
        )
        reason = mapping.missing_shipping(order)
        if reason is not None:
            row["hold_reason"] = reason
        self.to_acknowledge[int(order["entity_id"])] = order
        return row, lines

    async def acknowledge(self, ctx: RunContext) -> None:
        """Post the acknowledgment comment on each imported order that lacks it."""
        text = self.settings.acknowledgment_comment
        for order_id, order in self.to_acknowledge.items():
            histories = order.get("status_histories") or []
            if any(str(h.get("comment") or "") == text for h in histories if isinstance(h, dict)):
                continue
            try:
                await self.client.add_comment(
                    order_id,
                    {"comment": text, "is_customer_notified": 0, "is_visible_on_front": 0},
                )
            except FatalError as exc:
                if exc.pauses_integration:
                    raise
                ctx.record_error(
                    f"order {order.get('increment_id') or order_id}", error_message(exc)
                )
                continue
            ctx.count("acknowledged")


class MagentoShipments:
    """A shipment as `order/{id}/ship` with its lines, one track and the guide's switches."""

    def __init__(self, ctx: RunContext, client: MagentoClient, settings: SyncOrderSettings):
        self.ctx = ctx
        self.client = client
        self.settings = settings

    async def already_pushed(self, push: ShipmentPush) -> bool:
        """Whether the Magento order already has a shipment with this tracking number."""
        for shipment in await self.client.shipments(int(push.order_external_id)):
            tracks = shipment.get("tracks") or []
            if any(str(t.get("track_number")) == push.tracking_number.strip() for t in tracks):
                return True
        return False

    async def push_shipment(self, push: ShipmentPush) -> None:
        """Check the item ids, record the intent, then ship (the flow checked the tracking)."""
        order_id = int(push.order_external_id)
        order = await self.client.order(order_id)
        on_order = {str(i.get("item_id")): i for i in order.get("items") or []}
        missing = [line.sku for line in push.lines if line.line_external_id not in on_order]
        if missing or not push.lines:
            raise FatalError(
                f"{mapping.ITEM_ID_MISMATCH}: {', '.join(missing) or 'no lines'} "
                f"not on Magento order {order.get('increment_id') or order_id} by item id"
            )
        items = [(int(str(line.line_external_id)), line.quantity) for line in push.lines]
        comment = ""
        if self.settings.append_comment or self.settings.visible_on_front:
            comment = mapping.shipment_comment(
                self.settings.comment,
                carrier=push.carrier,
                service=push.service,
                tracking=push.tracking_number,
            )
        body = mapping.ship_body(
            items=items,
            carrier=push.carrier,
            service=push.service,
            tracking=push.tracking_number,
            notify=self.settings.notify_customer,
            append_comment=self.settings.append_comment,
            comment=comment,
            visible_on_front=self.settings.visible_on_front,
            source_code=self.settings.source_code if self.settings.extension_attribute else None,
        )
        # Intent first: if we die after Magento accepts, the next run looks before shipping.
        await self.ctx.write(shipment_push.record_push, push.id, PUSHING)
        try:
            await self.client.ship(order_id, body)
        except FatalError as exc:
            if exc.pauses_integration:
                raise
            raise FatalError(f"Magento refused the shipment: {error_message(exc)}") from None

    async def complete_order(self, order_external_id: str) -> None:
        """Nothing to send: Magento completes an invoiced order on its last shipment."""


async def get_orders(ctx: RunContext) -> None:
    """Import orders (pages of 50) created within "Get Orders Created Within the Last X Days"
    with "Get Orders with Order Status" (all when none), once each; send the acknowledgment;
    scrub personal data of orders shipped longer ago than the retention allows."""
    settings = OrderSettings.parse(ctx.settings, ctx.integration.name)
    source = MagentoOrders(magento_client(ctx, settings.common), settings)
    await import_orders(ctx, source)
    if settings.acknowledge:
        await source.acknowledge(ctx)
    if settings.pii_retention != "indefinitely":
        # "Personal Identifying Information Retention": scrubbed once, N days after shipment.
        days = int(settings.pii_retention)
        scrubbed = await ctx.write(pii.scrub_shipped_orders, ctx.owner_id, days)
        if scrubbed:
            ctx.count("pii_scrubbed", scrubbed)


async def sync_orders(ctx: RunContext) -> None:
    """Push each unsynced shipment once with `order/{id}/ship` (partial shipments as they
    come); the order's line ids come from get_orders ("Use Parent Item ID Instead of Item ID")."""
    settings = SyncOrderSettings.parse(ctx.settings, ctx.integration.name)
    target = MagentoShipments(ctx, magento_client(ctx, settings.common), settings)
    await push_shipments(ctx, target, complete_when_shipped=True)
