"""Writing a channel's orders: idempotent import, shipping policy from the channel's mapping,
routing, or a hold that names the missing mapping."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from ..models import Channel, Order, OrderLine, ShippingMapping
from ..models._types import utcnow
from ..models.orders import OrderStatus
from .bulk import upsert
from .routing import route_order
from .shipping import shipping_key

MISSING_MAPPING_PREFIX = "Missing shipping mapping"


def missing_mapping_reason(channel: str, key: str, title: str, policies: Sequence[str] = ()) -> str:
    """The hold reason of an order whose shipping method has no mapping (operator's words),
    naming the policies it can be mapped to: those the sources map to a carrier code."""
    if policies:
        choices = f"POLICY one of {', '.join(policies)} (the policies your sources ship by)"
    else:
        choices = (
            "POLICY a name of your own (e.g. ground) that each source maps to a carrier code "
            "with 'dropdeck mappings shipping add --source NAME POLICY CODE'"
        )
    return (
        f"{MISSING_MAPPING_PREFIX} '{key}' for shipping method \"{title}\" on channel "
        f"{channel}: add it with 'dropdeck mappings shipping add --channel {channel} "
        f"{key} POLICY', {choices}; then run get_orders again, or press r on the order in "
        "the console"
    )


def source_policies(session: Session) -> list[str]:
    """The shipping policies some source maps to a carrier code, sorted."""
    return sorted(
        set(
            session.scalars(
                sa.select(col(ShippingMapping.key)).where(col(ShippingMapping.scope) == "source")
            )
        )
    )


def hold_identity(reason: str | None) -> str:
    """What a hold is about, without its advice: the part before the first colon. A hold
    whose identity is unchanged is the same occurrence (no new warning)."""
    return (reason or "").split(":", 1)[0]


@dataclass(frozen=True)
class Held:
    """An order put on hold by this write (not one still held for the same reason)."""

    number: str
    reason: str


@dataclass
class OrdersWritten:
    """What one page did: counters for the run summary, and the orders newly held."""

    counts: dict[str, int]
    held: list[Held] = field(default_factory=list)


def write_orders_page(
    session: Session, channel_id: int, orders: list[tuple[dict[str, Any], list[dict[str, Any]]]]
) -> OrdersWritten:
    """Insert orders not seen before (with their lines), then map and route them.

    `orders` holds (order row, line rows) as the channel's mapping made them; external ids
    are strings.
    Orders already imported are left as they are (idempotent on the channel + external id),
    except those held only for a missing shipping mapping, which are tried again. A row
    with a `hold_reason` (the channel saw a problem, e.g. no shipping address) is stored on
    hold with it and not routed. `orders_held` counts only orders newly held: one still
    held for the same reason is neither counted nor reported again.
    """
    counts = {"orders_created": 0, "orders_held": 0, "orders_routed": 0, "skipped": 0}
    written = OrdersWritten(counts)
    if not orders:
        return written
    external = [row["external_id"] for row, _ in orders]
    known = set(
        session.scalars(
            sa.select(col(Order.external_id)).where(
                col(Order.channel_id) == channel_id,
                col(Order.external_id).in_(external),
            )
        )
    )
    now = utcnow()
    fresh = [(row, lines) for row, lines in orders if row["external_id"] not in known]
    counts["skipped"] = len(orders) - len(fresh)
    upsert(
        session,
        Order,
        [
            {
                **row,
                "channel_id": channel_id,
                "status": OrderStatus.ON_HOLD.value
                if row.get("hold_reason")
                else OrderStatus.NEW.value,
                "hold_reason": row.get("hold_reason"),
                "updated_at": now,
            }
            for row, _ in fresh
        ],
        keys=("channel_id", "external_id"),
        update=(),
    )
    ids = dict(
        session.execute(
            sa.select(col(Order.external_id), col(Order.id)).where(
                col(Order.channel_id) == channel_id,
                col(Order.external_id).in_(external),
            )
        ).all()
    )
    upsert(
        session,
        OrderLine,
        [{**line, "order_id": ids[row["external_id"]]} for row, lines in fresh for line in lines],
        keys=("order_id", "external_id"),
        update=(),
    )
    counts["orders_created"] = len(fresh)
    retry = sa.and_(
        col(Order.status) == OrderStatus.ON_HOLD.value,
        col(Order.hold_reason).startswith(MISSING_MAPPING_PREFIX),
    )
    fresh_ids = [ids[row["external_id"]] for row, _ in fresh if not row.get("hold_reason")]
    written.held.extend(
        Held(str(row["number"]), str(row["hold_reason"]))
        for row, _ in fresh
        if row.get("hold_reason")
    )
    targets = list(
        session.scalars(
            sa.select(Order)
            .where(col(Order.channel_id) == channel_id, col(Order.external_id).in_(external))
            .where(sa.or_(col(Order.id).in_(fresh_ids), retry))
            .order_by(col(Order.id))
        )
    )
    if targets:
        routed = map_and_route(session, channel_id, targets, written.held)
        counts["orders_routed"] += routed
    counts["orders_held"] = len(written.held)
    return written


def map_and_route(session: Session, channel_id: int, orders: list[Order], held: list[Held]) -> int:
    """Map each order's shipping text to a policy and route it; returns how many were
    routed. Orders newly held (not held before, or held now for another reason) are
    appended to `held`."""
    channel = session.get(Channel, channel_id)
    policies = dict(
        session.execute(
            sa.select(col(ShippingMapping.key), col(ShippingMapping.value)).where(
                col(ShippingMapping.scope) == "channel", col(ShippingMapping.owner_id) == channel_id
            )
        ).all()
    )
    choices: list[str] | None = None
    routed = 0
    for order in orders:
        before = (
            hold_identity(order.hold_reason) if order.status == OrderStatus.ON_HOLD.value else None
        )
        key = shipping_key(order.shipping_text)
        policy = policies.get(key)
        if policy is None:
            if choices is None:
                choices = source_policies(session)
            order.status = OrderStatus.ON_HOLD.value
            order.hold_reason = missing_mapping_reason(
                channel.name if channel else str(channel_id), key, order.shipping_text, choices
            )
            order.updated_at = utcnow()
            session.add(order)
        else:
            order.shipping_policy = policy
            order.status = OrderStatus.NEW.value
            order.hold_reason = None
            session.add(order)
            session.flush()
            if not route_order(session, order).hold_reason:
                routed += 1
                continue
        if hold_identity(order.hold_reason) != before:
            held.append(Held(order.number, order.hold_reason or ""))
    return routed
