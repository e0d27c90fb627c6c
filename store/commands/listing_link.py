"""Link a listing to a supplier's inventory: the master SKU routing looks up for it.

A listing variant is backed by the inventory items whose master SKU is its `master_sku`
(its own SKU when unset). An order for a listing no source carries is held with "link the
listing to inventory or restock"; this is the link. The operator names the inventory item
by its master SKU or by a source's own SKU. Audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col

from ..models import InventoryItem, ListingVariant, Source
from ..models._types import utcnow
from .audit import record_audit


class LinkRefused(ValueError):
    """Nothing to link (unknown listing or inventory); the message says what to check."""


@dataclass(frozen=True)
class Linked:
    master_sku: str
    sources: list[str]
    """The sources that carry it (routing's candidates)."""
    changed: list[int]
    """Variant ids linked now."""
    unchanged: list[int]
    """Variant ids already linked to it."""


def _master_of(session: Session, target: str) -> str:
    """The master SKU named by `target`: itself if some item has it, else the master SKU of
    the item whose source SKU it is."""
    target = target.strip()
    if not target:
        raise LinkRefused("name the inventory item: its master SKU or a source's SKU")
    i = InventoryItem.__table__.c
    if session.scalar(sa.select(i.id).where(i.master_sku == target).limit(1)) is not None:
        return target
    masters = sorted(set(session.scalars(sa.select(i.master_sku).where(i.sku == target))))
    if len(masters) == 1:
        return str(masters[0])
    if masters:
        raise LinkRefused(
            f"SKU {target} is a different item at each source ({', '.join(masters)}); "
            "name the master SKU instead"
        )
    raise LinkRefused(
        f"no inventory item has master SKU or SKU {target}; run the sources' get_inventory, "
        "or look it up (i in Sources, 'dropdeck inventory --sku PREFIX')"
    )


def link_to_inventory(
    session: Session,
    target: str,
    *,
    actor: str,
    skus: Sequence[str] = (),
    ids: Sequence[int] = (),
    channel_id: int | None = None,
) -> Linked:
    """Set the master SKU of the listing variants with these ids, or these SKUs (on one
    channel, or on every channel that lists them), to the inventory item `target` names."""
    master = _master_of(session, target)
    if ids:
        stmt = sa.select(ListingVariant).where(col(ListingVariant.id).in_(list(ids)))
    else:
        stmt = sa.select(ListingVariant).where(col(ListingVariant.sku).in_(list(skus)))
    if channel_id is not None:
        stmt = stmt.where(col(ListingVariant.channel_id) == channel_id)
    variants = list(session.scalars(stmt.order_by(col(ListingVariant.id))))
    missing = [] if ids else sorted(set(skus) - {v.sku for v in variants})
    if not variants and ids:
        raise LinkRefused("the listings no longer exist")
    if missing:
        raise LinkRefused(
            f"no listing with SKU {', '.join(missing)}; check it with "
            "'dropdeck listings --sku PREFIX'"
        )
    changed = [v for v in variants if v.master_sku != master]
    now = utcnow()
    for v in changed:
        record_audit(
            session,
            actor=actor,
            action="listing.link_inventory",
            record_type="listing_variant",
            changes=[(str(v.id), {"master_sku": v.master_sku}, {"master_sku": master})],
        )
        v.master_sku = master
        v.updated_at = now
        session.add(v)
    session.flush()
    i = InventoryItem.__table__.c
    s = Source.__table__.c
    carried = session.execute(
        sa.select(s.name, s.priority)
        .join_from(InventoryItem.__table__, Source.__table__, i.source_id == s.id)
        .where(i.master_sku == master)
        .distinct()
        .order_by(s.priority, s.name)
    ).all()
    sources = [name for name, _ in carried]
    return Linked(
        master_sku=master,
        sources=sources,
        changed=[v.id or 0 for v in changed],
        unchanged=[v.id or 0 for v in variants if v not in changed],
    )
