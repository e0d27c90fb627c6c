"""A linked listing's content fields a sync writes only when they change: Name,
Description, Images, Categories, UPC.

The baseline is the variant's `published_content` (`listing_publish.content_key`: what the
channel last got of the listing's content; import, link and publish record it), split into
its parts. A part that differs from the listing's content now is a changed field. A simple
product takes every field itself; a variable product's child takes its own name and UPC,
and its parent product the listing's name, description, images and categories. After a
write the written parts of the baseline are replaced by the current ones, so a field not
among the "Fields to Sync" stays changed for a later sync or publish.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from ..models import Listing, ListingVariant
from .listing_publish import content_key
from .listing_sync import kept_in_step, pushed_columns

SEP = "\x1f"  # content_key's separator
# content_key's parts: the variant's title, images, UPC, MPN, GTIN, then its listing's
# title, description, images, category one, category two.
PARTS = 10
V_TITLE, V_UPC = 0, 2
L_TITLE, L_DESCRIPTION, L_IMAGES, L_CATEGORIES = 5, 6, 7, (8, 9)
# field -> the parts it is made of, for the product that takes it.
SIMPLE = {
    "name": (L_TITLE,),
    "description": (L_DESCRIPTION,),
    "images": (L_IMAGES,),
    "categories": L_CATEGORIES,
    "upc": (V_UPC,),
}
CHILD = {"name": (V_TITLE,), "upc": (V_UPC,)}
PARENT = {
    "name": (L_TITLE,),
    "description": (L_DESCRIPTION,),
    "images": (L_IMAGES,),
    "categories": L_CATEGORIES,
}
CONTENT_FIELDS = tuple(SIMPLE)


@dataclass(frozen=True)
class ContentChange:
    """A linked variant whose content (or its parent product's) changed since the channel
    last got it: the values to send and the baseline parts they settle."""

    id: int
    sku: str
    external_id: str
    parent_external_id: str | None  # the variable product's; None for a simple product
    price: Decimal | None
    quantity: int  # effective: 0 while hidden
    listing_id: int
    own: dict[str, Any] = field(default_factory=dict)  # for the variant's own product
    parent: dict[str, Any] = field(default_factory=dict)  # for its parent product
    own_parts: frozenset[int] = frozenset()
    parent_parts: frozenset[int] = frozenset()


def _parts(text: str | None) -> list[str] | None:
    # A value holding the separator itself splits wrong: every field counts as changed.
    parts = text.split(SEP) if text is not None else None
    return parts if parts is not None and len(parts) == PARTS else None


def _values(
    title: str, upc: str | None, l_title: str, description: str, images: Any, cats: list[Any]
) -> dict[str, Any]:
    """field -> the value to send; empty ones are nothing of ours (Magento keeps its own)."""
    out: dict[str, Any] = {
        "variant_name": title.strip() or None,
        "name": l_title.strip() or None,
        "description": description,
        "images": [str(u) for u in images] if isinstance(images, list) and images else None,
        "categories": [str(c) for c in cats if c and str(c).strip()] or None,
        "upc": (upc or "").strip() or None,
    }
    return out


def _changed(
    fields: Sequence[str],
    table: Mapping[str, tuple[int, ...]],
    values: Mapping[str, Any],
    was: list[str] | None,
    now: list[str] | None,
) -> tuple[dict[str, Any], frozenset[int]]:
    send: dict[str, Any] = {}
    parts: set[int] = set()
    for name in fields:
        where = table.get(name)
        if where is None or values.get(name) is None:
            continue
        if was is None or now is None or any(was[i] != now[i] for i in where):
            send[name] = values[name]
            parts.update(where)
    return send, frozenset(parts)


def content_changes(session: Session, channel: int, fields: Sequence[str]) -> list[ContentChange]:
    """The channel's linked, unpaused variants (not being delisted) whose chosen content
    `fields` (or their parent product's) changed since the channel last got them, by id."""
    fields = [f for f in fields if f in CONTENT_FIELDS]
    if not fields:
        return []
    v = ListingVariant.__table__.c
    # An alias: content_key's own subquery on `listing` must not correlate to this join.
    joined = Listing.__table__.alias("parent_listing")
    lst = joined.c
    stmt = (
        sa.select(
            *pushed_columns(joined),
            v.published_content,
            content_key(),
            v.title,
            v.upc,
            lst.title,
            lst.description,
            lst.images,
            lst.category_one,
            lst.category_two,
        )
        .join(joined, lst.id == v.listing_id)
        .where(kept_in_step(channel))
        .order_by(v.id)
        .execution_options(yield_per=2000)
    )
    out = []
    for row in session.execute(stmt):
        vid, sku, ext, parent_ext, price, qty, listing_id, published, current = row[:9]
        title, upc, l_title, description, images, one, two = row[9:]
        was, now = _parts(published), _parts(current)
        parent: dict[str, Any] = {}
        parent_parts: frozenset[int] = frozenset()
        values = _values(title, upc, l_title, description or "", images, [one, two])
        simple = parent_ext is not None and parent_ext == ext
        if simple:
            own, own_parts = _changed(fields, SIMPLE, values, was, now)
        else:
            child = {**values, "name": values["variant_name"]}
            own, own_parts = _changed(fields, CHILD, child, was, now)
            if parent_ext is not None:  # a child linked without its parent takes only its own
                parent, parent_parts = _changed(fields, PARENT, values, was, now)
        if own or parent:
            out.append(
                ContentChange(
                    id=vid,
                    sku=sku,
                    external_id=str(ext),
                    parent_external_id=None if simple or parent_ext is None else str(parent_ext),
                    price=price,
                    quantity=int(qty),
                    listing_id=listing_id,
                    own=own,
                    parent=parent,
                    own_parts=own_parts,
                    parent_parts=parent_parts,
                )
            )
    return out


def record_content_synced(session: Session, written: Mapping[int, Iterable[int]]) -> None:
    """The channel now has these parts of these variants' content: replace them in each
    baseline by the current ones (an unsplittable baseline takes the whole current text)."""
    if not written:
        return
    v = ListingVariant.__table__.c
    rows = session.execute(
        sa.select(v.id, v.published_content, content_key()).where(v.id.in_(list(written)))
    )
    updates = []
    for vid, published, current in rows:
        was, now = _parts(published), _parts(current)
        if was is None or now is None:
            updates.append({"id": vid, "published_content": current})
            continue
        for i in written[vid]:
            was[i] = now[i]
        updates.append({"id": vid, "published_content": SEP.join(was)})
    if updates:
        session.execute(sa.update(ListingVariant), updates)
