"""Sending fulfillment requests to a supplier as orders, written once for every source.

No duplicate orders, ever. For each request: claim it (`sending`, attempts + 1) in its own
committed transaction before any HTTP, then ask the supplier whether the PO already exists,
and only if it does not, place the order and mark the request `sent`. A request left
`sending` by a crash, a PO the supplier says is taken, and a send whose outcome is unclear
(a dropped connection after the POST) are all settled by that same look-up.

A source connector implements `Supplier` (the API-specific parts) and calls
`send_requests(ctx, supplier)`.
"""

from __future__ import annotations

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


class Supplier(Protocol[PlanT]):
    """The API-specific half of sending orders to one supplier."""

    # How the supplier is named to the operator ("WPS refused it: …").
    name: str

    def plan(self, request: RequestSnapshot) -> PlanT:
        """What to send for `request`; `MappingError` when it cannot be sent as it is."""
        ...

    async def find_order(self, po_number: str) -> str | None:
        """The supplier's order number(s) for `po_number`, or None when it has no such order."""
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
    """Send this source's pending (auto-process or resubmitted) requests, interrupted first."""
    with ctx.db.read() as session:
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
        plan = supplier.plan(snap)
    except MappingError as exc:
        problem = exc
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
            await ctx.write(fulfillment.mark_sent, request_id, found)
            ctx.count("reconciled")
            return
        if problem is not None or plan is None:
            # Claimed by an interrupted run, unsendable now, and not at the supplier.
            assert problem is not None
            await ctx.write(fulfillment.mark_failed, request_id, problem.reason)
            ctx.record_failure(problem)
            return
        number = await supplier.place(plan)
    except FatalError as exc:
        await _settle_failed_send(ctx, supplier, snap, exc)
        return
    await ctx.write(fulfillment.mark_sent, request_id, number)
    ctx.count("sent")


async def _settle_failed_send(
    ctx: RunContext, supplier: Supplier[PlanT], snap: RequestSnapshot, exc: FatalError
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
        await ctx.write(fulfillment.mark_sent, request_id, found)
        ctx.count("reconciled" if taken else "sent")
        return
    if taken:
        await ctx.write(fulfillment.mark_failed, request_id, f"{name}: {reason}")
        ctx.record_error(ref, f"{name} refused it: {reason}")
        return
    if snap.attempts + 1 < MAX_SEND_ATTEMPTS:
        # The supplier has no order for this PO, so a later run may safely try again.
        await ctx.write(fulfillment.release_claim, request_id, str(exc))
        ctx.record_error(ref, f"{exc}; {name} has no order for it, the next run retries")
        return
    await ctx.write(fulfillment.mark_failed, request_id, str(exc))
    ctx.record_error(ref, f"{exc}; gave up after {MAX_SEND_ATTEMPTS} attempts: resubmit it")
