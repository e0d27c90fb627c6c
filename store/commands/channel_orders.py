"""Writing a channel's orders: idempotent import, shipping policy from the channel's mapping,
routing, or a hold that names the missing mapping."""

from __future__ import annotations

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


def missing_mapping_reason(channel: str, key: str, title: str) -> str:
    """The hold reason of an order whose shipping method has no mapping (operator's words)."""
    return (
        f"{MISSING_MAPPING_PREFIX} '{key}' for shipping method \"{title}\" on channel "
        f"{channel}: add it with 'dropdeck mappings shipping add --channel {channel} "
        f"{key} POLICY', then run get_orders again"
    )


def write_orders_page(
    session: Session, channel_id: int, orders: list[tuple[dict[str, Any], list[dict[str, Any]]]]
) -> dict[str, int]:
    """Insert orders not seen before (with their lines), then map and route them.

    `orders` holds (order row, line rows) as the channel's mapping made them; external ids
    are strings.
    Orders already imported are left as they are (idempotent on the channel + external id),
    except those held only for a missing shipping mapping, which are tried again. A row
    with a `hold_reason` (the channel saw a problem, e.g. no shipping address) is stored on
    hold with it and not routed.
    """
    counts = {"orders_created": 0, "orders_held": 0, "orders_routed": 0, "skipped": 0}
    if not orders:
        return counts
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
    counts["orders_held"] = len(fresh) - len(fresh_ids)
    targets = list(
        session.scalars(
            sa.select(Order)
            .where(col(Order.channel_id) == channel_id, col(Order.external_id).in_(external))
            .where(sa.or_(col(Order.id).in_(fresh_ids), retry))
            .order_by(col(Order.id))
        )
    )
    if targets:
        held, routed = _map_and_route(session, channel_id, targets)
        counts["orders_held"] += held
        counts["orders_routed"] += routed
    return counts


def _map_and_route(session: Session, channel_id: int, orders: list[Order]) -> tuple[int, int]:
    channel = session.get(Channel, channel_id)
    policies = dict(
        session.execute(
            sa.select(col(ShippingMapping.key), col(ShippingMapping.value)).where(
                col(ShippingMapping.scope) == "channel", col(ShippingMapping.owner_id) == channel_id
            )
        ).all()
    )
    held = routed = 0
    for order in orders:
        key = shipping_key(order.shipping_text)
        policy = policies.get(key)
        if policy is None:
            order.status = OrderStatus.ON_HOLD.value
            order.hold_reason = missing_mapping_reason(
                channel.name if channel else str(channel_id), key, order.shipping_text
            )
            order.updated_at = utcnow()
            session.add(order)
            held += 1
            continue
        order.shipping_policy = policy
        order.status = OrderStatus.NEW.value
        order.hold_reason = None
        session.add(order)
        session.flush()
        plan = route_order(session, order)
        if plan.hold_reason:
            held += 1
        else:
            routed += 1
    return held, routed
