"""Listings as the console and CLI see them: one row per sellable SKU on a channel."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from .. import tables
from ..states import LinkState, routed_master_sku
from .keyset import Row, keyset_page, prefix_range
from .text_filter import matches_words, shown_status

if TYPE_CHECKING:
    from ..tables import Reader


class ListingTab(StrEnum):
    ALL = "all"
    LINKED = "linked"
    BROKEN_LINK = "broken_link"
    PAUSED = "paused"
    HIDDEN = "hidden"
    UNLINKED = "unlinked"
    DELISTED = "delisted"
    NO_SUPPLIER = "no_supplier"


# The tabs the console shows, in order; the CLI accepts every ListingTab.
CONSOLE_TABS = (
    ListingTab.ALL,
    ListingTab.LINKED,
    ListingTab.BROKEN_LINK,
    ListingTab.PAUSED,
    ListingTab.HIDDEN,
    ListingTab.NO_SUPPLIER,
)


@dataclass(frozen=True)
class ListingRow:
    id: int
    sku: str
    channel: str
    external_id: str | None
    link_state: str
    paused: bool
    hidden: bool
    pending: str | None
    price: Decimal | None
    quantity: int
    needs_attention: str | None
    title: str
    master_sku: str | None = None
    """The inventory master SKU routing looks up (the listing's own SKU when unset)."""
    supplier: str | None = None
    """The source routing would pick first (stock, then cost, then priority); None: no
    source carries the master SKU."""
    suppliers: int = 0
    """How many inventory items (across sources) carry the master SKU."""
    supplier_stock: int | None = None
    """Their total quantity."""
    supplier_cost: Decimal | None = None
    """The lowest cost among them."""
    version: int = 0
    """The row's version as read: an action on it is refused if it changed since."""

    @property
    def key(self) -> tuple[str, int]:
        return (self.sku, self.id)

    def as_json(self) -> dict[str, object]:
        return {
            "sku": self.sku,
            "channel": self.channel,
            "external_id": self.external_id,
            "link_state": self.link_state,
            "paused": self.paused,
            "hidden": self.hidden,
            "pending": self.pending,
            "price": float(self.price) if self.price is not None else None,
            "quantity": self.quantity,
            "needs_attention": self.needs_attention,
        }


def supplier_master() -> sa.ColumnElement[str]:
    """The master SKU routing looks up for a listing variant (its own SKU when unset or
    empty): `routed_master_sku` in SQL."""
    v = tables.listing_variant.c
    return sa.func.coalesce(sa.func.nullif(v.master_sku, ""), v.sku)


def has_supplier() -> sa.ColumnElement[bool]:
    """Some source's inventory carries the variant's master SKU (routing can fill it)."""
    i = tables.inventory_item.c
    return sa.exists(sa.select(i.id).where(i.master_sku == supplier_master()))


def _backing_columns() -> tuple[sa.ScalarSelect[Any], ...]:
    """Per row (a page at most): the first source, how many items, total stock, best cost."""
    i = tables.inventory_item.c
    s = tables.source.c
    same = i.master_sku == supplier_master()
    first = (
        sa.select(s.name)
        .join_from(tables.inventory_item, tables.source, i.source_id == s.id)
        .where(same)
        .order_by(*_supplier_order(i, s))
        .limit(1)
        .scalar_subquery()
    )
    return (
        first,
        sa.select(sa.func.count()).where(same).scalar_subquery(),
        sa.select(sa.func.sum(i.quantity)).where(same).scalar_subquery(),
        sa.select(sa.func.min(i.cost)).where(same).scalar_subquery(),
    )


@dataclass(frozen=True)
class SupplierItem:
    """One source's inventory item behind a listing."""

    source: str
    sku: str
    quantity: int
    cost: Decimal | None
    stock_status: str


def _supplier_order(i: Any, s: Any) -> tuple[sa.ColumnElement[Any], ...]:
    """Routing's preference: in stock first, then the lowest cost, then source priority."""
    return ((i.quantity > 0).desc(), i.cost.is_(None), i.cost, s.priority, s.name)


def supplier_items(session: Reader, master_sku: str) -> list[SupplierItem]:
    """The inventory items carrying `master_sku`, in routing's order of preference."""
    i = tables.inventory_item.c
    s = tables.source.c
    stmt = (
        sa.select(s.name, i.sku, i.quantity, i.cost, i.stock_status)
        .join_from(tables.inventory_item, tables.source, i.source_id == s.id)
        .where(i.master_sku == master_sku)
        .order_by(*_supplier_order(i, s))
    )
    return [SupplierItem(*row) for row in session.execute(stmt)]


def _tab_condition(tab: ListingTab) -> sa.ColumnElement[bool] | None:
    v = tables.listing_variant.c
    match tab:
        case ListingTab.ALL:
            return None
        case ListingTab.NO_SUPPLIER:
            return ~has_supplier()
        case ListingTab.PAUSED:
            return v.paused.is_(True)
        case ListingTab.HIDDEN:
            return v.hidden.is_(True)
        case _:
            return v.link_state == LinkState(tab.value).value


def _shown_columns() -> tuple[sa.ColumnElement[Any], ...]:
    """What the console shows of a listing, as text: SKU, channel, state, flags, pending,
    title, master SKU."""
    v = tables.listing_variant.c
    c = tables.channel.c
    return (
        v.sku,
        v.master_sku,
        c.name,
        shown_status(v.link_state),
        sa.case((v.paused.is_(True), "paused"), else_=""),
        sa.case((v.hidden.is_(True), "hidden"), else_=""),
        v.pending,
        v.title,
    )


def _filtered(
    stmt: sa.Select[*Row],
    tab: ListingTab,
    sku_prefix: str | None,
    channel_id: int | None,
    text: str | None = None,
) -> sa.Select[*Row]:
    v = tables.listing_variant.c
    cond = _tab_condition(tab)
    if cond is not None:
        stmt = stmt.where(cond)
    if sku_prefix:
        stmt = stmt.where(prefix_range(v.sku, sku_prefix))
    words = matches_words(text, _shown_columns())
    if words is not None:
        stmt = stmt.where(words)
    if channel_id is not None:
        stmt = stmt.where(v.channel_id == channel_id)
    return stmt


def page_listings(
    session: Reader,
    tab: ListingTab = ListingTab.ALL,
    *,
    sku_prefix: str | None = None,
    channel_id: int | None = None,
    text: str | None = None,
    after: tuple[str, int] | None = None,
    before: tuple[str, int] | None = None,
    limit: int = 256,
    last: bool = False,
) -> list[ListingRow]:
    """One page of listings ordered by (sku, id), after or before a key; `text`: every word
    in what the console shows (SKU, channel, state, flags, pending, title)."""
    v = tables.listing_variant.c
    c = tables.channel.c
    stmt = sa.select(
        v.id,
        v.sku,
        c.name,
        v.external_id,
        v.link_state,
        v.paused,
        v.hidden,
        v.pending,
        v.price,
        v.quantity,
        v.needs_attention,
        v.title,
        supplier_master(),
        *_backing_columns(),
        v.version,
    ).join_from(tables.listing_variant, tables.channel, v.channel_id == c.id)
    stmt = _filtered(stmt, tab, sku_prefix, channel_id, text)
    stmt, backward = keyset_page(
        stmt, (v.sku, v.id), after=after, before=before, limit=limit, last=last
    )
    rows = [ListingRow(*r) for r in session.execute(stmt)]
    return rows[::-1] if backward else rows


def count_listings(
    session: Reader,
    *,
    sku_prefix: str | None = None,
    channel_id: int | None = None,
    text: str | None = None,
) -> dict[ListingTab, int]:
    """Counts for every console tab in one pass over the table."""
    v = tables.listing_variant.c

    def when(cond: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
        return sa.func.coalesce(sa.func.sum(sa.case((cond, 1), else_=0)), 0)

    stmt = sa.select(
        sa.func.count(),
        when(v.link_state == LinkState.LINKED.value),
        when(v.link_state == LinkState.BROKEN_LINK.value),
        when(v.paused.is_(True)),
        when(v.hidden.is_(True)),
        when(~has_supplier()),
    ).select_from(tables.listing_variant)
    if text and text.split():
        c = tables.channel.c
        stmt = stmt.join(tables.channel, v.channel_id == c.id)  # the channel name is shown
    stmt = _filtered(stmt, ListingTab.ALL, sku_prefix, channel_id, text)
    counts = session.execute(stmt).one()
    return dict(zip(CONSOLE_TABS, (int(n) for n in counts), strict=True))


@dataclass(frozen=True)
class ListingBacking:
    """What stands behind a listing variant: the master SKU routing looks up for it (the
    one it is linked to, else its own SKU: `routed_master_sku`), the sources carrying that
    SKU in routing's order (as the console's Supplier column), and where it sits on the
    channel (its product id, its parent product's id, simple or a variation)."""

    master_sku: str | None
    sources: tuple[str, ...]
    product_id: str | None
    parent_id: str | None
    type: str  # "simple" (the listing is the variant) or "variation" (one of its SKUs)

    def as_json(self) -> dict[str, object]:
        return {
            "master_sku": self.master_sku,
            "source": self.sources[0] if self.sources else None,
            "sources": list(self.sources),
            "product_id": self.product_id,
            "parent_id": self.parent_id,
            "type": self.type,
        }


def listing_backing(session: Reader, variant_ids: list[int]) -> dict[int, ListingBacking]:
    """Each variant's backing, in two queries for the whole page."""
    if not variant_ids:
        return {}
    v = tables.listing_variant.c
    lst = tables.listing.c
    rows = session.execute(
        sa.select(v.id, v.sku, v.master_sku, v.external_id, lst.master_sku, lst.external_id)
        .join_from(tables.listing_variant, tables.listing, v.listing_id == lst.id)
        .where(v.id.in_(variant_ids))
    ).all()
    masters = {routed_master_sku(row[2], row[1]) for row in rows}
    carried: dict[str, list[str]] = {}
    if masters:
        i = tables.inventory_item.c
        s = tables.source.c
        stmt = (
            sa.select(i.master_sku, s.name)
            .join_from(tables.inventory_item, tables.source, i.source_id == s.id)
            .where(i.master_sku.in_(masters))
            .order_by(i.master_sku, *_supplier_order(i, s))
        )
        for master, name in session.execute(stmt):
            names = carried.setdefault(master, [])
            if name not in names:  # a source may carry the SKU under two of its own
                names.append(name)
    out = {}
    for vid, sku, linked, product_id, listing_sku, parent_id in rows:
        simple = sku == listing_sku
        master = routed_master_sku(linked, sku)
        out[vid] = ListingBacking(
            master_sku=master,
            sources=tuple(carried.get(master, ())),
            product_id=product_id,
            parent_id=None if simple or parent_id == product_id else parent_id,
            type="simple" if simple else "variation",
        )
    return out
