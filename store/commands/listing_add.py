"""Listings from a source's inventory: the way a supplier's SKUs reach a channel.

`add_listings_from_inventory` creates, on one channel, a listing per inventory parent and a
listing variant per inventory item of one source (all, or those whose SKU starts with one
of the given prefixes). They start `unlinked` with the inventory's master SKU, so the
channel's next publish prices them by the listing rule and creates the products. Two
INSERT … SELECT statements, whatever the count; existing listings (same SKU) are left as
they are.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from ..models import InventoryItem, Listing, ListingVariant
from ..models._types import utcnow
from ..models.catalog import LinkState


def _chosen(source: int, prefixes: Sequence[str]) -> sa.ColumnElement[bool]:
    inv = InventoryItem.__table__.c
    wanted = [inv.sku.startswith(p, autoescape=True) for p in prefixes if p]
    return sa.and_(inv.source_id == source, sa.or_(*wanted) if wanted else sa.true())


def add_listings_from_inventory(
    session: Session, channel: int, source: int, prefixes: Sequence[str] = ()
) -> tuple[int, int]:
    """Create listings (parents) and variants for the source's inventory on the channel;
    returns (parents created, variants created)."""
    inv = InventoryItem.__table__.c
    lst = Listing.__table__
    var = ListingVariant.__table__
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    now = utcnow()
    before = _counts(session, channel)
    chosen = _chosen(source, prefixes)
    # One representative item per parent gives the listing its title, text and images.
    first = sa.select(sa.func.min(inv.id)).where(chosen).group_by(inv.parent_sku)
    parents = sa.select(
        sa.literal(channel),
        inv.parent_sku,
        inv.title,
        inv.description,
        inv.images,
        sa.literal(now),
        sa.literal(now),
    ).where(inv.id.in_(first))
    session.execute(
        insert(lst)
        .from_select(
            [
                "channel_id",
                "master_sku",
                "title",
                "description",
                "images",
                "created_at",
                "updated_at",
            ],
            parents,
        )
        .on_conflict_do_nothing(index_elements=["channel_id", "master_sku"])
    )
    listing_id = (
        sa.select(lst.c.id)
        .where(lst.c.channel_id == channel, lst.c.master_sku == inv.parent_sku)
        .scalar_subquery()
    )
    variants = sa.select(
        listing_id,
        sa.literal(channel),
        inv.sku,
        inv.master_sku,
        inv.upc,
        inv.mpn,
        inv.title,
        inv.images,
        sa.literal(LinkState.UNLINKED.value),
        sa.literal(0),
        sa.false(),
        sa.false(),
        sa.cast(sa.literal("{}"), sa.JSON),
        sa.literal(now),
    ).where(chosen)
    session.execute(
        insert(var)
        .from_select(
            [
                "listing_id",
                "channel_id",
                "sku",
                "master_sku",
                "upc",
                "mpn",
                "title",
                "images",
                "link_state",
                "quantity",
                "paused",
                "hidden",
                "extra",
                "updated_at",
            ],
            variants,
        )
        .on_conflict_do_nothing(index_elements=["channel_id", "sku"])
    )
    after = _counts(session, channel)
    # Counted, not taken from rowcount: drivers differ on INSERT … SELECT … ON CONFLICT.
    return after[0] - before[0], after[1] - before[1]


def _counts(session: Session, channel: int) -> tuple[int, int]:
    lst = Listing.__table__.c
    var = ListingVariant.__table__.c
    parents = session.execute(
        sa.select(sa.func.count()).where(lst.channel_id == channel)
    ).scalar_one()
    variants = session.execute(
        sa.select(sa.func.count()).where(var.channel_id == channel)
    ).scalar_one()
    return int(parents), int(variants)
