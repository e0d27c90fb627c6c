"""Orders, newest first, with their fulfillment requests; and shipments."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from .. import tables
from .keyset import keyset_page
from .text_filter import matches_word, matches_words, shown_status

if TYPE_CHECKING:
    from sqlmodel import Session

    from ..models import Order
    from ..tables import Reader


@dataclass(frozen=True)
class RequestRow:
    id: int
    po_number: str
    source: str
    status: str
    attempts: int
    error: str | None
    shipping_method: str | None
    version: int = 0
    """The request's version as read: an action on it is refused if it changed since."""

    def as_json(self) -> dict[str, object]:
        return {
            "po_number": self.po_number,
            "source": self.source,
            "status": self.status,
            "attempts": self.attempts,
            "error": self.error,
            "shipping_method": self.shipping_method,
        }


@dataclass(frozen=True)
class OrderRow:
    id: int
    channel: str
    external_id: str
    number: str
    status: str
    created_at: datetime
    customer_name: str
    total: Decimal | None
    hold_reason: str | None
    version: int = 0
    """The order's version as read: an action on it is refused if it changed since."""
    fulfillment_requests: list[RequestRow] = field(default_factory=list, kw_only=True)

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "channel": self.channel,
            "external_id": self.external_id,
            "number": self.number,
            "status": self.status,
            "hold_reason": self.hold_reason,
            "customer": self.customer_name,
            "total": None if self.total is None else str(self.total),  # money as text
            "created_at": self.created_at.isoformat(),  # when it was placed (console: Placed)
            "fulfillment_requests": [r.as_json() for r in self.fulfillment_requests],
        }


def page_orders(
    session: Reader,
    *,
    status: str | None = None,
    number_prefix: str | None = None,
    text: str | None = None,
    after: tuple[int] | None = None,
    before: tuple[int] | None = None,
    limit: int = 256,
    last: bool = False,
) -> list[OrderRow]:
    """One page of orders, newest (highest id) first, with their fulfillment requests;
    `text`: every word in the number, channel, status, customer, or a request's status or
    source."""
    o = tables.order.c
    c = tables.channel.c
    stmt = sa.select(
        o.id,
        c.name,
        o.external_id,
        o.number,
        o.status,
        o.placed_at,
        o.customer_name,
        o.total,
        o.hold_reason,
        o.version,
    ).join_from(tables.order, tables.channel, o.channel_id == c.id)
    if status:
        stmt = stmt.where(o.status == status)
    if number_prefix:
        stmt = stmt.where(o.number.startswith(number_prefix))
    for word in (text or "").split():
        stmt = stmt.where(sa.or_(_order_has(word), _request_has(word, o.id)))
    stmt, backward = keyset_page(
        stmt, (o.id,), after=after, before=before, limit=limit, last=last, descending=True
    )
    rows = list(session.execute(stmt))
    if backward:
        rows.reverse()
    requests = requests_for_orders(session, [r[0] for r in rows])
    return [OrderRow(*r, fulfillment_requests=requests.get(r[0], [])) for r in rows]


def _order_has(word: str) -> sa.ColumnElement[bool]:
    o = tables.order.c
    c = tables.channel.c
    return matches_word(word, (o.number, c.name, shown_status(o.status), o.customer_name))


def _request_has(word: str, order_id: sa.ColumnElement[int]) -> sa.ColumnElement[bool]:
    """One of the order's fulfillment requests shows `word` (its status or source)."""
    f = tables.fulfillment_request.c
    s = tables.source.c
    return sa.exists(
        sa.select(f.id)
        .join_from(tables.fulfillment_request, tables.source, f.source_id == s.id)
        .where(f.order_id == order_id, matches_word(word, (shown_status(f.status), s.name)))
    )


def requests_for_orders(session: Reader, order_ids: list[int]) -> dict[int, list[RequestRow]]:
    if not order_ids:
        return {}
    f = tables.fulfillment_request.c
    s = tables.source.c
    stmt = (
        sa.select(
            f.order_id,
            f.id,
            f.po_number,
            s.name,
            f.status,
            f.attempts,
            f.last_error,
            f.shipping_method,
            f.version,
        )
        .join_from(tables.fulfillment_request, tables.source, f.source_id == s.id)
        .where(f.order_id.in_(order_ids))
        .order_by(f.id)
    )
    out: dict[int, list[RequestRow]] = {}
    for order_id, *rest in session.execute(stmt):
        out.setdefault(order_id, []).append(RequestRow(*rest))
    return out


def _named(o: Any, ref: str) -> sa.ColumnElement[bool]:
    """The order `ref` names: its id, number or external id (the operator types whichever
    they have). `o`: the order table's columns (the Core clause's or the model's)."""
    conds: list[Any] = [o.number == ref, o.external_id == ref]
    if ref.isdigit():
        conds.append(o.id == int(ref))
    return sa.or_(*conds)


def find_order_ref(reader: Reader, ref: str) -> tuple[int, str] | None:
    """The (id, number) of the order `ref` names, read through Core (list commands load no
    model)."""
    o = tables.order.c
    row = reader.execute(sa.select(o.id, o.number).where(_named(o, ref)).order_by(o.id)).first()
    return None if row is None else (row[0], row[1])


def find_order(session: Session, ref: str) -> Order | None:
    """The order `ref` names, as a model to change."""
    from ..models import Order

    o = Order.__table__.c
    return session.scalars(sa.select(Order).where(_named(o, ref)).order_by(o.id)).first()


@dataclass(frozen=True)
class ShipmentRow:
    id: int
    order_number: str
    po_number: str
    source: str
    carrier: str
    tracking_number: str
    shipped_at: datetime
    synced_at: datetime | None
    sync_error: str | None
    status: str | None = None  # the source's word ("In Transit"); None: it does not say
    estimated_delivery: date | None = None
    notes: str | None = None

    def as_json(self) -> dict[str, object]:
        """Stable names for scripts (`--json`)."""
        return {
            "id": self.id,
            "order_number": self.order_number,
            "po_number": self.po_number,
            "source": self.source,
            "carrier": self.carrier,
            "tracking_number": self.tracking_number,
            "status": self.status,
            "shipped_at": self.shipped_at.isoformat(),
            "estimated_delivery": _iso(self.estimated_delivery),
            "notes": self.notes,
            "synced_at": _iso(self.synced_at),
            "sync_error": self.sync_error,
        }


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


_SH, _O = tables.shipment.c, tables.order.c
_F, _S = tables.fulfillment_request.c, tables.source.c


def _shipment_rows() -> sa.Select[Any]:
    """The columns of a `ShipmentRow`, with the order, PO and source each shipment is for."""
    return (
        sa.select(
            _SH.id,
            _O.number,
            _F.po_number,
            _S.name,
            _SH.carrier,
            _SH.tracking_number,
            _SH.shipped_at,
            _SH.synced_at,
            _SH.sync_error,
            _SH.status,
            _SH.estimated_delivery,
            _SH.notes,
        )
        .join_from(tables.shipment, tables.order, _SH.order_id == _O.id)
        .join(tables.fulfillment_request, _SH.request_id == _F.id)
        .join(tables.source, _SH.source_id == _S.id)
    )


def order_shipments(session: Reader, order_id: int) -> list[ShipmentRow]:
    """One order's shipments, oldest first (its details; `dropdeck shipments --order`)."""
    stmt = _shipment_rows().where(_SH.order_id == order_id).order_by(_SH.id)
    return [ShipmentRow(*r) for r in session.execute(stmt)]


def page_shipments(
    session: Reader,
    *,
    tracking_prefix: str | None = None,
    text: str | None = None,
    after: tuple[int] | None = None,
    before: tuple[int] | None = None,
    limit: int = 256,
    last: bool = False,
) -> list[ShipmentRow]:
    """Shipments, newest first; `text`: every word in the order number, PO, source, carrier,
    tracking number or status."""
    sh, o, f, s = _SH, _O, _F, _S
    stmt = _shipment_rows()
    if tracking_prefix:
        stmt = stmt.where(sh.tracking_number.startswith(tracking_prefix))
    cond = matches_words(
        text, (o.number, f.po_number, s.name, sh.carrier, sh.tracking_number, sh.status)
    )
    if cond is not None:
        stmt = stmt.where(cond)
    stmt, backward = keyset_page(
        stmt, (sh.id,), after=after, before=before, limit=limit, last=last, descending=True
    )
    rows = [ShipmentRow(*r) for r in session.execute(stmt)]
    return rows[::-1] if backward else rows
