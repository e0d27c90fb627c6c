"""The listing rule: a listing's price and quantity come from its linked inventory.

price = (cost or MSRP of the cheapest source with stock) x (1 + markup%), quantity = the
most any one source can ship (routing sends a line to one source) minus a safety buffer,
never below 0. Paused listings are left alone. One UPDATE per channel, set-based.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

import sqlalchemy as sa
from sqlmodel import Session

from ..models import InventoryItem, ListingVariant
from ..models._types import utcnow


@dataclass(frozen=True)
class ListingRule:
    price_from: Literal["cost", "msrp"] = "cost"
    markup_percent: Decimal = Decimal("30")
    safety_buffer: int = 0

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> ListingRule:
        """Read the rule from integration settings; bad values get a one-line error."""
        price_from = settings.get("price_from", "cost")
        if price_from not in ("cost", "msrp"):
            raise ValueError(f"price_from must be 'cost' or 'msrp', not {price_from!r}")
        try:
            markup = Decimal(str(settings.get("markup_percent", "30")))
            buffer = int(settings.get("safety_buffer", 0))
        except (ArithmeticError, ValueError, TypeError) as exc:
            raise ValueError(f"markup_percent and safety_buffer must be numbers: {exc}") from None
        if buffer < 0:
            raise ValueError("safety_buffer must be 0 or more")
        return cls(price_from=price_from, markup_percent=markup, safety_buffer=buffer)


def apply_listing_rule(session: Session, channel_id: int, rule: ListingRule) -> int:
    """Recompute price and quantity of the channel's linked, unpaused listings.

    Returns how many listings changed; only those get a new `updated_at`.
    """
    inv = InventoryItem.__table__.c
    v = ListingVariant.__table__.c
    base_col = inv.cost if rule.price_from == "cost" else inv.msrp
    linked = inv.master_sku == v.master_sku
    in_stock = sa.and_(linked, inv.quantity > 0, base_col.is_not(None))
    # Cheapest source that has stock; if none has stock, the cheapest at all.
    base = sa.func.coalesce(
        sa.select(sa.func.min(base_col)).where(in_stock).scalar_subquery(),
        sa.select(sa.func.min(base_col)).where(linked).scalar_subquery(),
    )
    factor = sa.literal(1 + rule.markup_percent / 100, sa.Numeric(12, 4))
    price = sa.func.round(sa.cast(base * factor, sa.Numeric(14, 4)), 2)
    best_qty = sa.func.coalesce(
        sa.select(sa.func.max(inv.quantity)).where(linked).scalar_subquery(), 0
    )
    quantity = sa.case((best_qty - rule.safety_buffer < 0, 0), else_=best_qty - rule.safety_buffer)
    changed = sa.or_(v.price.is_distinct_from(price), v.quantity.is_distinct_from(quantity))
    stmt = (
        sa.update(ListingVariant.__table__)
        .where(v.channel_id == channel_id, v.master_sku.is_not(None), v.paused.is_(False))
        .where(sa.exists().where(linked))
        .where(changed)
        .values(price=price, quantity=quantity, updated_at=utcnow())
    )
    return session.exec(stmt).rowcount or 0
