"""get_orders and sync_orders: orders in from WooCommerce, tracking back out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from ..context import RunContext
from ..errors import FatalError, MappingError
from ..paging import Page, paginate
from . import mapping, orders_store
from .client import WooClient
from .common import woo_client
from .settings import OrderSettings, SyncOrderSettings


async def get_orders(ctx: RunContext) -> None:
    """Import orders with the configured statuses created within the last `days` days.

    Idempotent on (channel, WooCommerce order id). An order whose shipping method has no
    channel shipping mapping is held with a reason naming the missing key; the others get
    their shipping policy and are routed to sources.
    """
    settings = OrderSettings.parse(ctx.settings, ctx.integration.name)
    client = woo_client(ctx)
    channel = ctx.owner_id
    after = (datetime.now(UTC) - timedelta(days=settings.days)).strftime("%Y-%m-%dT%H:%M:%S")
    done = 0

    async def fetch(page: Any) -> Page[dict[str, Any]]:
        return await client.orders_page(int(page), statuses=settings.statuses, after=after)

    async for result in paginate(fetch, first=1, what="orders"):
        rows = []
        for order in result.items:
            try:
                rows.append(mapping.order_to_rows(order))
            except MappingError as exc:
                ctx.record_failure(exc)
        counts = await ctx.write(orders_store.write_orders_page, channel, rows)
        for name, n in counts.items():
            if n:
                ctx.count(name, n)
        done += len(result.items)
        ctx.progress(done, result.total)


async def sync_orders(ctx: RunContext) -> None:
    """Push each unsynced shipment once: as an order note, or a Shipment Tracking item when
    `use_shipment_tracking` is on. Partial shipments are pushed as they come; the order is
    marked completed on the store when every line has shipped (`complete_when_shipped`)."""
    settings = SyncOrderSettings.parse(ctx.settings, ctx.integration.name)
    client = woo_client(ctx)
    channel = ctx.owner_id
    pushes = await ctx.write(orders_store.shipments_to_push, channel)
    touched: dict[int, int] = {}
    for n, push in enumerate(pushes, 1):
        ref = f"order {push.order_number} shipment {push.tracking_number}"
        try:
            if push.uncertain and await _already_there(client, push, settings):
                ctx.count("already_on_store")
            elif settings.use_shipment_tracking:
                await client.add_tracking(
                    push.order_external_id,
                    mapping.tracking_item(push.carrier, push.tracking_number, push.shipped_at),
                )
            else:
                text = mapping.shipment_note(
                    push.carrier, push.service, push.tracking_number, push.lines
                )
                await client.add_order_note(
                    push.order_external_id, text, customer_note=settings.customer_note
                )
        except FatalError as exc:
            if exc.pauses_integration:
                raise
            await ctx.write(orders_store.record_push, push.id, exc.message)
            ctx.record_error(ref, exc.message)
            continue
        await ctx.write(orders_store.record_push, push.id, None)
        ctx.count("shipments_synced")
        touched[push.order_id] = push.order_external_id
        ctx.progress(n, len(pushes))
    if settings.complete_when_shipped:
        for order_id, external_id in touched.items():
            if await ctx.write(orders_store.fully_shipped_and_synced, order_id):
                await client.update_order(external_id, {"status": "completed"})
                await ctx.write(orders_store.mark_completed, order_id)
                ctx.count("orders_completed")


async def _already_there(
    client: WooClient, push: orders_store.ShipmentPush, settings: SyncOrderSettings
) -> bool:
    """After a push that may have reached the store, look before pushing again."""
    if settings.use_shipment_tracking:
        items = await client.trackings(push.order_external_id)
        return any(i.get("tracking_number") == push.tracking_number for i in items)
    notes = await client.order_notes(push.order_external_id)
    return any(push.tracking_number in str(n.get("note", "")) for n in notes)
