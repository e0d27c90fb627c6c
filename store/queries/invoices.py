"""Source invoices with the order and PO they bill, for `dropdeck invoices` and the console."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session, col

from ..models import FulfillmentRequest, Invoice, Order, Source


@dataclass(frozen=True)
class InvoiceRow:
    """One invoice: its number and total, the source, the PO and the order it bills."""

    id: int
    number: str
    total: Decimal | None
    currency: str
    issued_at: datetime | None
    source: str
    po_number: str | None
    order_id: int | None
    order_number: str | None
    channel_order_number: str | None

    def as_json(self) -> dict[str, object]:
        """Stable names for scripts (`--json`); money as text."""
        return {
            "id": self.id,
            "number": self.number,
            "total": None if self.total is None else str(self.total),
            "currency": self.currency,
            "issued_at": None if self.issued_at is None else self.issued_at.isoformat(),
            "source": self.source,
            "po_number": self.po_number,
            "order_id": self.order_id,
            "order_number": self.order_number,
            "channel_order_number": self.channel_order_number,
        }


def list_invoices(session: Session, *, order_id: int | None = None) -> list[InvoiceRow]:
    """Every invoice (or one order's), newest first."""
    stmt = (
        sa.select(
            Invoice,
            col(Source.name),
            col(FulfillmentRequest.po_number),
            col(Order.id),
            col(Order.number),
        )
        .join(Source, col(Source.id) == col(Invoice.source_id))
        .outerjoin(FulfillmentRequest, col(FulfillmentRequest.id) == col(Invoice.request_id))
        .outerjoin(Order, col(Order.id) == col(FulfillmentRequest.order_id))
        .order_by(col(Invoice.id).desc())
    )
    if order_id is not None:
        stmt = stmt.where(col(Order.id) == order_id)
    return [
        InvoiceRow(
            id=inv.id or 0,
            number=inv.number or inv.external_id,
            total=inv.total,
            currency=inv.currency,
            issued_at=inv.issued_at,
            source=source,
            po_number=po,
            order_id=oid,
            order_number=number,
            channel_order_number=str((inv.data or {}).get("channel_order_number") or po or ""),
        )
        for inv, source, po, oid, number in session.execute(stmt)
    ]
