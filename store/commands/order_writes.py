"""Writes a channel receives once per order, recorded before they are sent.

Some channel writes are about a whole order rather than a shipment: ShipStation's "Assign
User ID after order Import" (assignuser) and its markasshipped. Each is recorded as an
audit row *before* the request goes out (`<action>.requested`) and again once the channel
accepted it (`<action>`): a re-run never repeats a confirmed write, and a write whose
confirmation is missing (the worker died after sending) is looked for on the channel
before it is sent again. The audit trail doubles as the operator's record of what
Dropdeck did to the order, and by which integration.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlmodel import Session, col

from ..models import AuditEvent, Order, OrderLine, Shipment, ShipmentLine
from ..models._types import utcnow
from .audit import record_audit

WriteState = Literal["requested", "done"]
REQUESTED = ".requested"


def channel_order_ids(
    session: Session,
    channel_id: int,
    external_ids: Iterable[str],
    *,
    imported_since: datetime | None = None,
) -> dict[str, int]:
    """External id -> order id of this channel's orders among `external_ids`; with
    `imported_since`, only those imported at or after it (by this run, from its start)."""
    ids = list(external_ids)
    if not ids:
        return {}
    query = sa.select(col(Order.external_id), col(Order.id)).where(
        col(Order.channel_id) == channel_id,
        col(Order.external_id).in_(ids),
    )
    if imported_since is not None:
        query = query.where(col(Order.imported_at) >= imported_since)
    return {ext: oid for ext, oid in session.execute(query)}


def write_states(session: Session, order_ids: Iterable[int], action: str) -> dict[int, WriteState]:
    """Order id -> how far `action` got for it: "done", or "requested" (sent, unconfirmed).
    Orders never asked for are absent."""
    ids = [str(i) for i in order_ids]
    if not ids:
        return {}
    rows = session.execute(
        sa.select(col(AuditEvent.record_id), col(AuditEvent.action)).where(
            col(AuditEvent.record_type) == "order",
            col(AuditEvent.action).in_([action, action + REQUESTED]),
            col(AuditEvent.record_id).in_(ids),
        )
    )
    out: dict[int, WriteState] = {}
    for record_id, name in rows:
        order_id = int(record_id)
        if name == action:
            out[order_id] = "done"
        else:
            out.setdefault(order_id, "requested")
    return out


def record_write(
    session: Session,
    order_ids: Iterable[int],
    action: str,
    state: WriteState,
    *,
    actor: str,
    after: Mapping[str, Any],
) -> int:
    """Record that `action` was requested for (or accepted on) these orders."""
    name = action if state == "done" else action + REQUESTED
    return record_audit(
        session,
        actor=actor,
        action=name,
        record_type="order",
        changes=[(str(i), {}, dict(after)) for i in order_ids],
    )


def fully_shipped(session: Session, order_ids: Iterable[int]) -> dict[int, bool]:
    """Order id -> whether its shipments (synced or not) cover every unit of every line."""
    ids = list(order_ids)
    if not ids:
        return {}
    shipped: dict[int, dict[int, int]] = {}
    for order_id, line_id, qty in session.execute(
        sa.select(
            col(Shipment.order_id),
            col(ShipmentLine.order_line_id),
            sa.func.sum(col(ShipmentLine.quantity)),
        )
        .join(Shipment, col(Shipment.id) == col(ShipmentLine.shipment_id))
        .where(col(Shipment.order_id).in_(ids))
        .group_by(col(Shipment.order_id), col(ShipmentLine.order_line_id))
    ):
        if line_id is not None:
            shipped.setdefault(order_id, {})[line_id] = int(qty or 0)
    out = {i: True for i in ids}
    seen: set[int] = set()
    for line in session.scalars(sa.select(OrderLine).where(col(OrderLine.order_id).in_(ids))):
        seen.add(line.order_id)
        done = max(line.quantity_shipped, shipped.get(line.order_id, {}).get(line.id or 0, 0))
        if done < line.quantity:
            out[line.order_id] = False
    return {i: out[i] and i in seen for i in ids}


def confirm_order_write(
    session: Session,
    order_id: int,
    action: str,
    *,
    actor: str,
    after: Mapping[str, Any],
    synced_shipments: Iterable[int] = (),
) -> None:
    """In one transaction: `action` was accepted for the order, and these shipments of it
    are on the channel now (synced, no error)."""
    record_write(session, [order_id], action, "done", actor=actor, after=after)
    ids = list(synced_shipments)
    if ids:
        session.execute(
            sa.update(Shipment)
            .where(col(Shipment.id).in_(ids))
            .values(synced_at=utcnow(), sync_error=None)
        )
