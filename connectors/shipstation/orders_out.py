"""sync_orders for ShipStation: each shipped order marked shipped once (markasshipped).

ShipStation marks a whole order shipped, with one tracking number, carrier code and ship
date, and refuses a second markasshipped. So shipments go back per order, not per
shipment:

- `partial_shipments: wait` (default): an order is marked shipped once every line has
  shipped, with its first shipment's tracking number, carrier and ship date; until then
  its shipments wait (the run's summary says how many orders wait).
- `partial_shipments: first`: an order is marked shipped with its first shipment; later
  shipments of it are recorded as covered (ShipStation keeps one tracking number).

The supplier's carrier is mapped to a ShipStation carrier code (`carrier_codes`, then the
usual names) and checked against `GET /carriers`: a carrier the account does not have is
a record error naming the fix, and nothing is sent.

Tracking numbers are checked first, as for every channel (`flows.shipments.
refuse_bad_tracking`): a shipment whose number is refused fails with the one-line error
and is left out, so its order goes with its other shipments (or waits for them).

Exactly once: the request is recorded before it is sent and confirmed after
(`store.commands.order_writes`). A request whose confirmation is missing, or a refusal,
is followed by a look at the order (`GET /orders/{id}`): shipped means done (by us or by
someone in ShipStation), and only an order still open is sent again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from store.commands import order_writes, shipment_push
from store.commands.shipment_push import ShipmentPush

from ..context import RunContext
from ..errors import FatalError
from ..flows.shipments import refuse_bad_tracking
from ..settings import no_templates
from . import mapping
from .client import ShipStationClient, ShipStationRejected
from .settings import SyncOrdersSettings

MARK = "shipstation.mark_shipped"


async def sync_orders(ctx: RunContext, client: ShipStationClient) -> None:
    """Mark each order whose shipments are due shipped in ShipStation, once."""
    settings = SyncOrdersSettings.parse(
        ctx.settings, integration=ctx.integration.name, kind=ctx.kind, templates=no_templates
    )
    pushes = await ctx.write(shipment_push.shipments_to_push, ctx.owner_id)
    # A refused tracking number fails its shipment; the order goes with its other ones.
    pushes = await refuse_bad_tracking(ctx, pushes)
    if not pushes:
        return
    by_order: dict[int, list[ShipmentPush]] = {}
    for push in pushes:
        by_order.setdefault(push.order_id, []).append(push)
    complete = await ctx.write(order_writes.fully_shipped, list(by_order))
    states = await ctx.write(order_writes.write_states, list(by_order), MARK)
    codes = [str(c.get("code")) for c in await client.carriers()]
    marker = OrderMarker(ctx, client, settings, codes)
    waiting = 0
    for n, (order_id, group) in enumerate(by_order.items(), 1):
        partial = not complete.get(order_id)
        if settings.partial_shipments == "wait" and partial and states.get(order_id) is None:
            waiting += 1
            continue
        await marker.mark(order_id, group, states.get(order_id), complete=not partial)
        ctx.progress(n, len(by_order))
    if waiting:
        ctx.count("orders_waiting", waiting)
        which = (
            "1 order has shipped in part and waits"
            if waiting == 1
            else (f"{waiting} orders have shipped in part and wait")
        )
        ctx.note(
            f"{which} for the rest: ShipStation marks a whole order shipped, so an order goes "
            "once every line has shipped (partial_shipments: wait; 'first' marks it shipped "
            "with its first shipment)."
        )
    if marker.covered:
        which = (
            "1 later shipment was"
            if marker.covered == 1
            else (f"{marker.covered} later shipments were")
        )
        ctx.note(
            f"{which} not sent: ShipStation keeps one tracking number per order and already "
            "shows the order shipped."
        )


class OrderMarker:
    """Marks one order shipped, looking first whenever an earlier attempt may have landed."""

    def __init__(
        self,
        ctx: RunContext,
        client: ShipStationClient,
        settings: SyncOrdersSettings,
        carrier_codes: Sequence[str],
    ) -> None:
        self.ctx = ctx
        self.client = client
        self.settings = settings
        self.codes = list(carrier_codes)
        self.covered = 0

    async def mark(
        self, order_id: int, group: list[ShipmentPush], state: str | None, *, complete: bool
    ) -> None:
        """Mark the order of `group` (its unsynced shipments, oldest first) shipped once;
        an order every line of which has shipped is then complete in Dropdeck too."""
        first = group[0]
        ref = f"order {first.order_number}"
        if state == "done":  # marked shipped before: these shipments ride along
            await self._confirm(order_id, group, {"covered": True})
            self.covered += len(group)
            self.ctx.count("shipments_covered", len(group))
            if complete:
                await self._complete(order_id)
            return
        looks = state == "requested" or any(p.uncertain for p in group)
        if looks and await self._already_shipped(order_id, group, ref, complete):
            return
        code = mapping.carrier_code(first.carrier, self.codes, self.settings.carrier_codes)
        if code is None:
            example = self.codes[0] if self.codes else "ups"
            self.ctx.record_error(
                ref,
                f"carrier {first.carrier!r} has no ShipStation carrier code on this account "
                f"(carriers: {', '.join(self.codes) or 'none'}); map it in the sync_orders "
                f'setting carrier_codes, e.g. {{"{first.carrier}": "{example}"}}',
            )
            return
        sent = {
            "trackingNumber": first.tracking_number,
            "carrierCode": code,
            "shipDate": mapping.ship_date(first.shipped_at).isoformat(),
        }
        actor = self.ctx.integration.name
        await self.ctx.write(
            order_writes.record_write, [order_id], MARK, "requested", actor=actor, after=sent
        )
        try:
            await self.client.mark_as_shipped(
                first.order_external_id,
                carrier_code=code,
                ship_date=mapping.ship_date(first.shipped_at),
                tracking_number=first.tracking_number,
                notify_customer=self.settings.notify_customer,
                notify_sales_channel=self.settings.notify_sales_channel,
            )
        except ShipStationRejected as exc:
            if not await self._already_shipped(order_id, group, ref, complete):
                self.ctx.record_error(ref, f"ShipStation refused markasshipped: {exc.reason}")
            return
        except FatalError as exc:
            if exc.pauses_integration:
                raise
            # It may have reached ShipStation: the next run looks before sending again.
            self.ctx.record_error(ref, exc.message)
            return
        await self._confirm(order_id, group, sent)
        self.ctx.count("orders_marked_shipped")
        self.ctx.count("shipments_synced", len(group))
        if complete:
            await self._complete(order_id)

    async def _complete(self, order_id: int) -> None:
        await self.ctx.write(shipment_push.mark_completed, order_id)
        self.ctx.count("orders_completed")

    async def _already_shipped(
        self, order_id: int, group: list[ShipmentPush], ref: str, complete: bool
    ) -> bool:
        """Look at the order: True (and recorded) when ShipStation shows it shipped."""
        order = await self.client.order(group[0].order_external_id)
        if order is None:
            self.ctx.record_error(ref, "ShipStation has no such order any more (deleted?)")
            return True
        status = order.get("orderStatus")
        if status == "shipped":
            await self._confirm(order_id, group, {"found": "shipped in ShipStation"})
            self.ctx.count("already_shipped_in_shipstation")
            if complete:
                await self._complete(order_id)
            return True
        if status == "cancelled":
            self.ctx.record_error(ref, "the order is cancelled in ShipStation; not marked shipped")
            return True
        return False

    async def _confirm(
        self, order_id: int, group: list[ShipmentPush], after: dict[str, Any]
    ) -> None:
        await self.ctx.write(
            order_writes.confirm_order_write,
            order_id,
            MARK,
            actor=self.ctx.integration.name,
            after=after,
            synced_shipments=[p.id for p in group],
        )
