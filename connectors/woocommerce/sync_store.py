"""Store side of sync_listings and publish_listings: what to send, and recording what happened.

Selecting the work is one query over the channel's variants (the listing rule's UPDATE runs
first); recording outcomes is one bulk UPDATE by primary key per kind of outcome.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from store.commands.pricing import ListingRule, apply_listing_rule
from store.models import Listing, ListingVariant
from store.models._types import utcnow
from store.models.catalog import LinkState, Pending

NOT_LINKED_HINT = "unlink and relink it, or publish it again"


@dataclass(frozen=True)
class SyncItem:
    """One variant to push: price/stock update, or delete (delist)."""

    id: int
    sku: str
    external_id: int
    parent_id: int | None  # the variable product of a variation; None for a simple product
    price: Decimal | None
    quantity: int  # effective: 0 while hidden
    delist: bool = False


@dataclass
class Outcomes:
    """Per variant id: synced (price, qty), delisted, broken (why), failed (why)."""

    synced: dict[int, tuple[Decimal | None, int]] = field(default_factory=dict)
    delisted: list[int] = field(default_factory=list)
    broken: dict[int, str] = field(default_factory=dict)
    failed: dict[int, str] = field(default_factory=dict)
    linked: dict[int, str] = field(default_factory=dict)  # variant id -> new external id
    parents: dict[int, str] = field(default_factory=dict)  # listing id -> new external id


def _effective_quantity() -> sa.ColumnElement[int]:
    v = ListingVariant.__table__.c  # type: ignore[attr-defined]
    return sa.case((v.hidden.is_(True), 0), else_=v.quantity)


def prepare_sync(session: Session, channel: int, rule: ListingRule) -> list[SyncItem]:
    """Apply the listing rule, settle pending actions that need no request, and return the
    linked, unpaused variants whose price/quantity differ from what the store last accepted
    or that have a pending hide/unhide/delist."""
    apply_listing_rule(session, channel, rule)
    v = ListingVariant.__table__.c  # type: ignore[attr-defined]
    not_linked = sa.and_(
        v.channel_id == channel, v.paused.is_(False), v.link_state != LinkState.LINKED.value
    )
    # A delist of a listing the store does not have is already true; hide/unhide of one
    # only changes what we would send, which happens when it is linked again.
    session.execute(
        sa.update(ListingVariant.__table__)  # type: ignore[attr-defined]
        .where(not_linked, v.pending == Pending.DELIST.value)
        .values(link_state=LinkState.DELISTED.value, pending=None, updated_at=utcnow())
    )
    session.execute(
        sa.update(ListingVariant.__table__)  # type: ignore[attr-defined]
        .where(not_linked, v.pending.in_([Pending.HIDE.value, Pending.UNHIDE.value]))
        .values(pending=None)
    )
    qty = _effective_quantity()
    lst = Listing.__table__.c  # type: ignore[attr-defined]
    stmt = (
        sa.select(v.id, v.sku, v.external_id, lst.external_id, v.price, qty, v.pending)
        .join(Listing.__table__, lst.id == v.listing_id)  # type: ignore[attr-defined]
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
    for vid, sku, ext, parent_ext, price, quantity, pending in session.execute(stmt):
        parent = int(parent_ext) if parent_ext and parent_ext != ext else None
        items.append(
            SyncItem(
                id=vid,
                sku=sku,
                external_id=int(ext),
                parent_id=parent,
                price=price,
                quantity=int(quantity),
                delist=pending == Pending.DELIST.value,
            )
        )
    return items


def record_outcomes(session: Session, outcomes: Outcomes) -> None:
    """Write what the store answered, in a few bulk UPDATEs by primary key."""
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
    _bulk_listing(session, parents)


def _bulk(session: Session, rows: list[dict[str, Any]]) -> None:
    # ORM bulk UPDATE by primary key: one executemany per distinct set of columns.
    if rows:
        session.execute(sa.update(ListingVariant), rows)


def _bulk_listing(session: Session, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(sa.update(Listing), rows)


# --- publish ---------------------------------------------------------------------------------


@dataclass
class PublishVariant:
    id: int
    sku: str
    title: str
    external_id: int | None
    price: Decimal | None
    quantity: int
    upc: str | None
    mpn: str | None
    gtin: str | None
    images: list[str]
    create: bool  # not on the store yet


@dataclass
class PublishParent:
    listing_id: int
    master_sku: str
    external_id: int | None
    title: str
    description: str
    images: list[str]
    categories: list[str | None]
    variants: list[PublishVariant]

    @property
    def simple(self) -> bool:
        """One variant with the parent's SKU: a simple product, not a variable one."""
        return len(self.variants) == 1 and self.variants[0].sku == self.master_sku


def publish_work(
    session: Session, channel: int, rule: ListingRule, overwrite_all: bool
) -> list[PublishParent]:
    """Parents with variants to create (unlinked with linked inventory, delisted or unlinked
    with a pending publish) or to overwrite (pending overwrite/publish, or every linked
    variant when `overwrite_all`). Paused variants are left alone."""
    apply_listing_rule(session, channel, rule)
    v = ListingVariant.__table__.c  # type: ignore[attr-defined]
    create = sa.or_(
        sa.and_(v.link_state == LinkState.UNLINKED.value, v.master_sku.is_not(None)),
        sa.and_(
            v.link_state.in_([LinkState.UNLINKED.value, LinkState.DELISTED.value]),
            v.pending == Pending.PUBLISH.value,
        ),
    )
    update = sa.and_(
        v.link_state == LinkState.LINKED.value,
        v.external_id.is_not(None),
        sa.true()
        if overwrite_all
        else v.pending.in_([Pending.OVERWRITE.value, Pending.PUBLISH.value]),
    )
    variants = session.execute(
        sa.select(ListingVariant, _effective_quantity())
        .where(v.channel_id == channel, v.paused.is_(False), sa.or_(create, update))
        .order_by(v.listing_id, v.id)
    ).all()
    if not variants:
        return []
    listing_ids = sorted({row[0].listing_id for row in variants})
    listings = {
        lst.id: lst
        for lst in session.scalars(
            sa.select(Listing).where(Listing.id.in_(listing_ids))  # type: ignore[union-attr]
        )
    }
    parents: dict[int, PublishParent] = {}
    for variant, quantity in variants:
        lst = listings[variant.listing_id]
        parent = parents.get(lst.id)
        if parent is None:
            parent = parents[lst.id] = PublishParent(
                listing_id=lst.id,
                master_sku=lst.master_sku,
                external_id=int(lst.external_id) if lst.external_id else None,
                title=lst.title,
                description=lst.description,
                images=list(lst.images or []),
                categories=[lst.category_one, lst.category_two],
                variants=[],
            )
        linked = variant.link_state == LinkState.LINKED.value and variant.external_id
        parent.variants.append(
            PublishVariant(
                id=variant.id,
                sku=variant.sku,
                title=variant.title or lst.title,
                external_id=int(variant.external_id) if linked else None,
                price=variant.price,
                quantity=int(quantity),
                upc=variant.upc,
                mpn=variant.mpn,
                gtin=variant.gtin,
                images=list(variant.images or []),
                create=not linked,
            )
        )
    return list(parents.values())
