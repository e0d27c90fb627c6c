"""Each source's inventory as the console shows it: keyset pages by (SKU, id), filterable on
the shown columns, with whether some listing is backed by the item."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from ..models import InventoryItem, ListingVariant, Source
from .keyset import keyset_page
from .text_filter import matches_words, shown_status


@dataclass(frozen=True)
class InventoryRow:
    id: int
    source: str
    sku: str
    master_sku: str
    title: str
    quantity: int
    cost: Decimal | None
    stock_status: str
    listed: bool
    """Some listing variant is backed by it (its master SKU, or its SKU when unset)."""

    @property
    def key(self) -> tuple[str, int]:
        return (self.sku, self.id)


def _listed() -> sa.ColumnElement[bool]:
    """Two indexed look-ups (master SKU; SKU of a variant without one), not a scan."""
    i = InventoryItem.__table__.c
    v = ListingVariant.__table__.c
    return sa.or_(
        sa.exists(sa.select(v.id).where(v.master_sku == i.master_sku)),
        sa.exists(sa.select(v.id).where(v.sku == i.master_sku, v.master_sku.is_(None))),
    )


def _shown_columns() -> tuple[sa.ColumnElement[Any], ...]:
    i = InventoryItem.__table__.c
    s = Source.__table__.c
    return (s.name, i.sku, i.master_sku, i.title, shown_status(i.stock_status))


def page_inventory(
    session: Session,
    *,
    source_id: int | None = None,
    text: str | None = None,
    after: tuple[str, int] | None = None,
    before: tuple[str, int] | None = None,
    limit: int = 256,
    last: bool = False,
) -> list[InventoryRow]:
    """One page of inventory items ordered by (SKU, id); `text`: every word in the source,
    SKU, master SKU, title or stock status."""
    i = InventoryItem.__table__.c
    s = Source.__table__.c
    stmt = sa.select(
        i.id,
        s.name,
        i.sku,
        i.master_sku,
        i.title,
        i.quantity,
        i.cost,
        i.stock_status,
        _listed(),
    ).join_from(InventoryItem.__table__, Source.__table__, i.source_id == s.id)
    if source_id is not None:
        stmt = stmt.where(i.source_id == source_id)
    words = matches_words(text, _shown_columns())
    if words is not None:
        stmt = stmt.where(words)
    stmt, backward = keyset_page(
        stmt, (i.sku, i.id), after=after, before=before, limit=limit, last=last
    )
    rows = [
        InventoryRow(
            id=item_id,
            source=source,
            sku=sku,
            master_sku=master,
            title=title,
            quantity=quantity,
            cost=cost,
            stock_status=status,
            listed=bool(listed),
        )
        for item_id, source, sku, master, title, quantity, cost, status, listed in session.execute(
            stmt
        )
    ]
    return rows[::-1] if backward else rows


def count_inventory(session: Session, *, text: str | None = None) -> int:
    """How many items the filter leaves (for "row N of M")."""
    i = InventoryItem.__table__.c
    s = Source.__table__.c
    stmt = sa.select(sa.func.count()).select_from(
        InventoryItem.__table__.join(Source.__table__, i.source_id == s.id)
    )
    words = matches_words(text, _shown_columns())
    if words is not None:
        stmt = stmt.where(words)
    return int(session.scalar(stmt) or 0)
