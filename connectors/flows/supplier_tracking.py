"""Following sent requests up at the supplier: shipments and invoices, for any source.

Both walk the source's requests in the statuses the integration names (sent within its
`within_days`), ask the supplier about each PO and record what it says. The connector
supplies the look-up: a PO's shipments (plus whether the supplier cancelled the rest) or
its invoices, None when the supplier has no such PO.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar, Protocol, Self

from store.commands import fulfillment
from store.commands.fulfillment import AT_SOURCE, ShipmentIn
from store.models.orders import RequestStatus

from ..context import RunContext
from ..errors import RecordError
from ..mapping import Template
from ..settings import SettingsReader, TemplateLookup, TemplateSpec, kind_style


@dataclass(frozen=True)
class TrackSettings:
    """get_shipments / get_invoice settings: which requests to follow up, how far back."""

    KEYS: ClassVar[tuple[str, ...]] = ("statuses", "within_days")

    statuses: tuple[str, ...]
    within_days: int | None

    @classmethod
    def parse(
        cls,
        raw: Mapping[str, Any],
        *,
        integration: str,
        kind: str,
        templates: TemplateLookup,
    ) -> TrackSettings:
        """Validated settings of `kind` (get_shipments or get_invoice)."""
        r = SettingsReader(raw, kind_style(kind))
        allowed = (*AT_SOURCE, RequestStatus.CANCELLED.value)
        default: tuple[str, ...] = (
            RequestStatus.SENT.value,
            RequestStatus.PARTIALLY_SHIPPED.value,
        )
        if kind == "get_invoice":
            default = AT_SOURCE
        statuses = raw.get("statuses", list(default))
        if (
            not isinstance(statuses, list)
            or not statuses
            or any(s not in allowed for s in statuses)
        ):
            raise r.error("statuses", f" must list request statuses among {', '.join(allowed)}")
        return cls(statuses=tuple(statuses), within_days=r.days("within_days", 30))


@dataclass(frozen=True)
class TrackedTemplateSettings:
    """get_shipments / get_invoice of a source whose answers read through one mapping
    template: `TrackSettings` plus that template. A subclass names the template (`TEMPLATE`,
    `PURPOSE` for the missing-field error) and its defaults (`base_template`)."""

    KEYS: ClassVar[tuple[str, ...]] = (*TrackSettings.KEYS, "mapping_template")
    TEMPLATE: ClassVar[TemplateSpec]
    PURPOSE: ClassVar[str]

    track: TrackSettings
    template: Template

    @classmethod
    def base_template(cls) -> Template:
        """The template's defaults, under the operator's rules."""
        raise NotImplementedError(cls.__name__)

    @classmethod
    def parse(
        cls,
        raw: Mapping[str, Any],
        *,
        integration: str,
        kind: str,
        templates: TemplateLookup,
    ) -> Self:
        """Validated settings of `kind`."""
        r = SettingsReader(raw, kind_style(kind))
        template = r.template(
            cls.TEMPLATE, base=cls.base_template(), purpose=cls.PURPOSE, templates=templates
        )
        track = TrackSettings.parse(raw, integration=integration, kind=kind, templates=templates)
        return cls(track=track, template=template)


@dataclass
class PoShipments:
    """What the supplier shipped under one PO; records it could not read are failures."""

    shipments: list[ShipmentIn] = field(default_factory=list)
    failures: list[RecordError] = field(default_factory=list)
    cancelled: bool = False  # the supplier cancelled everything still open


class SupplierInvoice(Protocol):
    """One invoice as the supplier reports it (its number is `external_id`)."""

    @property
    def external_id(self) -> str: ...
    @property
    def total(self) -> Decimal | None: ...
    @property
    def issued_at(self) -> datetime | None: ...
    @property
    def data(self) -> dict[str, Any]: ...


def tracked_requests(
    ctx: RunContext,
    statuses: Sequence[str],
    within_days: int | None,
    updated_within_days: int | None = None,
) -> list[tuple[int, str]]:
    """(request id, PO number) of this source's requests to follow up, oldest first: sent
    in the last `within_days`, and updated in the last `updated_within_days` when given."""
    now = datetime.now(UTC)
    since = now - timedelta(days=within_days) if within_days else None
    updated = now - timedelta(days=updated_within_days) if updated_within_days else None
    with ctx.db.read() as session:
        return fulfillment.requests_to_track(
            session, ctx.owner_id, statuses=statuses, since=since, updated_since=updated
        )


def _not_found(ctx: RunContext, supplier: str, po_number: str) -> None:
    ctx.record_error(f"PO {po_number}", f"{supplier} has no such PO; check it at {supplier}")


async def track_shipments(
    ctx: RunContext,
    supplier: str,
    requests: Sequence[tuple[int, str]],
    shipments_of: Callable[[str], Awaitable[PoShipments | None]],
) -> None:
    """Record each request's shipments (idempotent); counts `shipments_created`."""
    for n, (request_id, po_number) in enumerate(requests, 1):
        ctx.progress(n - 1, len(requests))
        found = await shipments_of(po_number)
        if found is None:
            _not_found(ctx, supplier, po_number)
            continue
        for failure in found.failures:
            ctx.record_failure(failure)
        created = await ctx.write(
            fulfillment.record_shipments, request_id, found.shipments, cancelled=found.cancelled
        )
        if created:
            ctx.count("shipments_created", created)
    ctx.progress(len(requests), len(requests))


async def track_invoices(
    ctx: RunContext,
    supplier: str,
    requests: Sequence[tuple[int, str]],
    invoices_of: Callable[[str], Awaitable[Sequence[SupplierInvoice] | None]],
) -> None:
    """Record each request's invoices (upserted by number); counts `invoices`."""
    for n, (request_id, po_number) in enumerate(requests, 1):
        ctx.progress(n - 1, len(requests))
        found = await invoices_of(po_number)
        if found is None:
            _not_found(ctx, supplier, po_number)
            continue
        rows = [
            {
                "request_id": request_id,
                "external_id": inv.external_id,
                "number": inv.external_id,
                "total": inv.total,
                "issued_at": inv.issued_at,
                "data": inv.data,
            }
            for inv in found
        ]
        if rows:
            await ctx.write(fulfillment.record_invoices, ctx.owner_id, rows)
            ctx.count("invoices", len(rows))
    ctx.progress(len(requests), len(requests))
