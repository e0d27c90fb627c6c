"""Sync orders, for every channel: each shipment pushed once, orders completed when done.

A channel implements `ShipmentTarget`: push a shipment (a note, a tracking item, a
shipment with tracks, "mark shipped"), say whether a shipment is already there, and
complete an order. Each push is recorded before the next; a push that failed in a way that
may have reached the channel is looked for before it is pushed again, so no shipment is
added twice.
"""

from __future__ import annotations

from typing import Protocol

from store.commands import shipment_push
from store.commands.shipment_push import ShipmentPush

from ..context import RunContext
from ..errors import FatalError


class ShipmentTarget(Protocol):
    """What a channel gives sync_orders."""

    async def already_pushed(self, push: ShipmentPush) -> bool:
        """Whether the channel already shows this shipment (asked after an uncertain push)."""
        ...

    async def push_shipment(self, push: ShipmentPush) -> None:
        """Add the shipment to its order on the channel."""
        ...

    async def complete_order(self, order_external_id: str) -> None:
        """Mark the order completed on the channel."""
        ...


async def push_shipments(
    ctx: RunContext, target: ShipmentTarget, *, complete_when_shipped: bool
) -> None:
    """Push each unsynced shipment of the channel's orders once, oldest first; with
    `complete_when_shipped`, complete the orders every line of which has shipped and synced."""
    pushes = await ctx.write(shipment_push.shipments_to_push, ctx.owner_id)
    touched: dict[int, str] = {}
    for n, push in enumerate(pushes, 1):
        ref = f"order {push.order_number} shipment {push.tracking_number}"
        try:
            if push.uncertain and await target.already_pushed(push):
                ctx.count("already_on_store")
            else:
                await target.push_shipment(push)
        except FatalError as exc:
            if exc.pauses_integration:
                raise
            await ctx.write(shipment_push.record_push, push.id, exc.message)
            ctx.record_error(ref, exc.message)
            continue
        await ctx.write(shipment_push.record_push, push.id, None)
        ctx.count("shipments_synced")
        touched[push.order_id] = push.order_external_id
        ctx.progress(n, len(pushes))
    if complete_when_shipped:
        for order_id, external_id in touched.items():
            if await ctx.write(shipment_push.fully_shipped_and_synced, order_id):
                await target.complete_order(external_id)
                await ctx.write(shipment_push.mark_completed, order_id)
                ctx.count("orders_completed")
