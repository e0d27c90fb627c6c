"""Personal data retention for a channel's orders: scrub names, addresses, emails and phones
a number of days after the order shipped, keep the order, audit what was done.

Only orders that are fully shipped (or completed) and whose last shipment left at least
`days` ago are scrubbed, once each (a scrubbed order has no name and no email left, which
is also how it is told apart). Country and state stay: they identify no one and reports
use them. The audit row names the fields scrubbed, never their values.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from ..models import FulfillmentRequest, Order, Shipment
from ..models._types import utcnow
from ..models.orders import OrderStatus
from .audit import record_audit

KEPT_ADDRESS_FIELDS = ("country", "country_id", "state", "region_code")
SCRUBBED = ("customer_name", "customer_email", "billing_address", "shipping_address")
ACTOR = "dropdeck@pii_retention"


def _kept(address: dict[str, Any] | None) -> dict[str, Any]:
    return {k: v for k, v in (address or {}).items() if k in KEPT_ADDRESS_FIELDS}


def scrub_shipped_orders(
    session: Session, channel_id: int, days: int, *, now: datetime | None = None
) -> int:
    """Scrub the personal data of this channel's orders shipped more than `days` days ago;
    returns how many orders were scrubbed."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    last_shipped = (
        sa.select(col(Shipment.order_id), sa.func.max(col(Shipment.shipped_at)).label("last"))
        .group_by(col(Shipment.order_id))
        .subquery()
    )
    orders = list(
        session.scalars(
            sa.select(Order)
            .join(last_shipped, last_shipped.c.order_id == col(Order.id))
            .where(
                col(Order.channel_id) == channel_id,
                col(Order.status).in_([OrderStatus.SHIPPED.value, OrderStatus.COMPLETED.value]),
                last_shipped.c.last <= cutoff,
                sa.or_(col(Order.customer_email).is_not(None), col(Order.customer_name) != ""),
            )
            .order_by(col(Order.id))
        )
    )
    if not orders:
        return 0
    at = utcnow()
    for order in orders:
        order.customer_name = ""
        order.customer_email = None
        order.billing_address = _kept(order.billing_address)
        order.shipping_address = _kept(order.shipping_address)
        order.details = {**(order.details or {}), "pii_scrubbed_at": at.isoformat()}
        order.updated_at = at
        session.add(order)
    ids = [o.id for o in orders]
    for request in session.scalars(
        sa.select(FulfillmentRequest).where(col(FulfillmentRequest.order_id).in_(ids))
    ):
        request.shipping_address = _kept(request.shipping_address)
        session.add(request)
    record_audit(
        session,
        actor=ACTOR,
        action="pii_scrubbed",
        record_type="order",
        changes=[(str(o.id), {"fields": list(SCRUBBED)}, {"retention_days": days}) for o in orders],
    )
    return len(orders)
