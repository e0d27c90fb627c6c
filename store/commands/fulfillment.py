"""Fulfillment requests on their way to a source and back: send, track, resubmit.

A request's life: `pending` → (claimed) `sending` → `sent` | `failed`; then
`partially_shipped` / `shipped` as shipments arrive. Claiming commits on its own before any
HTTP, so a request is never sent by two runs and a crash mid-send leaves it `sending`,
which the next run reconciles by asking the source whether the PO exists.

Which pending requests a send picks up: those whose order's channel has auto-process on,
and those an operator resubmitted. A resubmitted request is `pending` with `attempts > 0`
(a request only gets attempts by being placed, which needs a claim, and a claimed request
ends sent, failed or sending, so `pending` with attempts can only come from
`resubmit_request`). Attempts count sends, not look-ups: a claim taken only to ask the
source (during an outage, say) adds none.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from ..models import (
    Channel,
    FulfillmentLine,
    FulfillmentRequest,
    Integration,
    Invoice,
    JobRun,
    Order,
    OrderLine,
    Shipment,
    ShipmentLine,
)
from ..models._types import utcnow
from ..models.config import IntegrationKind
from ..models.orders import OrderStatus, RequestStatus
from ..models.runtime import RunStatus, RunTrigger
from .audit import record_audit
from .bulk import upsert

# Statuses at which a request is at the source (an order exists there).
AT_SOURCE = (
    RequestStatus.SENT.value,
    RequestStatus.PARTIALLY_SHIPPED.value,
    RequestStatus.SHIPPED.value,
)


class ResubmitRefused(ValueError):
    """The request cannot be resubmitted; the message says why and what to do."""


class SendRefused(ValueError):
    """The request cannot be sent now; the message says why and what to do."""


# -- sending ---------------------------------------------------------------------------------


def requests_to_send(session: Session, source_id: int) -> list[int]:
    """Ids of this source's requests a send should handle, oldest first.

    Interrupted sends (`sending`) come first so they are reconciled before anything new.
    """
    fr = FulfillmentRequest
    auto = (
        sa.select(col(Channel.auto_process))
        .join(Order, col(Order.channel_id) == col(Channel.id))
        .where(col(Order.id) == col(fr.order_id))
        .scalar_subquery()
    )
    pending = sa.and_(
        col(fr.status) == RequestStatus.PENDING.value,
        sa.or_(col(fr.attempts) > 0, auto.is_(True)),
    )
    stmt = (
        sa.select(FulfillmentRequest.__table__.c.id)
        .where(
            col(fr.source_id) == source_id,
            sa.or_(pending, col(fr.status) == RequestStatus.SENDING.value),
        )
        .order_by(sa.case((col(fr.status) == RequestStatus.SENDING.value, 0), else_=1), col(fr.id))
    )
    return [int(i) for i in session.scalars(stmt)]


def sendable_now(session: Session, source_id: int, request_id: int) -> list[int]:
    """[request_id] when it is this source's and pending or sending (an operator sends it
    now, auto-process or not); [] otherwise (it moved on meanwhile)."""
    fr = FulfillmentRequest
    found = session.scalar(
        sa.select(col(fr.id)).where(
            col(fr.id) == request_id,
            col(fr.source_id) == source_id,
            col(fr.status).in_([RequestStatus.PENDING.value, RequestStatus.SENDING.value]),
        )
    )
    return [] if found is None else [int(found)]


def claim_request(session: Session, request_id: int) -> str | None:
    """Mark the request `sending`; the status it had, or None.

    A compare-and-set on the status, so two runs can never both claim it. Commit the
    session before sending anything.
    """
    fr = FulfillmentRequest.__table__.c
    before = session.execute(sa.select(fr.status).where(fr.id == request_id)).scalar()
    if before not in (RequestStatus.PENDING.value, RequestStatus.SENDING.value):
        return None
    done = session.exec(
        sa.update(FulfillmentRequest.__table__)
        .where(fr.id == request_id, fr.status == before)
        .values(status=RequestStatus.SENDING.value, updated_at=utcnow()),
    )
    return str(before) if done.rowcount == 1 else None


def count_send_attempt(session: Session, request_id: int) -> None:
    """Count one send of the claimed request; commit it before the order is placed."""
    fr = FulfillmentRequest.__table__.c
    session.exec(
        sa.update(FulfillmentRequest.__table__)
        .where(fr.id == request_id)
        .values(attempts=fr.attempts + 1, updated_at=utcnow()),
    )


@dataclass(frozen=True)
class RequestSnapshot:
    """What a connector needs to send one request, as plain values."""

    id: int
    order_id: int
    po_number: str
    status: str
    attempts: int
    shipping_method: str | None
    shipping_address: dict[str, Any]
    order: dict[str, Any]
    lines: list[dict[str, Any]]


def request_snapshot(session: Session, request_id: int) -> RequestSnapshot:
    """The request with its order and lines."""
    request = session.get(FulfillmentRequest, request_id)
    if request is None:
        raise LookupError(f"fulfillment request {request_id} does not exist")
    order = session.get(Order, request.order_id)
    assert order is not None
    lines = session.execute(
        sa.select(
            col(FulfillmentLine.sku),
            col(FulfillmentLine.quantity),
            col(FulfillmentLine.order_line_id),
            col(OrderLine.price),
            col(OrderLine.title),
        )
        .join(OrderLine, col(OrderLine.id) == col(FulfillmentLine.order_line_id))
        .where(col(FulfillmentLine.request_id) == request_id)
        .order_by(col(FulfillmentLine.id))
    ).all()
    return RequestSnapshot(
        id=request_id,
        order_id=order.id or 0,
        po_number=request.po_number,
        status=request.status,
        attempts=request.attempts,
        shipping_method=request.shipping_method,
        shipping_address=dict(request.shipping_address or order.shipping_address or {}),
        order={
            "id": order.id,
            "number": order.number,
            "external_id": order.external_id,
            "customer_name": order.customer_name,
            "customer_email": order.customer_email,
            "billing_address": dict(order.billing_address or {}),
            "shipping_text": order.shipping_text,
            "shipping_policy": order.shipping_policy,
            # What a supplier's order form may also ask for (the WPS guide's Send Orders
            # fields): when, how much, and what the shopper wrote.
            "placed_at": order.placed_at.isoformat() if order.placed_at else None,
            "total": None if order.total is None else str(order.total),
            "currency": order.currency,
            "customer_note": (order.details or {}).get("customer_note") or None,
        },
        lines=[
            {
                "sku": s,
                "quantity": q,
                "order_line_id": o,
                "price": None if price is None else str(price),
                "name": title or "",
            }
            for s, q, o, price, title in lines
        ],
    )


def mark_sent(session: Session, request_id: int, external_id: str | None) -> None:
    """The source has the order: record its number; the order is `sent` once all are."""
    request = session.get(FulfillmentRequest, request_id)
    assert request is not None
    now = utcnow()
    if request.status not in AT_SOURCE:
        request.status = RequestStatus.SENT.value
    request.external_id = external_id or request.external_id
    request.last_error = None
    request.sent_at = request.sent_at or now
    request.updated_at = now
    session.add(request)
    session.flush()
    _refresh_order_status(session, request.order_id)


def mark_failed(session: Session, request_id: int, error: str) -> None:
    """The source refused (or the request could not be built): `failed` with the reason."""
    request = session.get(FulfillmentRequest, request_id)
    assert request is not None
    request.status = RequestStatus.FAILED.value
    request.last_error = error[:2000]
    request.updated_at = utcnow()
    session.add(request)
    session.flush()
    _refresh_order_status(session, request.order_id)


def release_claim(session: Session, request_id: int, error: str) -> None:
    """Leave an interrupted send as `sending` with the reason; the next run reconciles it."""
    session.execute(
        sa.update(FulfillmentRequest)
        .where(col(FulfillmentRequest.id) == request_id)
        .values(last_error=error[:2000], updated_at=utcnow())
    )


# -- operator: resubmit ----------------------------------------------------------------------------


def resubmit_request(
    session: Session,
    request_id: int,
    *,
    shipping_method: str | None = None,
    shipping_address: Mapping[str, Any] | None = None,
    actor: str,
) -> FulfillmentRequest:
    """Put a failed request back in line for the next send, with the operator's edits.

    `shipping_address` fields are merged into the request's address (a value of "" or None
    removes that field). Audited with before/after. The send looks the PO up at the source
    first, so a resubmit never creates a second order there.
    """
    request = session.get(FulfillmentRequest, request_id)
    if request is None:
        raise ResubmitRefused(f"fulfillment request {request_id} does not exist")
    status = request.status
    resubmitted = status == RequestStatus.PENDING.value and request.attempts > 0
    if status != RequestStatus.FAILED.value and not resubmitted:
        raise ResubmitRefused(_refusal(request))
    before = {
        "status": status,
        "shipping_method": request.shipping_method,
        "shipping_address": dict(request.shipping_address or {}),
        "last_error": request.last_error,
    }
    if shipping_method is not None:
        request.shipping_method = shipping_method.strip() or None
    if shipping_address:
        merged = dict(request.shipping_address or {})
        for key, value in shipping_address.items():
            if value in (None, ""):
                merged.pop(key, None)
            else:
                merged[key] = value
        request.shipping_address = merged
    request.status = RequestStatus.PENDING.value
    request.updated_at = utcnow()
    session.add(request)
    after = {
        "status": request.status,
        "shipping_method": request.shipping_method,
        "shipping_address": dict(request.shipping_address or {}),
        "last_error": request.last_error,
    }
    record_audit(
        session,
        actor=actor,
        action="fulfillment_request.resubmit",
        record_type="fulfillment_request",
        changes=[(str(request_id), before, after)],
    )
    session.flush()
    _refresh_order_status(session, request.order_id)
    return request


def _refusal(request: FulfillmentRequest) -> str:
    po, status = request.po_number, request.status
    if status in AT_SOURCE:
        at = f" as order {request.external_id}" if request.external_id else ""
        return f"PO {po} is already at the source{at} ({status}); nothing to resubmit"
    if status == RequestStatus.SENDING.value:
        return f"PO {po} is being sent right now; wait for the send_orders run to finish"
    if status == RequestStatus.PENDING.value:
        return (
            f"PO {po} has not been sent yet; it goes with the next send_orders run once its "
            "channel's auto-process is on"
        )
    return f"PO {po} is {status}; only a failed request can be resubmitted"


# -- operator: send one request now -----------------------------------------------------------


def queue_send_now(session: Session, request_id: int, *, actor: str) -> int:
    """Queue a send_orders run of the request's source for this request only; its run id.

    The run goes through the supplier flow like any other (claim, look the PO up, place),
    so sending now never makes a second order. Audited. Refused (`SendRefused`) unless the
    request is `pending` or `sending`, and while its source's send_orders is paused,
    disabled, missing or already queued.
    """
    request = session.get(FulfillmentRequest, request_id)
    if request is None:
        raise SendRefused(f"fulfillment request {request_id} does not exist")
    po, status = request.po_number, request.status
    if status == RequestStatus.FAILED.value:
        raise SendRefused(
            f"PO {po} failed ({request.last_error}); fix the cause and resubmit it "
            "('dropdeck orders resubmit ORDER --now')"
        )
    if status not in (RequestStatus.PENDING.value, RequestStatus.SENDING.value):
        raise SendRefused(_refusal(request))
    integration = session.scalars(
        sa.select(Integration).where(
            col(Integration.source_id) == request.source_id,
            col(Integration.kind) == IntegrationKind.SEND_ORDERS.value,
        )
    ).first()
    if integration is None or integration.id is None:
        raise SendRefused(f"PO {po}: its source has no send_orders integration; add one")
    name = integration.name
    if integration.paused_reason is not None:
        raise SendRefused(
            f"{name} is paused ({integration.paused_reason}); fix the cause, then "
            f"'dropdeck integrations unpause {name}'"
        )
    if not integration.enabled:
        raise SendRefused(f"{name} is disabled; enable it first")
    run = JobRun(
        integration_id=integration.id,
        trigger=RunTrigger.MANUAL.value,
        status=RunStatus.QUEUED.value,
        started_by=actor,
        request_id=request_id,
    )
    try:
        with session.begin_nested():
            session.add(run)
            session.flush()
    except sa.exc.IntegrityError:
        raise SendRefused(
            f"a {name} run is already queued; let it run ('dropdeck run {name} --wait'), "
            "then send again"
        ) from None
    record_audit(
        session,
        actor=actor,
        action="fulfillment_request.send",
        record_type="fulfillment_request",
        changes=[(str(request_id), {"status": status}, {"status": status, "run": run.id})],
    )
    assert run.id is not None
    return run.id


# -- tracking: shipments and invoices ---------------------------------------------------------


def requests_to_track(
    session: Session,
    source_id: int,
    *,
    statuses: Sequence[str],
    since: datetime | None,
    updated_since: datetime | None = None,
) -> list[tuple[int, str]]:
    """(id, PO number) of this source's requests in `statuses`, sent since `since` and
    (when given) updated since `updated_since`."""
    fr = FulfillmentRequest
    stmt = sa.select(col(fr.id), col(fr.po_number)).where(
        col(fr.source_id) == source_id,
        col(fr.status).in_(list(statuses)),
    )
    if since is not None:
        stmt = stmt.where(sa.func.coalesce(col(fr.sent_at), col(fr.created_at)) >= since)
    if updated_since is not None:
        stmt = stmt.where(col(fr.updated_at) >= updated_since)
    return [(int(i), str(po)) for i, po in session.execute(stmt.order_by(col(fr.id)))]


@dataclass(frozen=True)
class ShipmentIn:
    """A shipment as a source reports it; `lines` are (source SKU, quantity)."""

    external_id: str
    tracking_number: str
    carrier: str
    service: str
    shipped_at: datetime
    lines: Sequence[tuple[str, int]]
    # What else the source says, when it does ("In Transit"; a delivery date; notes).
    status: str | None = None
    estimated_delivery: date | None = None
    notes: str | None = None
    # Where it went, as the source keeps it (street1, city, state, zip, country), and the
    # shipped items' names by source SKU; empty when the source does not say.
    ship_to: Mapping[str, str] = field(default_factory=dict)
    line_names: Mapping[str, str] = field(default_factory=dict)


def record_shipments(
    session: Session,
    request_id: int,
    shipments: Iterable[ShipmentIn],
    *,
    cancelled: bool = False,
) -> int:
    """Store a request's shipments (idempotent) and move request and order statuses on.

    Returns how many shipments were new. `cancelled` says the source cancelled everything
    still open; a request with nothing shipped then becomes `cancelled`.
    """
    request = session.get(FulfillmentRequest, request_id)
    assert request is not None
    incoming = {s.external_id: s for s in shipments}
    existing = set()
    if incoming:
        existing = set(
            session.scalars(
                sa.select(col(Shipment.external_id)).where(
                    col(Shipment.source_id) == request.source_id,
                    col(Shipment.external_id).in_(list(incoming)),
                )
            )
        )
    new = [s for key, s in incoming.items() if key not in existing]
    now = utcnow()
    upsert(
        session,
        Shipment,
        [
            {
                "source_id": request.source_id,
                "order_id": request.order_id,
                "request_id": request_id,
                "external_id": s.external_id,
                "carrier": s.carrier,
                "service": s.service,
                "tracking_number": s.tracking_number,
                "shipped_at": s.shipped_at,
                "status": s.status,
                "estimated_delivery": s.estimated_delivery,
                "notes": s.notes,
                "ship_to": dict(s.ship_to),
                "recorded_at": now,  # on insert only: not in `update` below
            }
            for s in incoming.values()
        ],
        keys=("source_id", "external_id"),
        # Tracking added later and a status that moves on (In Transit, Delivered) are kept
        # up to date on a known shipment.
        update=("tracking_number", "carrier", "service", "status", "estimated_delivery", "notes"),
        only_if_changed=True,
    )
    if new:
        ids = dict(
            session.execute(
                sa.select(col(Shipment.external_id), col(Shipment.id)).where(
                    col(Shipment.source_id) == request.source_id,
                    col(Shipment.external_id).in_([s.external_id for s in new]),
                )
            ).all()
        )
        line_of = dict(
            session.execute(
                sa.select(col(FulfillmentLine.sku), col(FulfillmentLine.order_line_id)).where(
                    col(FulfillmentLine.request_id) == request_id
                )
            ).all()
        )
        rows = [
            {
                "shipment_id": ids[s.external_id],
                "order_line_id": line_of.get(sku),
                "sku": sku,
                "quantity": qty,
                "name": s.line_names.get(sku) or None,
            }
            for s in new
            for sku, qty in s.lines
        ]
        if rows:
            session.execute(sa.insert(ShipmentLine), rows)
    _refresh_shipped(session, request, cancelled=cancelled)
    return len(new)


def _refresh_shipped(session: Session, request: FulfillmentRequest, *, cancelled: bool) -> None:
    """Recount shipped quantities from shipment lines; set request and order statuses."""
    sl, sh = ShipmentLine, Shipment
    shipped_per_line = (
        sa.select(sa.func.coalesce(sa.func.sum(col(sl.quantity)), 0))
        .join(sh, col(sh.id) == col(sl.shipment_id))
        .where(col(sl.order_line_id) == col(OrderLine.id))
        .scalar_subquery()
    )
    session.execute(
        sa.update(OrderLine)
        .where(col(OrderLine.order_id) == request.order_id)
        .values(quantity_shipped=shipped_per_line)
    )
    shipped_here = dict(
        session.execute(
            sa.select(col(sl.sku), sa.func.sum(col(sl.quantity)))
            .join(sh, col(sh.id) == col(sl.shipment_id))
            .where(col(sh.request_id) == request.id)
            .group_by(col(sl.sku))
        ).all()
    )
    wanted: dict[str, int] = {}
    for sku, qty in session.execute(
        sa.select(col(FulfillmentLine.sku), col(FulfillmentLine.quantity)).where(
            col(FulfillmentLine.request_id) == request.id
        )
    ):
        wanted[sku] = wanted.get(sku, 0) + int(qty)
    status = request.status
    if wanted and all(int(shipped_here.get(sku, 0)) >= q for sku, q in wanted.items()):
        status = RequestStatus.SHIPPED.value
    elif any(shipped_here.values()):
        status = RequestStatus.PARTIALLY_SHIPPED.value
    elif cancelled:
        status = RequestStatus.CANCELLED.value
    if status != request.status:
        request.status = status
        request.updated_at = utcnow()
        session.add(request)
        session.flush()
    _refresh_order_status(session, request.order_id)


def _refresh_order_status(session: Session, order_id: int) -> None:
    """An order follows its requests: sent when all are at the source, shipped when all are."""
    order = session.get(Order, order_id)
    if order is None:
        return
    statuses = list(
        session.scalars(
            sa.select(col(FulfillmentRequest.status)).where(
                col(FulfillmentRequest.order_id) == order_id
            )
        )
    )
    live = [s for s in statuses if s != RequestStatus.CANCELLED.value]
    new = order.status
    if not statuses:
        return
    if not live:
        new = OrderStatus.CANCELLED.value
    elif all(s == RequestStatus.SHIPPED.value for s in live):
        new = OrderStatus.SHIPPED.value
    elif any(
        s in (RequestStatus.SHIPPED.value, RequestStatus.PARTIALLY_SHIPPED.value) for s in live
    ):
        new = OrderStatus.PARTIALLY_SHIPPED.value
    elif all(s in AT_SOURCE for s in live):
        new = OrderStatus.SENT.value
    elif any(s == RequestStatus.FAILED.value for s in live):
        new = OrderStatus.FAILED.value
    elif order.status == OrderStatus.FAILED.value:
        new = OrderStatus.ROUTED.value  # resubmitted: back in line
    if new != order.status:
        order.status = new
        order.updated_at = utcnow()
        session.add(order)


def record_invoices(session: Session, source_id: int, rows: Iterable[Mapping[str, Any]]) -> int:
    """Upsert a source's invoices (unique per source and invoice number)."""
    batch = [{"source_id": source_id, "currency": "USD", **row} for row in rows]
    upsert(
        session,
        Invoice,
        batch,
        keys=("source_id", "external_id"),
        update=("request_id", "number", "total", "issued_at", "data"),
        # Not only_if_changed: PostgreSQL's json type has no equality to compare `data` with.
        only_if_changed=False,
    )
    return len(batch)
