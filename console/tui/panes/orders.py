"""Orders, newest first, with their fulfillment requests; filter by status or number;
`r` resubmits an order's failed requests (screens/resubmit.py) and queues their send, or
routes a held order again (first adding the shipping mapping it waits for, if that is why);
`s` sends its pending request now (y/N first; the console's worker runs the send)."""

from __future__ import annotations

from functools import partial

from rich.text import Text
from textual import work
from textual.binding import Binding

from store.commands.audit import operator_name
from store.commands.fulfillment import SendRefused, queue_send_now
from store.commands.route_again import Routed, add_mapping_and_route, missing_mapping, route_again
from store.commands.routing import routing_preview
from store.commands.seen import RowChanged, Seen, claimed
from store.models import FulfillmentRequest, Order
from store.models.orders import OrderStatus
from store.queries.invoices import list_invoices
from store.queries.orders import OrderRow, RequestRow, order_shipments, page_orders

from .. import format as fmt
from .. import store_access
from ..copy import CopyTarget
from ..messages import StoreChanged
from ..screens.ask_value import AskValueScreen
from ..screens.confirm import ConfirmScreen
from ..screens.details import DetailsScreen
from ..screens.resubmit import ResubmitScreen
from ..widgets.paged_table import Column, PagedTable
from .paged import PagedPane, fetch_page
from .resubmit_actions import load_plan, resubmit_and_queue


def _requests(r: OrderRow) -> Text:
    text = Text()
    for n, req in enumerate(r.fulfillment_requests):
        if n:
            text.append(" │ ", style="dim")
        text.append_text(_status(req.status))
        text.append(f" {req.source}")
    return text


def _routed_lines(routed: list[Routed]) -> str:
    return "\n".join(
        f"order {r.number} still on hold: {r.hold_reason}"
        if r.hold_reason
        else f"order {r.number} {r.status.replace('_', ' ')}"
        for r in routed
    )


def _status(value: str) -> Text:
    return fmt.status("part shipped" if value == "partially_shipped" else value)


# At 80 columns: number, status, when placed, total and every request whole; from 100 the
# customer, from 110 the channel. Requests take the rest of the width.
COLUMNS: list[Column[OrderRow]] = [
    # Magento/ShipStation numbers are long and alike at the start (000000123): keep the end.
    Column("Order", 7, lambda r: r.number, keep_end=True),
    Column("Channel", 11, lambda r: r.channel, min_table_width=110, flex=True, max_width=16),
    Column("Status", 12, lambda r: _status(r.status)),
    Column("Placed UTC", 11, lambda r: fmt.when(r.created_at)),
    Column("Customer", 14, lambda r: r.customer_name, min_table_width=100),
    Column("Total", 8, lambda r: fmt.money(r.total), right=True),
    Column("Requests", 24, _requests, flex=True),
]


def _seen(r: OrderRow) -> Seen:
    """The order as the operator saw it: routing it again refuses if it changed since."""
    return Seen(Order, {r.id: r.version})


class OrdersPane(PagedPane[OrderRow]):
    BINDINGS = [Binding("r", "resubmit", "Resubmit"), Binding("s", "send_now", "Send now")]
    TITLE = "Orders"
    ACTIONS = (
        ("resubmit", "Resubmit the failed request, or route a held order again"),
        ("send_now", "Send the pending fulfillment request now"),
    )
    COLUMNS = COLUMNS
    EMPTY = "No orders yet — run a channel's get_orders in Channels (2) with x"
    NO_MATCH = "No orders match the filter — esc clears it"

    def __init__(self) -> None:
        super().__init__(id="orders")

    def fetcher(self) -> partial[list[OrderRow]]:
        return partial(fetch_page, page_orders, text=self.filter_text or None)

    def on_paged_table_chosen(self, event: PagedTable.Chosen) -> None:
        self.show_details(event.row)

    def copy_target(self) -> CopyTarget | None:
        r = self.table.cursor_row
        return CopyTarget("order number", r.number) if r else None

    @work(exclusive=True, group="details", exit_on_error=False)
    async def show_details(self, r: OrderRow) -> None:
        """The order with its requests, shipments, invoices and routing preview (read fresh)."""
        invoices = await store_access.read(self.db, list_invoices, order_id=r.id)
        shipments = await store_access.read(self.db, order_shipments, r.id)
        preview = await store_access.read(self.db, routing_preview, r.id)
        fields: list[tuple[str, object]] = [
            ("number", r.number),
            ("channel", r.channel),
            ("external id", r.external_id),
            ("status", r.status),
            ("placed", fmt.when_long(r.created_at)),
            ("customer", r.customer_name),
            ("total", fmt.money(r.total)),
            ("on hold because", r.hold_reason),
        ]
        for req in r.fulfillment_requests:
            fields.append(
                (
                    f"PO {req.po_number}",
                    f"{req.source}: {req.status}, "
                    f"{req.attempts} attempt(s), ship via {req.shipping_method or '—'}",
                )
            )
            if req.error:
                fields.append(("  error", req.error))
        billed = [
            f"{i.number}: {fmt.money(i.total)} from {i.source} (PO {i.po_number}, "
            f"channel order number {i.channel_order_number})"
            for i in invoices
        ]
        shipped = [
            f"{sh.tracking_number} via {sh.carrier or '—'}: {sh.status or 'no status'}, from "
            f"{sh.source} (PO {sh.po_number}), shipped {fmt.when(sh.shipped_at)}"
            for sh in shipments
        ]
        sections = [
            ("Shipments", shipped or ["none yet"]),
            ("Invoices", billed or ["none yet"]),
            ("Routing preview", preview),
        ]
        self.app.push_screen(DetailsScreen(f"Order {r.number}", fields, sections))

    @work(exclusive=True, group="resubmit", exit_on_error=False)
    async def action_resubmit(self) -> None:
        row = self.table.cursor_row
        if row is None:
            self.app.notify("No order selected", severity="warning")
            return
        # Read fresh: the row on screen may be seconds old (a send may have run since).
        try:
            plan = await store_access.read(self.db, load_plan, row.id)
        except LookupError as exc:
            self.app.notify(str(exc), severity="warning")
            return
        if plan.order_version != row.version:  # the order moved on since it was drawn
            now = plan.order_status.replace("_", " ")
            self.stale(RowChanged(f"Order {row.number} changed since you looked (now {now})"))
            return
        if not plan.failed:
            if plan.order_status == OrderStatus.ON_HOLD.value:
                await self._route_again(row)
                return
            self.app.notify(plan.nothing_to_resubmit(), title="Nothing to resubmit")
            return
        edits = await self.app.push_screen_wait(ResubmitScreen(plan))
        if not edits:
            return
        # The requests as the resubmit screen showed them: refused if one was sent meanwhile.
        versions = {f.id: f.version for f in plan.failed}
        seen = Seen(FulfillmentRequest, {e.request_id: versions[e.request_id] for e in edits})
        done = await self.change(
            "fulfillment", resubmit_and_queue, edits, operator_name("console"), seen=seen
        )
        for r in done or ():
            paused = f" — {r.send} is paused: {r.paused_reason}" if r.paused_reason else ""
            self.app.notify(
                f"PO {r.po_number} resubmitted; send queued (run {r.run_id}){paused}",
                severity="warning" if paused else "information",
            )

    async def _route_again(self, row: OrderRow) -> None:
        """`r` on a held order: add the shipping mapping it waits for (a policy the sources
        ship by), or route it again as it is (after a link or a restock)."""
        missing = await store_access.read(self.db, missing_mapping, row.id)
        actor = operator_name("console")
        if missing is not None:
            policy = await self.app.push_screen_wait(
                AskValueScreen(
                    f'Order {missing.number}: no shipping mapping for "{missing.shipping_text}"',
                    [
                        f'{missing.channel} sends the shipping method "{missing.shipping_text}" '
                        f"({missing.key}); map it to the shipping policy your sources ship "
                        "it by. Every order held for it is routed again.",
                    ],
                    "shipping policy",
                    choices=missing.policies,
                    strict=True,
                    action="add the mapping and route again",
                )
            )
            if policy is None:
                return
            result = await self.change(
                "order", add_mapping_and_route, missing.order_id, policy, actor, seen=_seen(row)
            )
            if result is None:
                return
            key, routed = result
            self.app.notify(
                f"{missing.channel}: {key} -> {policy} added\n" + _routed_lines(routed),
                severity="warning" if any(r.hold_reason for r in routed) else "information",
            )
            return
        if not await self.app.push_screen_wait(
            ConfirmScreen(f"Route order {row.number} again now? (it is on hold: {row.hold_reason})")
        ):
            return
        done = await self.change("order", route_again, row.id, actor, seen=_seen(row))
        if done is not None:
            self.app.notify(
                _routed_lines([done]), severity="warning" if done.hold_reason else "information"
            )

    def action_send_now(self) -> None:
        row = self.table.cursor_row
        if row is None:
            self.app.notify("No order selected", severity="warning")
            return
        waiting = [r for r in row.fulfillment_requests if r.status in ("pending", "sending")]
        if not waiting:
            states = ", ".join(f"{r.po_number} {r.status}" for r in row.fulfillment_requests)
            self.app.notify(
                f"Order {row.number} has no pending request to send ({states or 'none'})",
                title="Nothing to send",
            )
            return
        request = waiting[0]
        question = (
            f"Send PO {request.po_number} to {request.source} now? "
            "(the supplier is asked first: never a second order)"
        )

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._send_now(request)

        self.app.push_screen(ConfirmScreen(question), confirmed)

    @work(exclusive=True, group="send_now", exit_on_error=False)
    async def _send_now(self, request: RequestRow) -> None:
        try:
            run_id = await store_access.write(
                self.db,
                claimed,
                Seen(FulfillmentRequest, {request.id: request.version}),
                queue_send_now,
                request.id,
                actor=operator_name("console"),
            )
        except RowChanged as exc:
            self.stale(exc)
            return
        except SendRefused as exc:
            self.app.notify(str(exc), title="Not sent", severity="warning")
            return
        except Exception as exc:  # an action failing must not close the console
            self.app.notify(f"{type(exc).__name__}: {exc}", title="Action failed", severity="error")
            return
        self.app.notify(f"PO {request.po_number}: send queued (run {run_id})")
        self.post_message(StoreChanged("fulfillment"))
