"""`r` in Orders, store side: what a resubmit can edit, and the resubmit itself.

Both run in a store session off the UI loop (`store_access`); the screen in between only
sees plain values. The resubmit and the queued send share one transaction, as in
`dropdeck orders resubmit --now`: if the source cannot send, nothing changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from connectors.registry import descriptors
from store.commands.fulfillment import resubmit_request
from store.commands.runs import queue_run
from store.models import FulfillmentRequest, Integration, Order, Source
from store.models.orders import RequestStatus
from store.models.runtime import RunTrigger

# Fields offered when neither the request nor its order has a shipping address.
ADDRESS_FIELDS = ("name", "address1", "address2", "city", "state", "postcode", "country")


def _shipping_codes(system: str) -> tuple[str, ...]:
    """The carrier codes a source accepts, from its descriptor (empty: free text)."""
    known = descriptors().get(system)
    return known.shipping_codes if known is not None else ()


@dataclass(frozen=True)
class FailedRequest:
    """One failed request as the resubmit screen shows and edits it."""

    id: int
    po_number: str
    source: str
    attempts: int
    error: str | None
    shipping_method: str | None
    address: dict[str, str]
    """The editable address fields and their values (text only)."""
    address_inherited: bool
    """The request has no address of its own: `address` is its order's (or blank)."""
    methods: tuple[str, ...] = ()
    """The codes the source accepts; empty when it does not say."""
    version: int = 0
    """The request as read: the resubmit is refused if it changed meanwhile."""


@dataclass(frozen=True)
class ResubmitPlan:
    order_number: str
    order_status: str
    failed: list[FailedRequest]
    statuses: list[tuple[str, str]] = field(default_factory=list)
    """(PO, status) of every request of the order, for "nothing to resubmit" messages."""
    order_version: int = 0
    """The order as read, to compare with the row the operator pressed `r` on."""

    def nothing_to_resubmit(self) -> str:
        if not self.statuses:
            return (
                f"Order {self.order_number} has no fulfillment request yet "
                f"(order {self.order_status.replace('_', ' ')}); nothing to resubmit"
            )
        states = ", ".join(f"PO {po} is {status.replace('_', ' ')}" for po, status in self.statuses)
        return f"Order {self.order_number} has no failed fulfillment request: {states}"


@dataclass(frozen=True)
class RequestEdit:
    """The operator's edits to one request; None leaves that part as it is."""

    request_id: int
    shipping_method: str | None = None
    shipping_address: dict[str, str] | None = None


@dataclass(frozen=True)
class Resubmitted:
    po_number: str
    run_id: int
    send: str
    paused_reason: str | None


def _text_fields(address: Mapping[str, Any]) -> dict[str, str]:
    # Nested values (rare) are not editable here; the CLI can still change them.
    return {
        k: "" if v is None else str(v) for k, v in address.items() if not isinstance(v, dict | list)
    }


def load_plan(session: Session, order_id: int) -> ResubmitPlan:
    """The order's failed requests with their editable fields, read fresh."""
    order = session.get(Order, order_id)
    if order is None:
        raise LookupError(f"order {order_id} no longer exists")
    rows = session.execute(
        sa.select(FulfillmentRequest, Source)
        .join(Source, col(Source.id) == col(FulfillmentRequest.source_id))
        .where(col(FulfillmentRequest.order_id) == order_id)
        .order_by(col(FulfillmentRequest.id))
    ).all()
    failed = []
    for request, source in rows:
        if request.status != RequestStatus.FAILED.value:
            continue
        own = _text_fields(request.shipping_address or {})
        address = own or _text_fields(order.shipping_address or {})
        failed.append(
            FailedRequest(
                id=request.id or 0,
                po_number=request.po_number,
                source=source.name,
                attempts=request.attempts,
                error=request.last_error,
                shipping_method=request.shipping_method,
                address=address or dict.fromkeys(ADDRESS_FIELDS, ""),
                address_inherited=not own,
                methods=_shipping_codes(source.kind),
                version=request.version,
            )
        )
    return ResubmitPlan(
        order_number=order.number,
        order_status=order.status,
        failed=failed,
        statuses=[(r.po_number, r.status) for r, _ in rows],
        order_version=order.version,
    )


def resubmit_and_queue(session: Session, edits: list[RequestEdit], actor: str) -> list[Resubmitted]:
    """Resubmit each request (audited) and queue its source's send_orders run."""
    done = []
    for edit in edits:
        request = resubmit_request(
            session,
            edit.request_id,
            shipping_method=edit.shipping_method,
            shipping_address=edit.shipping_address,
            actor=actor,
        )
        send = session.scalars(
            sa.select(Integration).where(
                col(Integration.source_id) == request.source_id,
                col(Integration.kind) == "send_orders",
            )
        ).first()
        if send is None or send.id is None:
            source = session.get(Source, request.source_id)
            name = source.name if source else f"source {request.source_id}"
            raise LookupError(f"{name} has no send_orders integration; add one, then resubmit")
        run = queue_run(session, send.id, RunTrigger.MANUAL, started_by=actor)
        done.append(Resubmitted(request.po_number, run.id or 0, send.name, send.paused_reason))
    return done
