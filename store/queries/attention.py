"""What needs an operator now, counted: held orders, failed fulfillment requests, broken
links, paused integrations, listings no supplier stands behind. One read, a few counts and
the newest example of each, for the console's attention summary."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from .. import tables
from ..states import LinkState, OrderStatus, RequestStatus
from .listings import has_supplier

if TYPE_CHECKING:
    from ..tables import Reader


@dataclass(frozen=True)
class Attention:
    """Counts, with one example each (None when there is none)."""

    held_orders: int
    held_example: str | None
    failed_requests: int
    failed_example: str | None
    broken_links: int
    broken_example: str | None
    paused_sources: int
    paused_channels: int
    paused_example: str | None
    no_supplier: int
    listings: int
    owners: int
    """Sources and channels: none means nothing is set up yet."""

    @property
    def paused_integrations(self) -> int:
        return self.paused_sources + self.paused_channels

    @property
    def all_well(self) -> bool:
        """Nothing waits for the operator (listings with no supplier are a catalogue fact,
        not an alarm: they only matter when ordered, and then the order is held)."""
        return not (
            self.held_orders
            or self.failed_requests
            or self.broken_links
            or self.paused_integrations
        )


def _count(session: Reader, stmt: sa.Select[Any]) -> int:
    return int(session.scalar(stmt) or 0)


def _held(session: Reader) -> tuple[int, str | None]:
    o = tables.order.c
    held = o.status == OrderStatus.ON_HOLD.value
    n = _count(session, sa.select(sa.func.count()).where(held))
    newest = session.execute(
        sa.select(o.number, o.hold_reason)
        .where(held)
        .order_by(o.updated_at.desc(), o.id.desc())
        .limit(1)
    ).first()
    example = f"order {newest[0]}: {newest[1] or 'no reason recorded'}" if newest else None
    return n, example


def _failed(session: Reader) -> tuple[int, str | None]:
    r = tables.fulfillment_request.c
    s = tables.source.c
    failed = r.status == RequestStatus.FAILED.value
    n = _count(session, sa.select(sa.func.count()).where(failed))
    newest = session.execute(
        sa.select(r.po_number, s.name, r.last_error)
        .join_from(tables.fulfillment_request, tables.source, r.source_id == s.id)
        .where(failed)
        .order_by(r.updated_at.desc(), r.id.desc())
        .limit(1)
    ).first()
    example = (
        f"PO {newest[0]} to {newest[1]}: {newest[2] or 'no error recorded'}" if newest else None
    )
    return n, example


def _broken(session: Reader) -> tuple[int, str | None]:
    v = tables.listing_variant.c
    c = tables.channel.c
    broken = v.link_state == LinkState.BROKEN_LINK.value
    n = _count(session, sa.select(sa.func.count()).where(broken))
    first = session.execute(
        sa.select(v.sku, c.name)
        .join_from(tables.listing_variant, tables.channel, v.channel_id == c.id)
        .where(broken)
        .order_by(v.updated_at.desc(), v.id.desc())
        .limit(1)
    ).first()
    example = f"{first[0]} on {first[1]}: the product is gone from the store" if first else None
    return n, example


def _paused(session: Reader) -> tuple[int, int, str | None]:
    i = tables.integration.c
    paused = i.paused_reason.is_not(None)
    sources = _count(session, sa.select(sa.func.count()).where(paused, i.source_id.is_not(None)))
    channels = _count(session, sa.select(sa.func.count()).where(paused, i.channel_id.is_not(None)))
    newest = session.execute(
        sa.select(i.name, i.paused_reason)
        .where(paused)
        .order_by(i.paused_at.desc().nulls_last(), i.id)
        .limit(1)
    ).first()
    return sources, channels, f"{newest[0]}: {newest[1]}" if newest else None


def attention(session: Reader) -> Attention:
    """Everything the summary shows, read in one session."""
    held, held_example = _held(session)
    failed, failed_example = _failed(session)
    broken, broken_example = _broken(session)
    paused_sources, paused_channels, paused_example = _paused(session)
    v = tables.listing_variant
    listings, unbacked = session.execute(
        sa.select(
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(sa.case((~has_supplier(), 1), else_=0)), 0),
        ).select_from(v)
    ).one()
    return Attention(
        held_orders=held,
        held_example=held_example,
        failed_requests=failed,
        failed_example=failed_example,
        broken_links=broken,
        broken_example=broken_example,
        paused_sources=paused_sources,
        paused_channels=paused_channels,
        paused_example=paused_example,
        no_supplier=int(unbacked),
        listings=int(listings),
        owners=_count(session, sa.select(sa.func.count()).select_from(tables.source))
        + _count(session, sa.select(sa.func.count()).select_from(tables.channel)),
    )
