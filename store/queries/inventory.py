"""Each source's inventory as the console shows it: keyset pages by (SKU, id), filterable on
the shown columns, with whether some listing is backed by the item."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from .. import tables
from .keyset import keyset_page
from .text_filter import matches_words, shown_status

if TYPE_CHECKING:
    from ..tables import Reader


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

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "source": self.source,
            "sku": self.sku,
            "master_sku": self.master_sku,
            "title": self.title,
            "quantity": self.quantity,
            "cost": float(self.cost) if self.cost is not None else None,
            "stock_status": self.stock_status,
            "listed": self.listed,
        }


@dataclass(frozen=True)
class ItemListing:
    """A listing variant an inventory item backs: where it sells and under which SKU."""

    channel: str
    sku: str

    def as_json(self) -> dict[str, str]:
        return {"channel": self.channel, "sku": self.sku}


def _listed() -> sa.ColumnElement[bool]:
    """Two indexed look-ups (master SKU; SKU of a variant without one), not a scan."""
    i = tables.inventory_item.c
    v = tables.listing_variant.c
    return sa.or_(
        sa.exists(sa.select(v.id).where(v.master_sku == i.master_sku)),
        sa.exists(
            sa.select(v.id).where(
                v.sku == i.master_sku, sa.or_(v.master_sku.is_(None), v.master_sku == "")
            )
        ),
    )


def _shown_columns() -> tuple[sa.ColumnElement[Any], ...]:
    i = tables.inventory_item.c
    s = tables.source.c
    return (s.name, i.sku, i.master_sku, i.title, shown_status(i.stock_status))


def page_inventory(
    session: Reader,
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
    i = tables.inventory_item.c
    s = tables.source.c
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
    ).join_from(tables.inventory_item, tables.source, i.source_id == s.id)
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


def count_inventory(session: Reader, *, text: str | None = None) -> int:
    """How many items the filter leaves (for "row N of M")."""
    i = tables.inventory_item.c
    s = tables.source.c
    stmt = sa.select(sa.func.count()).select_from(
        tables.inventory_item.join(tables.source, i.source_id == s.id)
    )
    words = matches_words(text, _shown_columns())
    if words is not None:
        stmt = stmt.where(words)
    return int(session.scalar(stmt) or 0)


def inventory_key(session: Reader, item_id: int) -> tuple[str, int] | None:
    """The paging key (SKU, id) of item `item_id`, to page on after it; None if none."""
    i = tables.inventory_item.c
    row = session.execute(sa.select(i.sku, i.id).where(i.id == item_id)).first()
    return None if row is None else (row[0], row[1])


def listings_of_items(
    session: Reader, master_skus: Collection[str]
) -> dict[str, list[ItemListing]]:
    """The listing variants backed by items with these master SKUs, by master SKU (channel,
    then SKU): linked to it, or without a master SKU and selling it under that SKU (the
    rule routing follows: store.models.catalog.routed_master_sku). One query per page."""
    if not master_skus:
        return {}
    v = tables.listing_variant.c
    c = tables.channel.c
    wanted = list(set(master_skus))
    routed = sa.func.coalesce(sa.func.nullif(v.master_sku, ""), v.sku)
    stmt = (
        sa.select(routed, c.name, v.sku)
        .join_from(tables.listing_variant, tables.channel, v.channel_id == c.id)
        # Two indexed IN look-ups narrow the rows; `routed` keeps only what routing uses.
        .where(sa.or_(v.master_sku.in_(wanted), v.sku.in_(wanted)), routed.in_(wanted))
        .order_by(c.name, v.sku)
    )
    out: dict[str, list[ItemListing]] = {}
    for master, channel, sku in session.execute(stmt):
        out.setdefault(master, []).append(ItemListing(channel, sku))
    return out
