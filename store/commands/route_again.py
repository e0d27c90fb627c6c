"""An operator routes a held order again: after linking a listing to inventory, a restock,
or adding the shipping mapping it was held for (which the console offers on `r`).

Routing again is the get_orders path for one order (`channel_orders.map_and_route`): the
shipping text is mapped, then lines are assigned to sources, or the order stays on hold
with the reason as it is now. Every route-again and every mapping added is audited.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col

from ..models import Channel, Order, ShippingMapping
from ..models.orders import OrderStatus
from .audit import record_audit
from .channel_orders import MISSING_MAPPING_PREFIX, map_and_route, source_policies
from .setup import set_shipping_mapping
from .shipping import shipping_key


class RouteRefused(ValueError):
    """The order cannot be routed again (not held); the message says why."""


@dataclass(frozen=True)
class Routed:
    """One order routed again: its number, status now, and the hold reason if still held."""

    number: str
    status: str
    hold_reason: str | None


@dataclass(frozen=True)
class MissingMapping:
    """What the console's mapping dialog needs for an order held for a shipping mapping."""

    order_id: int
    number: str
    channel: str
    key: str
    shipping_text: str
    policies: list[str]
    """The policies the sources map to carrier codes (the choices offered)."""


def missing_mapping(session: Session, order_id: int) -> MissingMapping | None:
    """The missing shipping mapping the order is held for, or None (held for something else,
    or not held)."""
    order = session.get(Order, order_id)
    if order is None or order.status != OrderStatus.ON_HOLD.value:
        return None
    if not (order.hold_reason or "").startswith(MISSING_MAPPING_PREFIX):
        return None
    channel = session.get(Channel, order.channel_id)
    return MissingMapping(
        order_id=order_id,
        number=order.number,
        channel=channel.name if channel else str(order.channel_id),
        key=shipping_key(order.shipping_text),
        shipping_text=order.shipping_text,
        policies=source_policies(session),
    )


def route_again(session: Session, order_id: int, actor: str) -> Routed:
    """Map and route one held order now (audited); refused for an order not on hold."""
    order = session.get(Order, order_id)
    if order is None:
        raise RouteRefused(f"order {order_id} no longer exists")
    if order.status != OrderStatus.ON_HOLD.value:
        raise RouteRefused(
            f"order {order.number} is {order.status.replace('_', ' ')}, not on hold: "
            "only a held order is routed again"
        )
    before = {"status": order.status, "hold_reason": order.hold_reason}
    map_and_route(session, order.channel_id, [order], [])
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="order.route_again",
        record_type="order",
        changes=[
            (str(order.id), before, {"status": order.status, "hold_reason": order.hold_reason})
        ],
    )
    return Routed(order.number, order.status, order.hold_reason)


def add_mapping_and_route(
    session: Session, order_id: int, policy: str, actor: str
) -> tuple[str, list[Routed]]:
    """Add the channel's shipping mapping the order is held for (its text -> `policy`), then
    route again every order of that channel held for the same text. Returns (mapping key,
    the orders routed again, the chosen one first). Both steps are audited."""
    policy = policy.strip()
    if not policy:
        raise RouteRefused("choose a shipping policy (the name your sources map to a code)")
    missing = missing_mapping(session, order_id)
    if missing is None:
        order = session.get(Order, order_id)
        what = order.number if order else str(order_id)
        raise RouteRefused(f"order {what} is not held for a missing shipping mapping")
    order = session.get(Order, order_id)
    assert order is not None
    before = set_shipping_mapping(
        session, scope="channel", owner_id=order.channel_id, key=missing.key, value=policy
    )
    row = {"scope": "channel", "owner": missing.channel, "key": missing.key}
    record_audit(
        session,
        actor=actor,
        action="shipping_mapping.set",
        record_type="shipping_mapping",
        changes=[
            (
                f"channel:{missing.channel}:{missing.key}",
                {} if before is None else {**row, "value": before},
                {**row, "value": policy},
            )
        ],
    )
    same = session.scalars(
        sa.select(Order)
        .where(
            col(Order.channel_id) == order.channel_id,
            col(Order.status) == OrderStatus.ON_HOLD.value,
            col(Order.hold_reason).startswith(f"{MISSING_MAPPING_PREFIX} '{missing.key}'"),
            col(Order.id) != order_id,
        )
        .order_by(col(Order.id))
    ).all()
    routed = [route_again(session, order_id, actor)]
    routed += [route_again(session, o.id or 0, actor) for o in same]
    return missing.key, routed


def policy_known(session: Session, policy: str) -> bool:
    """Whether some source maps `policy` to a carrier code."""
    return (
        session.scalar(
            sa.select(col(ShippingMapping.id)).where(
                col(ShippingMapping.scope) == "source", col(ShippingMapping.key) == policy
            )
        )
        is not None
    )
