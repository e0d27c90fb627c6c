"""Operator actions on listings: pause/unpause, hide/unhide, unlink, and the pending
transitions delist/publish/overwrite (recorded now, carried out by the channel's next sync
or publish). Set-based, audited."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session, col

from ..models import Channel, Listing, ListingVariant
from ..models._types import utcnow
from ..models.catalog import LinkState, Pending
from ..states import TRANSITIONS as TRANSITIONS
from ..states import ListingAction as ListingAction
from .audit import record_audit


@dataclass
class ActionResult:
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)  # sku -> why
    unknown: list[str] = field(default_factory=list)


def _flags(v: ListingVariant) -> dict[str, object]:
    return {"paused": v.paused, "hidden": v.hidden, "pending": v.pending}


def _link(v: ListingVariant) -> dict[str, object]:
    return {"link_state": v.link_state, "external_id": v.external_id, **_flags(v)}


def _target(
    v: ListingVariant,
    action: ListingAction,
    channel_kind: str,
    unsupported: Mapping[tuple[str, str], str],
) -> dict[str, object] | str | None:
    """New flag values, None when already there, or a refusal reason."""
    why = unsupported.get((channel_kind, action.value))
    if why:  # hide/unhide need a quantity sync the channel does not do
        return f"{v.sku}: {why}"
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
    unsupported: Mapping[tuple[str, str], str] | None = None,
) -> ActionResult:
    """Apply `action` to listings chosen by id or SKU; every change gets an audit row.

    `unsupported` maps (channel kind, action) to the reason a channel cannot carry it out
    (hide/unhide on a channel that never writes quantities): refused."""
    return _apply(
        session,
        lambda v, kind: _target(v, action, kind, unsupported or {}),
        f"listing.{action.value}",
        ids=ids,
        skus=skus,
        channel_id=channel_id,
        actor=actor,
    )


def _transition_target(
    v: ListingVariant,
    transition: Pending,
    channel_kind: str,
    unsupported: Mapping[tuple[str, str], str],
) -> dict[str, object] | str | None:
    why = unsupported.get((channel_kind, transition.value))
    if why:
        return f"{v.sku}: {why}"
    if v.pending == transition.value:
        return None
    match transition:
        case Pending.DELIST:
            if v.link_state == LinkState.DELISTED.value:
                return None
        case Pending.OVERWRITE:
            if v.link_state != LinkState.LINKED.value:
                return f"{v.sku} is not on the channel ({v.link_state}); publish it first"
        case Pending.PUBLISH:
            pass
        case _:
            raise ValueError(f"{transition.value} is not a pending transition")
    return {"pending": transition.value}


def request_listing_transition(
    session: Session,
    transition: Pending,
    *,
    ids: list[int] | None = None,
    skus: list[str] | None = None,
    channel_id: int | None = None,
    actor: str,
    unsupported: Mapping[tuple[str, str], str] | None = None,
) -> ActionResult:
    """Record a delist, publish or overwrite for the channel's next sync/publish; audited.

    `unsupported` maps (channel kind, transition) to the reason a channel cannot carry it
    out (the connectors' descriptors know; the store does not import them): refused."""
    if transition not in TRANSITIONS:
        raise ValueError(f"{transition.value} is not delist, publish or overwrite")
    return _apply(
        session,
        lambda v, kind: _transition_target(v, transition, kind, unsupported or {}),
        f"listing.{transition.value}",
        ids=ids,
        skus=skus,
        channel_id=channel_id,
        actor=actor,
    )


UNLINKED: dict[str, object] = {
    "link_state": LinkState.UNLINKED.value,
    "external_id": None,
    "pending": None,
    "needs_attention": None,
    "synced_price": None,
    "synced_quantity": None,
}


def _unlink_target(v: ListingVariant) -> dict[str, object] | str | None:
    if v.link_state == LinkState.UNLINKED.value and v.external_id is None:
        return None
    if v.link_state == LinkState.DELISTED.value:
        return f"{v.sku} is delisted; only publish brings it back"
    return dict(UNLINKED)


def unlink_listings(
    session: Session,
    *,
    ids: list[int] | None = None,
    skus: list[str] | None = None,
    channel_id: int | None = None,
    actor: str,
) -> ActionResult:
    """Forget which channel product listings are matched to (the fix for a broken link):
    they become `unlinked`, without external id or pending action; audited. The channel's
    next link run matches them again on SKU/UPC, or its next publish creates the product
    (a publish finding the SKU already on the channel links to it instead). A simple
    product's listing forgets its external id with its variant's; delisted listings are
    refused (only publish brings them back)."""
    chosen = sa.select(col(ListingVariant.listing_id), col(ListingVariant.external_id)).where(
        col(ListingVariant.external_id).is_not(None)
    )
    if ids is not None:
        chosen = chosen.where(col(ListingVariant.id).in_(ids))
    else:
        chosen = chosen.where(col(ListingVariant.sku).in_(skus or []))
    if channel_id is not None:
        chosen = chosen.where(col(ListingVariant.channel_id) == channel_id)
    pairs = [tuple(row) for row in session.execute(chosen)]
    result = _apply(
        session,
        lambda v, _kind: _unlink_target(v),
        "listing.unlink",
        ids=ids,
        skus=skus,
        channel_id=channel_id,
        actor=actor,
        describe=_link,
    )
    if pairs and result.changed:
        session.execute(
            sa.update(Listing)
            .where(sa.tuple_(Listing.id, Listing.external_id).in_(pairs))
            .values(external_id=None, updated_at=utcnow())
        )
    return result


def _apply(
    session: Session,
    target: Callable[[ListingVariant, str], dict[str, object] | str | None],
    action_name: str,
    *,
    ids: list[int] | None,
    skus: list[str] | None,
    channel_id: int | None,
    actor: str,
    describe: Callable[[ListingVariant], dict[str, object]] = _flags,
) -> ActionResult:
    if (ids is None) == (skus is None):
        raise ValueError("choose listings by ids or by skus")
    stmt = sa.select(ListingVariant)
    if ids is not None:
        stmt = stmt.where(col(ListingVariant.id).in_(ids))
    else:
        stmt = stmt.where(col(ListingVariant.sku).in_(skus or []))
    if channel_id is not None:
        stmt = stmt.where(col(ListingVariant.channel_id) == channel_id)
    variants = list(session.scalars(stmt.with_for_update()))
    kinds = dict(session.execute(sa.select(col(Channel.id), col(Channel.kind))).all())
    result = ActionResult()
    if skus is not None:
        found = {v.sku for v in variants}
        result.unknown = [s for s in dict.fromkeys(skus) if s not in found]

    groups: dict[tuple[tuple[str, object], ...], list[ListingVariant]] = {}
    for v in variants:
        values = target(v, kinds.get(v.channel_id, ""))
        if values is None:
            result.unchanged.append(v.sku)
        elif isinstance(values, str):
            result.refused[v.sku] = values
        else:
            groups.setdefault(tuple(sorted(values.items())), []).append(v)

    now = utcnow()
    audits = []
    for items, group in groups.items():
        values = dict(items)
        befores = {v.id: describe(v) for v in group}  # the UPDATE refreshes these objects
        session.execute(
            sa.update(ListingVariant)
            .where(col(ListingVariant.id).in_([v.id for v in group]))
            .values(**values, updated_at=now)
        )
        for v in group:
            before = befores[v.id]
            audits.append((str(v.id), {"sku": v.sku, **before}, {"sku": v.sku, **before, **values}))
            result.changed.append(v.sku)
    record_audit(
        session,
        actor=actor,
        action=action_name,
        record_type="listing",
        changes=audits,
    )
    session.expire_all()
    return result
