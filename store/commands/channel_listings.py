"""Store writes for importing and linking a channel's listings: set-based, a page at a time.

Each function takes a session, the channel's id and a page of mapped rows (listing rows,
and variant rows by master SKU; external ids are strings) and issues a handful of
statements (existence lookups and upserts), never one round trip per row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from ..models import InventoryItem, Listing, ListingVariant
from ..models._types import utcnow
from ..models.catalog import LinkState
from .bulk import upsert
from .listing_publish import content_key

# Columns of an existing variant that an import in create_and_overwrite mode refreshes.
# Never `paused` (the operator's) or `master_sku` (the inventory link).
OVERWRITE_VARIANT = (
    "listing_id",
    "external_id",
    "title",
    "images",
    "upc",
    "gtin",
    "price",
    "quantity",
    "hidden",
    "link_state",
    "synced_price",
    "synced_quantity",
    "synced_at",
    "updated_at",
)
# What Create Only sets on an existing variant it links to the channel's product: the link
# and what the channel shows, never the listing's own data.
LINK_VARIANT = (
    "listing_id",
    "external_id",
    "link_state",
    "needs_attention",
    "synced_price",
    "synced_quantity",
    "synced_at",
    "updated_at",
)
OVERWRITE_LISTING = (
    "external_id",
    "title",
    "description",
    "images",
    "category_one",
    "category_two",
    "updated_at",
)


@dataclass
class PageCounts:
    """What one imported page did, by counter name."""

    parents_created: int = 0
    parents_updated: int = 0
    variants_created: int = 0
    variants_updated: int = 0
    variants_linked: int = 0
    skipped: int = 0

    def items(self) -> Iterable[tuple[str, int]]:
        """(counter, n) pairs, like a dict's."""
        return vars(self).items()


def _existing(session: Session, model: Any, column: str, channel: int, keys: list[str]) -> set[str]:
    col = getattr(model, column)
    rows = session.execute(sa.select(col).where(model.channel_id == channel, col.in_(keys)))
    return set(rows.scalars())


def listing_ids(session: Session, channel: int, master_skus: list[str]) -> dict[str, int]:
    """master_sku -> listing id for these parents."""
    rows = session.execute(
        sa.select(col(Listing.master_sku), col(Listing.id)).where(
            col(Listing.channel_id) == channel,
            col(Listing.master_sku).in_(master_skus),
        )
    )
    return {sku: lid for sku, lid in rows}


def write_import_page(
    session: Session,
    channel: int,
    listings: list[dict[str, Any]],
    variants: dict[str, list[dict[str, Any]]],
    *,
    overwrite: bool,
    new_paused: bool,
) -> PageCounts:
    """Upsert one page of imported parents and variants; returns what was created/updated."""
    counts = PageCounts()
    if not listings:
        return counts
    listings = list({row["master_sku"]: row for row in listings}.values())
    now = utcnow()
    masters = [row["master_sku"] for row in listings]
    known_parents = _existing(session, Listing, "master_sku", channel, masters)
    parent_rows = [{**row, "channel_id": channel, "updated_at": now} for row in listings]
    upsert(
        session,
        Listing,
        parent_rows,
        keys=("channel_id", "master_sku"),
        # Create Only still links an existing listing to the channel's product.
        update=OVERWRITE_LISTING if overwrite else ("external_id",),
        # Not only_if_changed: PostgreSQL has no `json = json` for its IS DISTINCT FROM.
        only_if_changed=False,
    )
    counts.parents_created = len(set(masters) - known_parents)
    if overwrite:
        counts.parents_updated = len(known_parents)
    ids = listing_ids(session, channel, masters)
    variant_rows = []
    for master, rows in variants.items():
        for row in rows:
            variant_rows.append(
                {
                    **row,
                    "channel_id": channel,
                    "listing_id": ids[master],
                    "link_state": LinkState.LINKED.value,
                    "needs_attention": None,
                    "paused": new_paused,
                    "synced_at": now,
                    "updated_at": now,
                }
            )
    # Two products sharing a SKU would clash in one statement; the later one wins.
    by_sku = {row["sku"]: row for row in variant_rows}
    if overwrite:
        known = _existing(session, ListingVariant, "sku", channel, list(by_sku))
        upsert(
            session,
            ListingVariant,
            list(by_sku.values()),
            keys=("channel_id", "sku"),
            update=OVERWRITE_VARIANT,
            only_if_changed=False,
        )
        counts.variants_created = len(by_sku) - len(known)
        counts.variants_updated = len(known)
        _content_as_on_channel(session, channel, list(by_sku))
        return counts
    # Create Only: existing listings keep their data but are linked to the channel's
    # product on SKU; those already linked to it are skipped, delisted ones stay delisted
    # (only publish brings them back).
    known_links = _link_states(session, channel, list(by_sku))
    rows = []
    for sku, row in by_sku.items():
        state = known_links.get(sku)
        if state is None:
            rows.append(row)
        elif state == (LinkState.LINKED.value, row["external_id"]) or (
            state[0] == LinkState.DELISTED.value
        ):
            counts.skipped += 1
        else:
            rows.append(row)
            counts.variants_linked += 1
    upsert(session, ListingVariant, rows, keys=("channel_id", "sku"), update=LINK_VARIANT)
    counts.variants_created = len(rows) - counts.variants_linked
    # New listings hold what the channel has; linked existing ones keep their own content,
    # which the next publish sends only if it changes from here on.
    _content_as_on_channel(session, channel, [r["sku"] for r in rows], only_unset=True)
    return counts


def _content_as_on_channel(
    session: Session, channel: int, skus: list[str], *, only_unset: bool = False
) -> None:
    """Record the content of these variants as the channel's (a publish then sends only
    later edits)."""
    if not skus:
        return
    v = ListingVariant.__table__.c
    stmt = sa.update(ListingVariant.__table__).where(v.channel_id == channel, v.sku.in_(skus))
    if only_unset:
        stmt = stmt.where(v.published_content.is_(None))
    session.execute(stmt.values(published_content=content_key()))


def _link_states(session: Session, channel: int, skus: list[str]) -> dict[str, tuple[str, Any]]:
    """sku -> (link_state, external_id) of the channel's existing variants among `skus`."""
    rows = session.execute(
        sa.select(
            col(ListingVariant.sku),
            col(ListingVariant.link_state),
            col(ListingVariant.external_id),
        ).where(col(ListingVariant.channel_id) == channel, col(ListingVariant.sku).in_(skus))
    )
    return {sku: (state, ext) for sku, state, ext in rows}


def link_inventory_on_sku(session: Session, channel: int) -> int:
    """Give unlinked-to-inventory variants the master SKU of inventory with the same SKU."""
    inv = InventoryItem.__table__.c
    v = ListingVariant.__table__.c
    match = sa.or_(inv.sku == v.sku, inv.master_sku == v.sku)
    master = sa.select(sa.func.min(inv.master_sku)).where(match).scalar_subquery()
    stmt = (
        sa.update(ListingVariant.__table__)
        .where(v.channel_id == channel, v.master_sku.is_(None))
        .where(sa.exists().where(match))
        .values(master_sku=master)
    )
    return session.exec(stmt).rowcount or 0


def inventory_matches(
    session: Session, channel_rows: list[dict[str, Any]], match_on: str
) -> dict[str, str]:
    """Channel variant SKU -> inventory master SKU, matched on SKU or on UPC."""
    if match_on == "upc":
        upcs = {r["upc"]: r["sku"] for r in channel_rows if r.get("upc")}
        if not upcs:
            return {}
        rows = session.execute(
            sa.select(col(InventoryItem.upc), sa.func.min(col(InventoryItem.master_sku)))
            .where(col(InventoryItem.upc).in_(list(upcs)))
            .group_by(InventoryItem.upc)
        )
        return {upcs[upc]: master for upc, master in rows}
    skus = [r["sku"] for r in channel_rows]
    out: dict[str, str] = {}
    for column in (col(InventoryItem.master_sku), col(InventoryItem.sku)):
        rows = session.execute(
            sa.select(column, sa.func.min(col(InventoryItem.master_sku)))
            .where(column.in_(skus))
            .group_by(column)
        )
        for sku, master in rows:
            out.setdefault(sku, master)
    return out


def write_link_page(
    session: Session,
    channel: int,
    listings: list[dict[str, Any]],
    variants: dict[str, list[dict[str, Any]]],
    match_on: str,
    *,
    keep_linked: bool = False,
) -> dict[str, int]:
    """Link this page's channel variants that match inventory; returns counters.

    `keep_linked` leaves variants already linked to the same channel product as they are
    (their synced price and quantity stay what the channel last accepted from us)."""
    counts = {"linked": 0, "unmatched": 0, "skipped": 0, "parents_created": 0}
    flat = [row for rows in variants.values() for row in rows]
    matches = inventory_matches(session, flat, match_on)
    counts["unmatched"] = len(flat) - len(matches)
    if not matches:
        return counts
    listings = list({row["master_sku"]: row for row in listings}.values())
    parents = [p for p in listings if any(r["sku"] in matches for r in variants[p["master_sku"]])]
    masters = [p["master_sku"] for p in parents]
    known_parents = _existing(session, Listing, "master_sku", channel, masters)
    now = utcnow()
    upsert(
        session,
        Listing,
        [{**p, "channel_id": channel, "updated_at": now} for p in parents],
        keys=("channel_id", "master_sku"),
        update=("external_id",),
        only_if_changed=True,
    )
    counts["parents_created"] = len(set(masters) - known_parents)
    ids = listing_ids(session, channel, masters)
    states = {
        sku: (state, ext)
        for sku, state, ext in session.execute(
            sa.select(
                col(ListingVariant.sku),
                col(ListingVariant.link_state),
                col(ListingVariant.external_id),
            ).where(
                col(ListingVariant.channel_id) == channel,
                col(ListingVariant.sku).in_(list(matches)),
            )
        )
    }
    rows = []
    for parent in parents:
        for row in variants[parent["master_sku"]]:
            if row["sku"] not in matches:
                continue
            state, ext = states.get(row["sku"], (None, None))
            if state == LinkState.DELISTED.value:
                counts["skipped"] += 1  # delisted on purpose: only publish brings it back
                continue
            if keep_linked and (state, ext) == (LinkState.LINKED.value, row["external_id"]):
                counts["skipped"] += 1
                continue
            rows.append(
                {
                    **row,
                    "channel_id": channel,
                    "listing_id": ids[parent["master_sku"]],
                    "master_sku": matches[row["sku"]],
                    "link_state": LinkState.LINKED.value,
                    "needs_attention": None,
                    "synced_at": now,
                    "updated_at": now,
                }
            )
    upsert(
        session,
        ListingVariant,
        rows,
        keys=("channel_id", "sku"),
        update=(
            "listing_id",
            "external_id",
            "master_sku",
            "link_state",
            "upc",
            "needs_attention",
            "synced_price",
            "synced_quantity",
            "synced_at",
            "updated_at",
        ),
        only_if_changed=True,
    )
    counts["linked"] = len(rows)
    _content_as_on_channel(session, channel, [r["sku"] for r in rows], only_unset=True)
    return counts


def link_candidates(session: Session, channel: int, since: datetime | None) -> list[str]:
    """SKUs worth looking up on the channel to link: each inventory item's SKU, master SKU
    and parent SKU where the channel has no variant linked to (or delisted from) it, and the
    SKUs of the channel's unlinked and broken variants. With `since`, only inventory changed
    since then and variants left unlinked since then (older ones were looked up before)."""
    inv = InventoryItem.__table__.c
    v = ListingVariant.__table__.c
    settled = (LinkState.LINKED.value, LinkState.DELISTED.value)

    def on_channel(column: sa.ColumnElement[str]) -> sa.Exists:
        # One probe of the (channel_id, sku) index each; an OR of both would scan.
        return sa.exists().where(
            v.channel_id == channel, v.sku == column, v.link_state.in_(settled)
        )

    items = sa.select(inv.sku, inv.master_sku, inv.parent_sku).where(
        ~on_channel(inv.sku), ~on_channel(inv.master_sku)
    )
    loose = sa.select(v.sku).where(v.channel_id == channel, v.link_state.not_in(settled))
    if since is not None:
        items = items.where(inv.updated_at >= since)
        loose = loose.where(v.updated_at >= since)
    out: set[str] = set()
    for row in session.execute(items.execution_options(yield_per=5000)):
        out.update(s for s in row if s)
    out.update(s for s in session.execute(loose).scalars() if s)
    return sorted(out)
