"""Order routing: which source fills which line, explained before anything is sent.

Candidates for a line are the sources whose inventory is linked to the line's listing (same
master SKU) and has stock for it. Ties are broken by ordered rules: a source that can fill
the whole order (one fulfillment request) first, then the lowest cost, then source priority.
An order no source can fill goes on hold with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session, col

from .. import installation
from ..models import (
    FulfillmentLine,
    FulfillmentRequest,
    InventoryItem,
    ListingVariant,
    Order,
    OrderLine,
    ShippingMapping,
    Source,
)
from ..models._types import utcnow
from ..models.catalog import routed_master_sku
from ..models.orders import OrderStatus, RequestStatus


@dataclass(frozen=True)
class Candidate:
    """A source that has stock for an order line, with what ranks it."""

    source_id: int
    source_name: str
    priority: int
    sku: str
    quantity: int
    cost: Decimal | None


@dataclass
class RoutingPlan:
    """Source id -> [(order line, candidate)], or the reason the order cannot be routed."""

    order_id: int
    assignments: dict[int, list[tuple[OrderLine, Candidate]]] = field(default_factory=dict)
    hold_reason: str | None = None
    explanation: list[str] = field(default_factory=list)


def po_number(session: Session, order: Order, source_id: int) -> str:
    """Deterministic, so a resend can always find the order it may already have placed."""
    return installation.po_number(session, order.id or 0, source_id)


def _candidates(
    session: Session, order: Order, lines: list[OrderLine]
) -> dict[int, list[Candidate]]:
    skus = [line.sku for line in lines]
    master = dict(
        session.execute(
            sa.select(col(ListingVariant.sku), col(ListingVariant.master_sku)).where(
                col(ListingVariant.channel_id) == order.channel_id,
                col(ListingVariant.sku).in_(skus),
            )
        ).all()
    )
    masters = {line.id: routed_master_sku(master.get(line.sku), line.sku) for line in lines}
    rows = session.execute(
        sa.select(InventoryItem, col(Source.name), col(Source.priority))
        .join(Source, col(InventoryItem.source_id) == col(Source.id))
        .where(col(InventoryItem.master_sku).in_(set(masters.values())))
    ).all()
    by_master: dict[str, list[Candidate]] = {}
    for item, name, priority in rows:
        by_master.setdefault(item.master_sku, []).append(
            Candidate(item.source_id, name, priority, item.sku, item.quantity, item.cost)
        )
    return {
        line.id: [c for c in by_master.get(masters[line.id], []) if c.quantity >= line.quantity]
        for line in lines
        if line.id is not None
    }


def _rank(c: Candidate) -> tuple[Decimal, int, int]:
    return (c.cost if c.cost is not None else Decimal("Infinity"), c.priority, c.source_id)


def _whole_order_rank(
    source_id: int, lines: list[OrderLine], candidates: dict[int, list[Candidate]]
) -> tuple[Decimal, int, int]:
    """Total cost of the order at one source, then its priority."""
    total = Decimal(0)
    priority = 0
    for line in lines:
        c = next(c for c in candidates[line.id or 0] if c.source_id == source_id)
        cost, priority, _ = _rank(c)
        total += cost * line.quantity
    return (total, priority, source_id)


def plan_routing(session: Session, order: Order) -> RoutingPlan:
    """Decide, without writing, where each line of `order` goes and why."""
    assert order.id is not None
    lines = list(session.scalars(sa.select(OrderLine).where(col(OrderLine.order_id) == order.id)))
    plan = RoutingPlan(order_id=order.id)
    if not lines:
        plan.hold_reason = f"order {order.number} has no lines to route"
        return plan
    candidates = _candidates(session, order, lines)
    missing = [line for line in lines if not candidates.get(line.id or 0)]
    if missing:
        what = ", ".join(f"{line.sku} x{line.quantity}" for line in missing)
        # The two ways out, each with its key in the console and its command.
        plan.hold_reason = (
            f"no source has stock for {what}: link the listing to inventory (i in Listings, "
            "or 'dropdeck listings link SKU --to MASTER_SKU') or restock, then route again "
            f"(r in Orders, or 'dropdeck orders route {order.number}')"
        )
        return plan
    # Rule 1: prefer one source that can fill every line (one fulfillment request).
    whole = set.intersection(*({c.source_id for c in candidates[line.id or 0]} for line in lines))
    if whole:
        best = min(whole, key=lambda sid: _whole_order_rank(sid, lines, candidates))
        why = "fills the whole order" + (", lowest total cost" if len(whole) > 1 else "")
    for line in lines:
        options = sorted(candidates[line.id or 0], key=_rank)
        if whole:
            chosen = next(c for c in options if c.source_id == best)
        else:
            chosen = options[0]
            why = "lowest cost" if len(options) > 1 else "only source with stock"
        plan.assignments.setdefault(chosen.source_id, []).append((line, chosen))
        plan.explanation.append(f"{line.sku} x{line.quantity} -> {chosen.source_name} ({why})")
    return plan


def apply_routing(session: Session, order: Order, plan: RoutingPlan) -> list[FulfillmentRequest]:
    """Write the plan: one fulfillment request per source, or put the order on hold.

    Safe to repeat: a request that already exists for (order, source) is kept as it is.
    """
    now = utcnow()
    if plan.hold_reason:
        order.status = OrderStatus.ON_HOLD.value
        order.hold_reason = plan.hold_reason
        order.updated_at = now
        session.add(order)
        return []
    existing = {
        r.source_id: r
        for r in session.scalars(
            sa.select(FulfillmentRequest).where(col(FulfillmentRequest.order_id) == order.id)
        )
    }
    methods = dict(
        session.execute(
            sa.select(col(ShippingMapping.owner_id), col(ShippingMapping.value)).where(
                col(ShippingMapping.scope) == "source",
                col(ShippingMapping.key) == (order.shipping_policy or ""),
            )
        ).all()
    )
    requests = []
    for source_id, assigned in plan.assignments.items():
        if source_id in existing:
            requests.append(existing[source_id])
            continue
        request = FulfillmentRequest(
            order_id=order.id or 0,
            source_id=source_id,
            po_number=po_number(session, order, source_id),
            status=RequestStatus.PENDING.value,
            shipping_method=methods.get(source_id),
            shipping_address=dict(order.shipping_address),
        )
        session.add(request)
        session.flush()
        session.add_all(
            FulfillmentLine(
                request_id=request.id or 0,
                order_line_id=line.id or 0,
                sku=candidate.sku,
                quantity=line.quantity,
                cost=candidate.cost,
            )
            for line, candidate in assigned
        )
        requests.append(request)
    order.status = OrderStatus.ROUTED.value
    order.hold_reason = None
    order.updated_at = now
    session.add(order)
    return requests


def route_order(session: Session, order: Order) -> RoutingPlan:
    """Plan and apply in one go (the get_orders/send_orders path)."""
    plan = plan_routing(session, order)
    apply_routing(session, order, plan)
    return plan


def routing_preview(session: Session, order_id: int) -> list[str]:
    """Where the order's lines would go now and why (nothing written), or why it cannot
    be routed: the console shows it in the order's details."""
    order = session.get(Order, order_id)
    if order is None:
        return [f"order {order_id} does not exist"]
    plan = plan_routing(session, order)
    if plan.hold_reason:
        return [f"on hold: {plan.hold_reason}"]
    sources = len(plan.assignments)
    split = f"{sources} fulfillment requests, one per source" if sources > 1 else "one request"
    return [*plan.explanation, f"= {split}"]
