"""Listing sync for a channel: what to send, and recording what the channel answered.

Selecting the work is one query over the channel's variants (the listing rule's UPDATE runs
first); recording outcomes (of a sync or a publish) is one bulk UPDATE by primary key per
kind of outcome. External ids are strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from ..models import Listing, ListingVariant
from ..models._types import utcnow
from ..models.catalog import LinkState, Pending
from .pricing import ListingRule, apply_listing_rule


@dataclass(frozen=True)
class SyncItem:
    """One variant to push: price/stock update, or delete (delist)."""

    id: int
    sku: str
    external_id: str
    # The parent listing's external id when the variant is a child of it (a variation of
    # a variable product); None when the listing is the variant itself (a simple product).
    parent_external_id: str | None
    price: Decimal | None
    quantity: int  # effective: 0 while hidden
    delist: bool = False
    # A delist that leaves nothing of its listing on the channel: the parent product goes
    # too (a variable product is removed whole, not left empty).
    delist_parent: bool = False
    listing_id: int = 0


@dataclass(frozen=True)
class LinkedVariant:
    """A linked variant whose channel product should exist (the existence check)."""

    id: int
    sku: str
    external_id: str
    parent_external_id: str | None  # as in `SyncItem`
    listing_id: int


@dataclass
class Outcomes:
    """Per variant id: synced (price, qty), delisted, broken (why), failed (why)."""

    synced: dict[int, tuple[Decimal | None, int]] = field(default_factory=dict)
    delisted: list[int] = field(default_factory=list)
    broken: dict[int, str] = field(default_factory=dict)
    failed: dict[int, str] = field(default_factory=dict)
    linked: dict[int, str] = field(default_factory=dict)  # variant id -> new external id
    parents: dict[int, str] = field(default_factory=dict)  # listing id -> new external id
    # Listings whose parent product is no longer on the channel (deleted there, or delisted
    # whole): their external id is cleared so a publish creates the parent anew.
    parents_gone: set[int] = field(default_factory=set)
    # Variants whose content the channel was just given (a publish's create or overwrite).
    published: set[int] = field(default_factory=set)
    # Further fields the channel accepted (`listing_fields`): variant id -> {field: value}.
    fields_synced: dict[int, dict[str, Any]] = field(default_factory=dict)
    # Content parts the channel was given (`listing_content`): variant id -> part indices.
    content_synced: dict[int, set[int]] = field(default_factory=dict)
    # Variants the channel took other fields of, not price or stock: their synced price and
    # quantity stay as they were (a change of those is still to send); attention cleared.
    touched: list[int] = field(default_factory=list)


def effective_quantity() -> sa.ColumnElement[int]:
    """The quantity a channel should show: 0 while the variant is hidden."""
    v = ListingVariant.__table__.c
    return sa.case((v.hidden.is_(True), 0), else_=v.quantity)


def pushed_columns(listing: sa.FromClause) -> tuple[sa.ColumnElement[Any], ...]:
    """What every push of a variant selects first, in this order: id, SKU, external id, its
    listing's external id, price, effective quantity, listing id. `listing`: the listing
    table (or an alias of it) joined on the variant's listing_id."""
    v = ListingVariant.__table__.c
    return (
        v.id,
        v.sku,
        v.external_id,
        listing.c.external_id,
        v.price,
        effective_quantity(),
        v.listing_id,
    )


def parent_external_id(external_id: Any, listing_external_id: Any) -> str | None:
    """The parent product a variant is written through: its listing's external id when
    that is another product (a variation), None for a simple product (the same id)."""
    if listing_external_id and listing_external_id != external_id:
        return str(listing_external_id)
    return None


def kept_in_step(channel: int) -> sa.ColumnElement[bool]:
    """The channel's variants whose fields and content a sync keeps: linked, with an
    external id, not paused, not being delisted (NULL pending counts as "stays")."""
    v = ListingVariant.__table__.c
    return sa.and_(
        v.channel_id == channel,
        v.link_state == LinkState.LINKED.value,
        v.paused.is_(False),
        v.external_id.is_not(None),
        sa.or_(v.pending.is_(None), v.pending != Pending.DELIST.value),
    )


def linked_variants(session: Session, channel: int) -> list[LinkedVariant]:
    """Every linked variant of the channel with an external id (paused ones too: a product
    deleted on the channel is a broken link whatever our flags), by id."""
    v = ListingVariant.__table__.c
    lst = Listing.__table__.c
    stmt = (
        sa.select(v.id, v.sku, v.external_id, lst.external_id, v.listing_id)
        .join(Listing.__table__, lst.id == v.listing_id)
        .where(
            v.channel_id == channel,
            v.link_state == LinkState.LINKED.value,
            v.external_id.is_not(None),
        )
        .order_by(v.id)
    )
    return [
        LinkedVariant(
            id=vid,
            sku=sku,
            external_id=str(ext),
            parent_external_id=parent if parent and parent != ext else None,
            listing_id=lid,
        )
        for vid, sku, ext, parent, lid in session.execute(stmt)
    ]


def prepare_sync(session: Session, channel: int, rule: ListingRule) -> list[SyncItem]:
    """Apply the listing rule, settle pending actions that need no request, and return the
    linked, unpaused variants whose price/quantity differ from what the channel last accepted
    or that have a pending hide/unhide/delist."""
    apply_listing_rule(session, channel, rule)
    v = ListingVariant.__table__.c
    not_linked = sa.and_(
        v.channel_id == channel, v.paused.is_(False), v.link_state != LinkState.LINKED.value
    )
    # A delist of a listing the channel does not have is already true; hide/unhide of one
    # only changes what we would send, which happens when it is linked again.
    session.execute(
        sa.update(ListingVariant.__table__)
        .where(not_linked, v.pending == Pending.DELIST.value)
        .values(link_state=LinkState.DELISTED.value, pending=None, updated_at=utcnow())
    )
    session.execute(
        sa.update(ListingVariant.__table__)
        .where(not_linked, v.pending.in_([Pending.HIDE.value, Pending.UNHIDE.value]))
        .values(pending=None)
    )
    qty = effective_quantity()
    lst = Listing.__table__.c
    delisting = sa.and_(v.pending == Pending.DELIST.value, v.paused.is_(False))
    other = ListingVariant.__table__.alias("other")
    # Nothing else of the listing stays on the channel once this sync's delists are done.
    last_of_listing = ~sa.exists().where(
        other.c.listing_id == v.listing_id,
        other.c.id != v.id,
        other.c.link_state == LinkState.LINKED.value,
        # (pending is NULL for most rows: spelled out so NULL counts as "stays")
        sa.or_(
            other.c.pending.is_(None),
            other.c.pending != Pending.DELIST.value,
            other.c.paused.is_(True),
        ),
    )
    stmt = (
        sa.select(
            *pushed_columns(Listing.__table__), v.pending, sa.and_(delisting, last_of_listing)
        )
        .join(Listing.__table__, lst.id == v.listing_id)
        .where(
            v.channel_id == channel,
            v.link_state == LinkState.LINKED.value,
            v.paused.is_(False),
            v.external_id.is_not(None),
            sa.or_(
                v.pending.in_([Pending.HIDE.value, Pending.UNHIDE.value, Pending.DELIST.value]),
                v.price.is_distinct_from(v.synced_price),
                qty.is_distinct_from(v.synced_quantity),
            ),
        )
        .order_by(v.id)
    )
    items = []
    for row in session.execute(stmt):
        vid, sku, ext, parent_ext, price, quantity, listing_id, pending, whole = row
        parent = parent_external_id(ext, parent_ext)
        items.append(
            SyncItem(
                id=vid,
                sku=sku,
                external_id=str(ext),
                parent_external_id=parent,
                price=price,
                quantity=int(quantity),
                delist=pending == Pending.DELIST.value,
                delist_parent=bool(whole) and parent is not None,
                listing_id=listing_id,
            )
        )
    return items


def record_outcomes(session: Session, outcomes: Outcomes) -> None:
    """Write what the channel answered, in a few bulk UPDATEs by primary key."""
    now = utcnow()
    _bulk(
        session,
        [
            {
                "id": vid,
                "synced_price": price,
                "synced_quantity": qty,
                "synced_at": now,
                "needs_attention": None,
                "pending": None,
                "link_state": LinkState.LINKED.value,
            }
            for vid, (price, qty) in outcomes.synced.items()
        ],
    )
    _bulk(session, [{"id": vid, "needs_attention": None} for vid in outcomes.touched])
    _bulk(session, [{"id": vid, "external_id": ext} for vid, ext in outcomes.linked.items()])
    _bulk(
        session,
        [
            {
                "id": vid,
                "link_state": LinkState.DELISTED.value,
                "external_id": None,
                "pending": None,
                "synced_price": None,
                "synced_quantity": None,
                "needs_attention": None,
                "updated_at": now,
            }
            for vid in outcomes.delisted
        ],
    )
    _bulk(
        session,
        [
            {
                "id": vid,
                "link_state": LinkState.BROKEN_LINK.value,
                "needs_attention": why,
                "updated_at": now,
            }
            for vid, why in outcomes.broken.items()
        ],
    )
    _bulk(session, [{"id": vid, "needs_attention": why} for vid, why in outcomes.failed.items()])
    parents = [{"id": lid, "external_id": ext} for lid, ext in outcomes.parents.items()]
    parents += [
        {"id": lid, "external_id": None}
        for lid in outcomes.parents_gone
        if lid not in outcomes.parents
    ]
    _bulk_listing(session, parents)
    if outcomes.published:
        from .listing_publish import record_published  # publish imports this module

        record_published(session, sorted(outcomes.published))
    if outcomes.fields_synced:
        from .listing_fields import record_fields_synced  # it imports this module

        record_fields_synced(session, outcomes.fields_synced)
    if outcomes.content_synced:
        from .listing_content import record_content_synced  # it imports this module

        record_content_synced(session, outcomes.content_synced)


def _bulk(session: Session, rows: list[dict[str, Any]]) -> None:
    # ORM bulk UPDATE by primary key: one executemany per distinct set of columns.
    if rows:
        session.execute(sa.update(ListingVariant), rows)


def _bulk_listing(session: Session, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(sa.update(Listing), rows)
