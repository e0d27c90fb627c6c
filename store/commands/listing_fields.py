"""A listing variant's further channel fields (Special Price, Visibility, Maximum Qty
Allowed in Shopping Cart...): kept in its `extra`, synced only when they change.

`extra[name]` is the listing's own value (an import fills it from the channel, an operator
sets it with `set_listing_fields`); `extra["synced"][name]` is what the channel last
accepted. A sync asks `field_changes` for the variants whose wanted value (the listing's,
or a constant the integration maps to every listing) differs from the synced one, and
records what the channel accepted with `Outcomes.fields_synced`. Values are JSON scalars
compared as they are; None means "nothing of ours": the channel's value is left alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from ..models import Listing, ListingVariant
from ..models._types import utcnow
from .listing_sync import kept_in_step, parent_external_id, pushed_columns

SYNCED = "synced"
# A constant of the integration's mapping ("Value") for a field: None is "the listing's own".
Constants = Mapping[str, Any]


@dataclass(frozen=True)
class FieldChange:
    """A linked variant whose fields differ from what the channel last accepted."""

    id: int
    sku: str
    external_id: str
    parent_external_id: str | None
    price: Decimal | None
    quantity: int  # effective: 0 while hidden
    listing_id: int
    values: dict[str, Any]  # field -> the value to send (only the changed ones)


def wanted_values(
    extra: Mapping[str, Any], fields: Sequence[str], constants: Constants
) -> dict[str, Any]:
    """field -> the value the channel should have (constants win over the listing's own)."""
    out: dict[str, Any] = {}
    for name in fields:
        value = constants.get(name) if constants.get(name) is not None else extra.get(name)
        if value is not None:
            out[name] = value
    return out


def field_changes(
    session: Session, channel: int, fields: Sequence[str], constants: Constants
) -> list[FieldChange]:
    """The channel's linked, unpaused variants (not being delisted) whose `fields` differ
    from what the channel last accepted, by id. One streamed query; the comparison is made
    here (JSON values compare alike on SQLite and PostgreSQL only in Python)."""
    if not fields:
        return []
    v = ListingVariant.__table__.c
    lst = Listing.__table__.c
    stmt = (
        sa.select(*pushed_columns(Listing.__table__), v.extra)
        .join(Listing.__table__, lst.id == v.listing_id)
        .where(kept_in_step(channel))
        .order_by(v.id)
        .execution_options(yield_per=2000)
    )
    out = []
    for vid, sku, ext, parent_ext, price, qty, listing_id, extra in session.execute(stmt):
        extra = extra if isinstance(extra, dict) else {}
        synced = _synced(extra)
        changed = {
            name: value
            for name, value in wanted_values(extra, fields, constants).items()
            if synced.get(name) != value
        }
        if changed:
            out.append(
                FieldChange(
                    id=vid,
                    sku=sku,
                    external_id=str(ext),
                    parent_external_id=parent_external_id(ext, parent_ext),
                    price=price,
                    quantity=int(qty),
                    listing_id=listing_id,
                    values=changed,
                )
            )
    return out


def _synced(extra: Mapping[str, Any]) -> dict[str, Any]:
    found = extra.get(SYNCED)
    return found if isinstance(found, dict) else {}


def record_fields_synced(session: Session, synced: Mapping[int, Mapping[str, Any]]) -> None:
    """Merge what the channel accepted into each variant's `extra["synced"]`."""
    if not synced:
        return
    rows = session.execute(
        sa.select(ListingVariant.__table__.c.id, ListingVariant.__table__.c.extra).where(
            ListingVariant.__table__.c.id.in_(list(synced))
        )
    )
    updates = []
    for vid, extra in rows:
        extra = dict(extra) if isinstance(extra, dict) else {}
        extra[SYNCED] = {**_synced(extra), **synced[vid]}
        updates.append({"id": vid, "extra": extra})
    if updates:
        session.execute(sa.update(ListingVariant), updates)


def set_listing_fields(
    session: Session, channel: int, skus: Sequence[str], values: Mapping[str, Any]
) -> list[str]:
    """Set the listing's own `values` (None clears one) on these SKUs of the channel;
    returns the SKUs not found."""
    v = ListingVariant.__table__.c
    rows = session.execute(
        sa.select(v.id, v.sku, v.extra).where(v.channel_id == channel, v.sku.in_(list(skus)))
    ).all()
    now = utcnow()
    updates = []
    for vid, _sku, extra in rows:
        extra = dict(extra) if isinstance(extra, dict) else {}
        for name, value in values.items():
            if value is None:
                extra.pop(name, None)
            else:
                extra[name] = value
        updates.append({"id": vid, "extra": extra, "updated_at": now})
    if updates:
        session.execute(sa.update(ListingVariant), updates)
    found = {sku for _vid, sku, _extra in rows}
    return [s for s in skus if s not in found]
