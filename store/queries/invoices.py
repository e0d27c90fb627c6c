"""Source invoices with the order and PO they bill, for `dropdeck invoices` and the console."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa

from .. import tables

if TYPE_CHECKING:
    from ..tables import Reader


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


def list_invoices(session: Reader, *, order_id: int | None = None) -> list[InvoiceRow]:
    """Every invoice (or one order's), newest first."""
    stmt = (
        sa.select(
            tables.invoice.c.id,
            tables.invoice.c.number,
            tables.invoice.c.external_id,
            tables.invoice.c.total,
            tables.invoice.c.currency,
            tables.invoice.c.issued_at,
            tables.invoice.c.data,
            tables.source.c.name,
            tables.fulfillment_request.c.po_number,
            tables.order.c.id,
            tables.order.c.number,
        )
        .join_from(tables.invoice, tables.source, tables.source.c.id == tables.invoice.c.source_id)
        .outerjoin(
            tables.fulfillment_request,
            tables.fulfillment_request.c.id == tables.invoice.c.request_id,
        )
        .outerjoin(tables.order, tables.order.c.id == tables.fulfillment_request.c.order_id)
        .order_by(tables.invoice.c.id.desc())
    )
    if order_id is not None:
        stmt = stmt.where(tables.order.c.id == order_id)
    return [
        InvoiceRow(
            id=inv_id,
            number=number or external_id,
            total=total,
            currency=currency,
            issued_at=issued_at,
            source=source,
            po_number=po,
            order_id=oid,
            order_number=order_number,
            channel_order_number=str((data or {}).get("channel_order_number") or po or ""),
        )
        for (
            inv_id,
            number,
            external_id,
            total,
            currency,
            issued_at,
            data,
            source,
            po,
            oid,
            order_number,
        ) in session.execute(stmt)
    ]
