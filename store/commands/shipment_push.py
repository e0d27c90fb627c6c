"""Shipment push bookkeeping for a channel: what to push, what happened, when an order is done.

Every channel write lands exactly once: the intent of a push (`push_started_at`) is
committed before the write and its outcome after it. A push whose intent was recorded but
whose outcome was not (the worker died in between), or that failed in a way that may have
reached the channel, is `uncertain`, so the flow looks at the channel before pushing it
again. Orders fully shipped and synced but not yet completed on the channel are found
afresh by every run, so a run killed before completing them is repaired by the next.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from ..models import Order, OrderLine, Shipment, ShipmentLine
from ..models._types import utcnow
from ..models.orders import OrderStatus


@dataclass(frozen=True)
class PushLine:
    """One shipped line: the SKU, how many, and the channel's id of the order line (None
    when the source's shipment named a SKU no order line has)."""

    sku: str
    quantity: int
    line_external_id: str | None


@dataclass(frozen=True)
class ShipmentPush:
    """One shipment to push to its order on the channel."""

    id: int
    order_id: int
    order_external_id: str
    order_number: str
    carrier: str
    service: str
    tracking_number: str
    shipped_at: datetime
    lines: list[PushLine]
    # An earlier push started and was never recorded, or failed in a way that may have
    # reached the channel: look on the channel before pushing.
    uncertain: bool


def shipments_to_push(session: Session, channel_id: int) -> list[ShipmentPush]:
    """Shipments of this channel's orders that were never synced, oldest first."""
    rows = session.execute(
        sa.select(Shipment, col(Order.external_id), col(Order.number))
        .join(Order, col(Order.id) == col(Shipment.order_id))
        .where(col(Order.channel_id) == channel_id, col(Shipment.synced_at).is_(None))
        .order_by(col(Shipment.id))
    ).all()
    ids = [s.id for s, _, _ in rows]
    lines: dict[int, list[PushLine]] = {}
    # The channel's SKU (its order line's) where the shipped line is one: the customer
    # bought that, not the supplier's SKU.
    for sid, sku, qty, line_ext in session.execute(
        sa.select(
            col(ShipmentLine.shipment_id),
            sa.func.coalesce(col(OrderLine.sku), col(ShipmentLine.sku)),
            col(ShipmentLine.quantity),
            col(OrderLine.external_id),
        )
        .outerjoin(OrderLine, col(OrderLine.id) == col(ShipmentLine.order_line_id))
        .where(col(ShipmentLine.shipment_id).in_(ids))
        .order_by(col(ShipmentLine.id))
    ):
        lines.setdefault(sid, []).append(PushLine(sku, qty, line_ext))
    return [
        ShipmentPush(
            id=s.id or 0,
            order_id=s.order_id,
            order_external_id=str(ext),
            order_number=number,
            carrier=s.carrier,
            service=s.service,
            tracking_number=s.tracking_number,
            shipped_at=s.shipped_at,
            lines=lines.get(s.id or 0, []),
            uncertain=s.sync_error is not None or s.push_started_at is not None,
        )
        for s, ext, number in rows
    ]


def start_push(session: Session, shipment_id: int) -> None:
    """Record the intent to push the shipment; commit it before the channel write."""
    session.execute(
        sa.update(Shipment).where(col(Shipment.id) == shipment_id).values(push_started_at=utcnow())
    )


def record_push(session: Session, shipment_id: int, error: str | None) -> None:
    """Mark a shipment synced, or keep it unsynced with the error."""
    values: dict[str, Any] = {"sync_error": error}
    if error is None:
        values["synced_at"] = utcnow()
    session.execute(sa.update(Shipment).where(col(Shipment.id) == shipment_id).values(**values))


def fully_shipped_and_synced(session: Session, order_id: int) -> bool:
    """Every line of the order shipped, and every shipment of it synced to the channel."""
    pending = session.scalar(
        sa.select(sa.func.count())
        .select_from(Shipment)
        .where(col(Shipment.order_id) == order_id, col(Shipment.synced_at).is_(None))
    )
    if pending:
        return False
    shipped = dict(
        session.execute(
            sa.select(col(ShipmentLine.order_line_id), sa.func.sum(col(ShipmentLine.quantity)))
            .join(Shipment, col(Shipment.id) == col(ShipmentLine.shipment_id))
            .where(col(Shipment.order_id) == order_id)
            .group_by(col(ShipmentLine.order_line_id))
        ).all()
    )
    lines = session.scalars(sa.select(OrderLine).where(col(OrderLine.order_id) == order_id)).all()
    return bool(lines) and all(
        max(line.quantity_shipped, int(shipped.get(line.id, 0) or 0)) >= line.quantity
        for line in lines
    )


@dataclass(frozen=True)
class OrderToComplete:
    """An order of the channel to complete there."""

    id: int
    external_id: str
    number: str


def orders_to_complete(session: Session, channel_id: int) -> list[OrderToComplete]:
    """This channel's orders not yet completed (nor cancelled) whose every line has shipped
    and every shipment has synced to the channel, oldest first."""
    unsynced = sa.exists().where(
        col(Shipment.order_id) == col(Order.id), col(Shipment.synced_at).is_(None)
    )
    shipped = sa.exists().where(col(Shipment.order_id) == col(Order.id))
    done = [OrderStatus.COMPLETED.value, OrderStatus.CANCELLED.value]
    candidates = session.execute(
        sa.select(col(Order.id), col(Order.external_id), col(Order.number))
        .where(
            col(Order.channel_id) == channel_id,
            col(Order.status).not_in(done),
            shipped,
            ~unsynced,
        )
        .order_by(col(Order.id))
    ).all()
    return [
        OrderToComplete(int(order_id), str(external_id), str(number))
        for order_id, external_id, number in candidates
        if fully_shipped_and_synced(session, int(order_id))
    ]


def mark_completed(session: Session, order_id: int) -> None:
    """Our copy of the order follows the channel: completed."""
    session.execute(
        sa.update(Order)
        .where(col(Order.id) == order_id)
        .values(status=OrderStatus.COMPLETED.value, updated_at=utcnow())
    )
