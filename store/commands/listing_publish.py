"""Listing publish for a channel: which parents and variants to create or overwrite.

The outcomes are recorded with `listing_sync.record_outcomes`, as a sync's are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from ..models import Listing, ListingVariant
from ..models.catalog import LinkState, Pending
from .listing_sync import effective_quantity
from .pricing import ListingRule, apply_listing_rule


@dataclass
class PublishVariant:
    """A variant to create on the channel, or to overwrite there."""

    id: int
    sku: str
    title: str
    external_id: str | None
    price: Decimal | None
    quantity: int
    upc: str | None
    mpn: str | None
    gtin: str | None
    images: list[str]
    create: bool  # not on the channel yet
    # The variant's further channel fields (`listing_fields`: special_price, ...).
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class PublishParent:
    """A listing with the variants of it to publish."""

    listing_id: int
    master_sku: str
    external_id: str | None
    title: str
    description: str
    images: list[str]
    categories: list[str | None]
    variants: list[PublishVariant]

    @property
    def simple(self) -> bool:
        """One variant with the parent's SKU: a simple product, not a variable one."""
        return len(self.variants) == 1 and self.variants[0].sku == self.master_sku


def content_key() -> sa.ColumnElement[str]:
    """A listing variant's content (its own title, images, UPC, MPN, GTIN and its listing's
    title, description, images, categories) as one text, computed by the database: equal
    texts mean nothing a publish sends has changed. For `ListingVariant` rows (the listing
    is a correlated subquery), in UPDATE and SELECT alike."""
    v = ListingVariant.__table__.c
    lst = Listing.__table__.c
    sep = sa.literal("\x1f")

    def text(column: sa.ColumnElement[object]) -> sa.ColumnElement[str]:
        return sa.func.coalesce(sa.cast(column, sa.Text), sa.literal(""))

    own = [v.title, v.images, v.upc, v.mpn, v.gtin]
    parent = [lst.title, lst.description, lst.images, lst.category_one, lst.category_two]
    listing_part = (
        sa.select(_joined([text(c) for c in parent], sep))
        .where(lst.id == v.listing_id)
        .scalar_subquery()
    )
    joined: sa.ColumnElement[str] = _joined(
        [*(text(c) for c in own), sa.func.coalesce(listing_part, "")], sep
    )
    return joined


def _joined(parts: list[sa.ColumnElement[str]], sep: sa.ColumnElement[str]) -> Any:
    out: Any = parts[0]
    for part in parts[1:]:
        out = out + sep + part
    return out


def record_published(session: Session, variant_ids: list[int]) -> None:
    """Remember the content these variants now have on the channel (after a publish that
    sent it, or an import/link that read it from there)."""
    if not variant_ids:
        return
    v = ListingVariant.__table__.c
    session.execute(
        sa.update(ListingVariant.__table__)
        .where(v.id.in_(variant_ids))
        .values(published_content=content_key())
    )


def publish_work(
    session: Session, channel: int, rule: ListingRule, overwrite_all: bool
) -> list[PublishParent]:
    """Parents with variants to create (unlinked with linked inventory; delisted, unlinked
    or broken with a pending publish), or to overwrite (content changed since the last
    publish or import, a pending overwrite/publish, or every linked variant when
    `overwrite_all`). Paused variants are left alone."""
    apply_listing_rule(session, channel, rule)
    v = ListingVariant.__table__.c
    create = sa.or_(
        sa.and_(v.link_state == LinkState.UNLINKED.value, v.master_sku.is_not(None)),
        # A broken link's product is gone from the channel: publish creates it anew.
        sa.and_(
            v.link_state.in_(
                [
                    LinkState.UNLINKED.value,
                    LinkState.DELISTED.value,
                    LinkState.BROKEN_LINK.value,
                ]
            ),
            v.pending == Pending.PUBLISH.value,
        ),
    )
    # Content edited since the last publish (or import) goes out again.
    changed = sa.and_(
        v.published_content.is_not(None), v.published_content.is_distinct_from(content_key())
    )
    update = sa.and_(
        v.link_state == LinkState.LINKED.value,
        v.external_id.is_not(None),
        sa.true()
        if overwrite_all
        else sa.or_(v.pending.in_([Pending.OVERWRITE.value, Pending.PUBLISH.value]), changed),
    )
    variants = session.execute(
        sa.select(ListingVariant, effective_quantity())
        .where(v.channel_id == channel, v.paused.is_(False), sa.or_(create, update))
        .order_by(v.listing_id, v.id)
    ).all()
    if not variants:
        return []
    listing_ids = sorted({row[0].listing_id for row in variants})
    listings = {
        lst.id: lst
        for lst in session.scalars(sa.select(Listing).where(col(Listing.id).in_(listing_ids)))
    }
    parents: dict[int, PublishParent] = {}
    for variant, quantity in variants:
        lst = listings[variant.listing_id]
        parent = parents.get(variant.listing_id)
        if parent is None:
            parent = parents[variant.listing_id] = PublishParent(
                listing_id=variant.listing_id,
                master_sku=lst.master_sku,
                external_id=lst.external_id or None,
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
                external_id=variant.external_id if linked else None,
                price=variant.price,
                quantity=int(quantity),
                upc=variant.upc,
                mpn=variant.mpn,
                gtin=variant.gtin,
                images=list(variant.images or []),
                create=not linked,
                extra=dict(variant.extra or {}),
            )
        )
    return list(parents.values())
