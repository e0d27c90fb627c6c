"""Store side of get_orders and sync_orders: idempotent order import, holds, shipments to push."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from store.commands.bulk import upsert
from store.models import Channel, Order, OrderLine, Shipment, ShipmentLine, ShippingMapping
from store.models._types import utcnow
from store.models.orders import OrderStatus

from ..routing import route_order
from . import mapping

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

    Orders already imported are left as they are (idempotent on the channel + external id),
    except those held only for a missing shipping mapping, which are tried again.
    """
    counts = {"orders_created": 0, "orders_held": 0, "orders_routed": 0, "skipped": 0}
    if not orders:
        return counts
    external = [row["external_id"] for row, _ in orders]
    known = set(
        session.scalars(
            sa.select(Order.external_id).where(
                Order.channel_id == channel_id,
                Order.external_id.in_(external),  # type: ignore[attr-defined]
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
            {**row, "channel_id": channel_id, "status": OrderStatus.NEW.value, "updated_at": now}
            for row, _ in fresh
        ],
        keys=("channel_id", "external_id"),
        update=(),
    )
    ids = dict(
        session.execute(
            sa.select(Order.external_id, Order.id).where(
                Order.channel_id == channel_id,
                Order.external_id.in_(external),  # type: ignore[attr-defined]
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
        Order.status == OrderStatus.ON_HOLD.value,
        Order.hold_reason.startswith(MISSING_MAPPING_PREFIX),  # type: ignore[union-attr]
    )
    fresh_ids = [ids[row["external_id"]] for row, _ in fresh]
    targets = list(
        session.scalars(
            sa.select(Order)
            .where(Order.channel_id == channel_id, Order.external_id.in_(external))  # type: ignore[attr-defined]
            .where(sa.or_(Order.id.in_(fresh_ids), retry))  # type: ignore[union-attr]
            .order_by(Order.id)  # type: ignore[arg-type]
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
            sa.select(ShippingMapping.key, ShippingMapping.value).where(
                ShippingMapping.scope == "channel", ShippingMapping.owner_id == channel_id
            )
        ).all()
    )
    held = routed = 0
    for order in orders:
        key = mapping.shipping_key(order.shipping_text)
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


# --- sync_orders -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ShipmentPush:
    """One shipment to push to its WooCommerce order."""

    id: int
    order_id: int
    order_external_id: int
    order_number: str
    carrier: str
    service: str
    tracking_number: str
    shipped_at: datetime
    lines: list[tuple[str, int]]
    uncertain: bool  # an earlier push failed in a way that may have reached the store


def shipments_to_push(session: Session, channel_id: int) -> list[ShipmentPush]:
    """Shipments of this channel's orders that were never synced, oldest first."""
    rows = session.execute(
        sa.select(Shipment, Order.external_id, Order.number)
        .join(Order, Order.id == Shipment.order_id)  # type: ignore[arg-type]
        .where(Order.channel_id == channel_id, Shipment.synced_at.is_(None))  # type: ignore[union-attr]
        .order_by(Shipment.id)  # type: ignore[arg-type]
    ).all()
    ids = [s.id for s, _, _ in rows]
    lines: dict[int, list[tuple[str, int]]] = {}
    for sid, sku, qty in session.execute(
        sa.select(ShipmentLine.shipment_id, ShipmentLine.sku, ShipmentLine.quantity)
        .where(ShipmentLine.shipment_id.in_(ids))  # type: ignore[attr-defined]
        .order_by(ShipmentLine.id)  # type: ignore[arg-type]
    ):
        lines.setdefault(sid, []).append((sku, qty))
    return [
        ShipmentPush(
            id=s.id or 0,
            order_id=s.order_id,
            order_external_id=int(ext),
            order_number=number,
            carrier=s.carrier,
            service=s.service,
            tracking_number=s.tracking_number,
            shipped_at=s.shipped_at,
            lines=lines.get(s.id or 0, []),
            uncertain=s.sync_error is not None,
        )
        for s, ext, number in rows
    ]


def record_push(session: Session, shipment_id: int, error: str | None) -> None:
    """Mark a shipment synced, or keep it unsynced with the error."""
    values: dict[str, Any] = {"sync_error": error}
    if error is None:
        values["synced_at"] = utcnow()
    session.execute(sa.update(Shipment).where(Shipment.id == shipment_id).values(**values))


def fully_shipped_and_synced(session: Session, order_id: int) -> bool:
    """Every line of the order shipped, and every shipment of it synced to the channel."""
    pending = session.scalar(
        sa.select(sa.func.count())
        .select_from(Shipment)
        .where(Shipment.order_id == order_id, Shipment.synced_at.is_(None))  # type: ignore[union-attr]
    )
    if pending:
        return False
    shipped = dict(
        session.execute(
            sa.select(ShipmentLine.order_line_id, sa.func.sum(ShipmentLine.quantity))
            .join(Shipment, Shipment.id == ShipmentLine.shipment_id)  # type: ignore[arg-type]
            .where(Shipment.order_id == order_id)
            .group_by(ShipmentLine.order_line_id)
        ).all()
    )
    lines = session.scalars(sa.select(OrderLine).where(OrderLine.order_id == order_id)).all()
    return bool(lines) and all(
        max(line.quantity_shipped, int(shipped.get(line.id, 0) or 0)) >= line.quantity
        for line in lines
    )


def mark_completed(session: Session, order_id: int) -> None:
    """Our copy of the order follows the channel: completed."""
    session.execute(
        sa.update(Order)
        .where(Order.id == order_id)  # type: ignore[arg-type]
        .values(status=OrderStatus.COMPLETED.value, updated_at=utcnow())
    )
