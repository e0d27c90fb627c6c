"""Sending fulfillment requests to a supplier as orders, written once for every source.

No duplicate orders, ever. For each request: claim it (`sending`) in its own
committed transaction before any HTTP, then ask the supplier whether the PO already exists,
and only if it does not, place the order (attempts + 1) and mark it `sent`. A request left
`sending` by a crash, a PO the supplier says is taken, and a send whose outcome is unclear
(a dropped connection after the POST) are all settled by that same look-up.

Reconcile only what is ours: a PO found at the supplier counts as this request only when
its lines (SKU and quantity) and ship-to match what the request sends; a PO with other
contents was placed by someone else (another installation on the same account, a person),
so the request fails, loudly, and is neither sent nor marked.

A source connector implements `Supplier` (the API-specific parts) and calls
`send_requests(ctx, supplier)` (or `send_one` for one request an operator sends now).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol, TypeVar

from store.commands import fulfillment
from store.commands.fulfillment import RequestSnapshot
from store.models.orders import RequestStatus

from ..context import RunContext
from ..errors import AuthError, FatalError, MappingError, RetryBudgetExhausted

PlanT = TypeVar("PlanT")

# Sends whose outcome was unclear but left no order at the supplier are retried by later runs
# up to this many attempts; then the request fails and waits for an operator's resubmit.
MAX_SEND_ATTEMPTS = 5


@dataclass(frozen=True)
class OrderContents:
    """What an order at a supplier holds, in a shape every supplier can give.

    `lines` are (supplier SKU, quantity); `ship_to` holds name, address1, city, state, zip
    as the supplier keeps them (only the fields it has).
    """

    lines: Sequence[tuple[str, int]]
    ship_to: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FoundOrder:
    """An order the supplier has under a PO: its order number(s) and contents."""

    number: str
    contents: OrderContents


class Supplier(Protocol[PlanT]):
    """The API-specific half of sending orders to one supplier."""

    # How the supplier is named to the operator ("WPS refused it: …").
    name: str
    # The longest PO number the supplier takes.
    po_max_length: int

    def plan(self, request: RequestSnapshot) -> PlanT:
        """What to send for `request`; `MappingError` when it cannot be sent as it is."""
        ...

    def contents(self, plan: PlanT) -> OrderContents:
        """What placing `plan` puts at the supplier (lines and ship-to as sent)."""
        ...

    async def find_order(self, po_number: str) -> FoundOrder | None:
        """The supplier's order under `po_number`, or None when it has no such order."""
        ...

    async def place(self, plan: PlanT) -> str:
        """Place the order and return the supplier's order number(s)."""
        ...

    def rejection(self, exc: FatalError) -> str | None:
        """The supplier's reason when `exc` is it refusing the order; None for other errors."""
        ...

    def duplicate_po(self, exc: FatalError) -> bool:
        """Whether `exc` (a rejection) says the PO number is already taken at the supplier."""
        ...


async def send_requests(ctx: RunContext, supplier: Supplier[PlanT]) -> None:
    """Send this source's pending (auto-process or resubmitted) requests, interrupted first;
    or only the request an operator asked to send now (`ctx.request_id`)."""
    with ctx.db.read() as session:
        if ctx.request_id is not None:
            ids = fulfillment.sendable_now(session, ctx.owner_id, ctx.request_id)
        else:
            ids = fulfillment.requests_to_send(session, ctx.owner_id)
    for n, request_id in enumerate(ids, 1):
        await send_one(ctx, supplier, request_id)
        ctx.progress(n, len(ids))
    ctx.progress(len(ids), len(ids))


async def send_one(ctx: RunContext, supplier: Supplier[PlanT], request_id: int) -> None:
    """Send (or reconcile) one fulfillment request; never creates a second supplier order."""
    snap = await ctx.write(fulfillment.request_snapshot, request_id)
    plan: PlanT | None = None
    problem: MappingError | None = None
    try:
        _check_po_length(supplier, snap.po_number)
        plan = supplier.plan(snap)
    except MappingError as exc:
        problem = exc
    # Without a plan (unsendable now) only the lines can be compared with what is found.
    expected = supplier.contents(plan) if plan is not None else _lines_of(snap)
    if problem is not None and snap.status == RequestStatus.PENDING.value:
        # Refused before any request: nothing can be at the supplier for a request never
        # claimed.
        await ctx.write(fulfillment.mark_failed, request_id, problem.reason)
        ctx.record_failure(problem)
        return
    if await ctx.write(fulfillment.claim_request, request_id) is None:
        return  # another run has it, or it moved on meanwhile
    try:
        found = await supplier.find_order(snap.po_number)
        if found is not None:
            await _settle_found(ctx, supplier, snap, expected, found, counter="reconciled")
            return
        if problem is not None or plan is None:
            # Claimed by an interrupted run, unsendable now, and not at the supplier.
            assert problem is not None
            await ctx.write(fulfillment.mark_failed, request_id, problem.reason)
            ctx.record_failure(problem)
            return
        # Attempts count sends, not look-ups (a look-up during an outage is no attempt).
        await ctx.write(fulfillment.count_send_attempt, request_id)
        snap = replace(snap, attempts=snap.attempts + 1)
        number = await supplier.place(plan)
    except FatalError as exc:
        await _settle_failed_send(ctx, supplier, snap, expected, exc)
        return
    await ctx.write(fulfillment.mark_sent, request_id, number)
    ctx.count("sent")


def _check_po_length(supplier: Supplier[PlanT], po_number: str) -> None:
    if len(po_number) > supplier.po_max_length:
        raise MappingError(
            f"PO {po_number}",
            f"the PO number is longer than {supplier.name} takes ({supplier.po_max_length} "
            "characters); shorten the source's PO prefix",
        )


def _lines_of(snap: RequestSnapshot) -> OrderContents:
    return OrderContents(lines=[(str(x["sku"]), int(x["quantity"])) for x in snap.lines])


def _normal(text: object) -> str:
    return " ".join(str(text or "").split()).casefold()


def same_contents(expected: OrderContents, found: OrderContents) -> bool:
    """Whether the order found is the one this request sends: the same SKUs and quantities,
    and the same ship-to (case and spacing aside) on every field the request sends."""

    def totals(lines: Sequence[tuple[str, int]]) -> Counter[str]:
        out: Counter[str] = Counter()
        for sku, quantity in lines:
            out[_normal(sku)] += int(quantity)
        return out

    if totals(expected.lines) != totals(found.lines):
        return False
    return all(
        _normal(found.ship_to.get(key)) == _normal(value)
        for key, value in expected.ship_to.items()
        if _normal(value)
    )


async def _settle_found(
    ctx: RunContext,
    supplier: Supplier[PlanT],
    snap: RequestSnapshot,
    expected: OrderContents,
    found: FoundOrder,
    *,
    counter: str,
) -> None:
    """The supplier has an order under this PO: ours when its contents match, else refused."""
    if same_contents(expected, found.contents):
        await ctx.write(fulfillment.mark_sent, snap.id, found.number)
        ctx.count(counter)
        return
    message = (
        f"PO {snap.po_number} exists at {supplier.name} with other contents "
        "(placed by another system?): not sent, not marked"
    )
    await ctx.write(fulfillment.mark_failed, snap.id, message)
    ctx.record_error(f"PO {snap.po_number}", message, level="error")


async def _settle_failed_send(
    ctx: RunContext,
    supplier: Supplier[PlanT],
    snap: RequestSnapshot,
    expected: OrderContents,
    exc: FatalError,
) -> None:
    """After a claimed send failed: mark it failed, leave it to the next run, or find it sent."""
    name, request_id, ref = supplier.name, snap.id, f"PO {snap.po_number}"
    reason = supplier.rejection(exc)
    taken = reason is not None and supplier.duplicate_po(exc)
    if reason is not None and not taken:
        await ctx.write(fulfillment.mark_failed, request_id, f"{name}: {reason}")
        ctx.record_error(ref, f"{name} refused it: {reason}")
        return
    if reason is None and isinstance(exc, AuthError | RetryBudgetExhausted):
        # The supplier is unreachable or refuses us: stay `sending`, the next run reconciles.
        await ctx.write(fulfillment.release_claim, request_id, str(exc))
        raise exc
    # The outcome is unknown (e.g. a dropped connection after POST), or the PO is taken
    # (by our own order if the supplier has one under it): ask the supplier.
    try:
        found = await supplier.find_order(snap.po_number)
    except FatalError:
        await ctx.write(fulfillment.release_claim, request_id, str(exc))
        ctx.record_error(ref, f"{exc}; left 'sending', the next run checks {name}")
        return
    if found is not None:
        counter = "reconciled" if taken else "sent"
        await _settle_found(ctx, supplier, snap, expected, found, counter=counter)
        return
    if taken:
        await ctx.write(fulfillment.mark_failed, request_id, f"{name}: {reason}")
        ctx.record_error(ref, f"{name} refused it: {reason}")
        return
    if snap.attempts < MAX_SEND_ATTEMPTS:
        # The supplier has no order for this PO, so a later run may safely try again.
        await ctx.write(fulfillment.release_claim, request_id, str(exc))
        ctx.record_error(ref, f"{exc}; {name} has no order for it, the next run retries")
        return
    await ctx.write(fulfillment.mark_failed, request_id, str(exc))
    ctx.record_error(ref, f"{exc}; gave up after {MAX_SEND_ATTEMPTS} attempts: resubmit it")
