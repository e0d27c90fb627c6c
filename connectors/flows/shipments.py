"""Sync orders, for every channel: each shipment pushed once, orders completed when done.

A channel implements `ShipmentTarget`: push a shipment (a note, a tracking item, a
shipment with tracks, "mark shipped"), say whether a shipment is already there, and
complete an order. The flow owns the exactly-once rule, so every channel gets it: the
intent of each push is committed before the write and its outcome after it; a push whose
outcome was never recorded (the worker died) or that failed in a way that may have reached
the channel is looked for (`already_pushed`) before it is pushed again. Every run then
completes every order that is fully shipped and synced but not completed on the channel
yet, not only those it pushed, so a run killed before completing is repaired by the next.

Before anything is pushed, each shipment's tracking number is checked once for every
channel (`refuse_bad_tracking`, `connectors.tracking`): a number no customer could track
(several numbers, a link, too long, malformed, not its carrier's format) fails that
shipment with a one-line error and is not pushed; the other shipments go on. Channels with
their own push loop (ShipStation marks whole orders) call it on their pushes too.
"""

from __future__ import annotations

from typing import Protocol

from store.commands import shipment_push
from store.commands.shipment_push import ShipmentPush

from ..context import RunContext
from ..errors import FatalError
from ..tracking import clip, tracking_problem


class ShipmentTarget(Protocol):
    """What a channel gives sync_orders."""

    async def already_pushed(self, push: ShipmentPush) -> bool:
        """Whether the channel already shows this shipment (asked after an uncertain push)."""
        ...

    async def push_shipment(self, push: ShipmentPush) -> None:
        """Add the shipment to its order on the channel."""
        ...

    async def complete_order(self, order_external_id: str) -> None:
        """Mark the order completed on the channel; completing a completed order is harmless
        (a run killed after the write and before recording it completes it again)."""
        ...


async def push_shipments(
    ctx: RunContext, target: ShipmentTarget, *, complete_when_shipped: bool
) -> None:
    """Push each unsynced shipment of the channel's orders once, oldest first; with
    `complete_when_shipped`, complete every order of the channel every line of which has
    shipped and synced and that is not completed yet."""
    pushes = await ctx.write(shipment_push.shipments_to_push, ctx.owner_id)
    pushes = await refuse_bad_tracking(ctx, pushes)
    for n, push in enumerate(pushes, 1):
        ref = shipment_ref(push)
        try:
            if push.uncertain and await target.already_pushed(push):
                ctx.count("already_on_store")
            else:
                await ctx.write(shipment_push.start_push, push.id)
                await target.push_shipment(push)
        except FatalError as exc:
            if exc.pauses_integration:
                raise
            await ctx.write(shipment_push.record_push, push.id, exc.message)
            ctx.record_error(ref, exc.message)
            continue
        await ctx.write(shipment_push.record_push, push.id, None)
        ctx.count("shipments_synced")
        ctx.progress(n, len(pushes))
    if complete_when_shipped:
        await complete_shipped_orders(ctx, target)


def shipment_ref(push: ShipmentPush) -> str:
    """The shipment named in a run's errors: its order and (clipped, visible) tracking."""
    return f"order {push.order_number} shipment {clip(push.tracking_number)}"


async def refuse_bad_tracking(ctx: RunContext, pushes: list[ShipmentPush]) -> list[ShipmentPush]:
    """The pushes whose tracking number can be sent. Each other one fails its record with
    the one-line refusal (kept on the shipment, so the Shipments pane shows it too) and is
    not pushed; it is checked again by the next run, so a corrected number goes then."""
    sendable = []
    for push in pushes:
        problem = tracking_problem(push.tracking_number, push.carrier)
        if problem is None:
            sendable.append(push)
            continue
        message = f"tracking refused: {problem}; correct it at the source; sent once it passes"
        await ctx.write(shipment_push.record_push, push.id, message)
        ctx.record_error(shipment_ref(push), message)
    return sendable


async def complete_shipped_orders(ctx: RunContext, target: ShipmentTarget) -> None:
    """Complete on the channel every order of it that is fully shipped and synced and not
    completed yet; each completion is recorded as it lands."""
    orders = await ctx.write(shipment_push.orders_to_complete, ctx.owner_id)
    for order in orders:
        try:
            await target.complete_order(order.external_id)
        except FatalError as exc:
            if exc.pauses_integration:
                raise
            ctx.record_error(f"order {order.number}", f"not completed: {exc.message}")
            continue
        await ctx.write(shipment_push.mark_completed, order.id)
        ctx.count("orders_completed")
