"""Operator actions on listings: pause/unpause, hide/unhide. Set-based, audited."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Session

from ..models import ListingVariant
from ..models._types import utcnow
from ..models.catalog import Pending
from .audit import record_audit


class ListingAction(StrEnum):
    PAUSE = "pause"
    UNPAUSE = "unpause"
    HIDE = "hide"
    UNHIDE = "unhide"


@dataclass
class ActionResult:
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)  # sku -> why
    unknown: list[str] = field(default_factory=list)


def _flags(v: ListingVariant) -> dict[str, object]:
    return {"paused": v.paused, "hidden": v.hidden, "pending": v.pending}


def _target(v: ListingVariant, action: ListingAction) -> dict[str, object] | str | None:
    """New flag values, None when already there, or a refusal reason."""
    match action:
        case ListingAction.PAUSE:
            return None if v.paused else {"paused": True}
        case ListingAction.UNPAUSE:
            return {"paused": False} if v.paused else None
        case ListingAction.HIDE:
            # Carried out by the channel's next sync, which shows the variant out of stock.
            return None if v.hidden else {"hidden": True, "pending": Pending.HIDE.value}
        case ListingAction.UNHIDE:
            if not v.hidden:
                return f"{v.sku} is not hidden; only a hidden listing can be unhidden"
            return {"hidden": False, "pending": Pending.UNHIDE.value}


def apply_listing_action(
    session: Session,
    action: ListingAction,
    *,
    ids: list[int] | None = None,
    skus: list[str] | None = None,
    channel_id: int | None = None,
    actor: str,
) -> ActionResult:
    """Apply `action` to listings chosen by id or SKU; every change gets an audit row."""
    if (ids is None) == (skus is None):
        raise ValueError("choose listings by ids or by skus")
    stmt = sa.select(ListingVariant)
    if ids is not None:
        stmt = stmt.where(ListingVariant.id.in_(ids))  # type: ignore[union-attr]
    else:
        stmt = stmt.where(ListingVariant.sku.in_(skus or []))  # type: ignore[attr-defined]
    if channel_id is not None:
        stmt = stmt.where(ListingVariant.channel_id == channel_id)
    variants = list(session.scalars(stmt.with_for_update()))
    result = ActionResult()
    if skus is not None:
        found = {v.sku for v in variants}
        result.unknown = [s for s in dict.fromkeys(skus) if s not in found]

    groups: dict[tuple[tuple[str, object], ...], list[ListingVariant]] = {}
    for v in variants:
        target = _target(v, action)
        if target is None:
            result.unchanged.append(v.sku)
        elif isinstance(target, str):
            result.refused[v.sku] = target
        else:
            groups.setdefault(tuple(sorted(target.items())), []).append(v)

    now = utcnow()
    audits = []
    for items, group in groups.items():
        values = dict(items)
        befores = {v.id: _flags(v) for v in group}  # the UPDATE refreshes these objects
        session.execute(
            sa.update(ListingVariant)
            .where(ListingVariant.id.in_([v.id for v in group]))  # type: ignore[union-attr]
            .values(**values, updated_at=now)
        )
        for v in group:
            before = befores[v.id]
            audits.append((str(v.id), {"sku": v.sku, **before}, {"sku": v.sku, **before, **values}))
            result.changed.append(v.sku)
    record_audit(
        session,
        actor=actor,
        action=f"listing.{action.value}",
        record_type="listing",
        changes=audits,
    )
    session.expire_all()
    return result
