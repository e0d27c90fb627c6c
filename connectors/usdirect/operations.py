"""The US Direct integration kinds: get_inventory, send_orders, get_shipments, get_invoice.

What is US Direct here: the client, its mapping and reading its feed. The steps around
them are the shared source flows (`connectors.flows`): the feed is downloaded whole and
checked complete by `connectors.feeds` (a feed cut short changes nothing), then read into
the inventory flow (constant memory, one write per batch);
`send_orders` runs the supplier order flow with `UsDirectSupplier` (claim before any HTTP,
look the PO up, place, mark: never a second order); shipments and invoices are followed up
per PO. Settings are parsed once per run by `connectors.usdirect.settings`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

from store.commands.fulfillment import RequestSnapshot, ShipmentIn
from store.commands.inventory import InventoryWriter
from store.queries.runs import last_import_started

from ..auth import HeaderTokenAuth
from ..context import RunContext
from ..errors import AuthError, FatalError, MappingError, RecordError
from ..feeds import BadRow, Record, downloaded_feed, feed_records
from ..flows.inventory import MappedPage, import_inventory
from ..flows.supplier_orders import FoundOrder, OrderContents, send_requests
from ..flows.supplier_tracking import (
    PoShipments,
    track_invoices,
    track_shipments,
    tracked_requests,
)
from ..registry import operation
from ..settings import stored_templates
from . import mapping as m
from .client import HTTP_SETTINGS, UsDirectClient, UsDirectRejected
from .settings import InventorySettings, InvoiceSettings, SendSettings, ShipmentSettings

NAME = "US Direct"

T = TypeVar("T", InventorySettings, SendSettings, ShipmentSettings, InvoiceSettings)


def _secret(ctx: RunContext, field: str, what: str) -> str:
    value = (ctx.secrets.get(field) or "").strip()
    if not value:
        owner = ctx.connection.name if ctx.connection else ctx.owner.name
        raise FatalError(f"{owner} has no {field}; add the US Direct {what} to the connection")
    return value


def usdirect_client(ctx: RunContext, *, invoices: bool = False) -> UsDirectClient:
    """The connection's client (`X-API-TOKEN`); with the Reseller Token for invoices."""
    token = _secret(ctx, "api_token", "API Token")
    reseller = _secret(ctx, "reseller_token", "Reseller Token") if invoices else ""
    http = ctx.http_client(auth=HeaderTokenAuth("X-API-TOKEN", token), settings=HTTP_SETTINGS)
    return UsDirectClient(http, reseller)


# -- get_inventory -----------------------------------------------------------------------------


def inventory_writer(ctx: RunContext, cfg: InventorySettings) -> InventoryWriter:
    """The store writer the guide's switches ask for (Sync Inventory creates new items)."""
    columns: list[str] = []
    if cfg.sync_inventory:
        columns += ["master_sku", "parent_sku", "title"]
    if cfg.sync_pricing:
        columns.append("cost")
    if cfg.sync_quantity:
        columns += ["quantity", "stock_status"]
    return InventoryWriter(ctx.db, ctx.owner_id, columns=columns, create=cfg.sync_inventory)


def page_mapper(how: m.InventoryMapping) -> Callable[[list[Record]], MappedPage]:
    """Maps a batch of feed records to rows; a broken record is a failure, the run goes on."""

    def map_page(records: list[Record]) -> MappedPage:
        page = MappedPage()
        for record in records:
            if isinstance(record, BadRow):
                page.failures.append(
                    RecordError(f"US Direct feed line {record.line}", record.reason)
                )
                continue
            try:
                page.rows.append(m.record_to_row(record, how))
            except MappingError as exc:
                page.failures.append(exc)
        return page

    return map_page


def _feed_url(ctx: RunContext, cfg: InventorySettings) -> str:
    if cfg.feed == "secondary":
        return _secret(ctx, "secondary_feed_url", "secondary Feed URL (Get Inventory Secondary)")
    return _secret(ctx, "feed_url", "Feed URL")


def _last_modified(response: Any) -> datetime | None:
    raw = response.headers.get("last-modified")
    try:
        return parsedate_to_datetime(raw) if raw else None
    except (TypeError, ValueError):
        return None


@operation("usdirect", "get_inventory")
async def get_inventory(ctx: RunContext) -> None:
    """Import the US Direct feed (primary or secondary) as inventory, streamed in batches.

    An unchanged feed (304 to If-Modified-Since the last import) imports nothing and says
    so; a feed older than `feed_max_age_hours` is imported and reported late.
    """
    cfg = InventorySettings.parse(
        ctx.settings,
        integration=ctx.integration.name,
        kind=ctx.kind,
        templates=stored_templates(ctx.db),
    )
    client = usdirect_client(ctx)
    url = _feed_url(ctx, cfg)
    with ctx.db.read() as session:
        since = last_import_started(session, ctx.integration.id or 0)
    now = datetime.now(UTC)
    how = m.InventoryMapping(
        source_id=ctx.owner_id,
        sku_prefix=getattr(ctx.owner, "sku_prefix", "") or "",
        template=cfg.template,
        now=now,
    )
    async with client.feed(url, modified_since=since) as response:
        modified = _last_modified(response)
        if response.status_code == 304:
            when = f" (last updated {modified:%Y-%m-%d %H:%M} UTC)" if modified else ""
            ctx.log.info(
                "feed.unchanged",
                message=f"the US Direct {cfg.feed} feed is unchanged since the last import"
                f"{when}; nothing to import",
            )
            ctx.count("feed_unchanged")
            return
        if modified is not None:
            age = (now - modified).total_seconds() / 3600
            if age > cfg.feed_max_age_hours:
                ctx.record_error(
                    f"US Direct {cfg.feed} feed",
                    f"the feed is late: last updated {modified:%Y-%m-%d %H:%M} UTC, "
                    f"{age:.0f} hours ago (over feed_max_age_hours {cfg.feed_max_age_hours}); "
                    "check for any delays in the US Direct feed",
                )

        # The whole feed first, checked complete: a feed cut short changes nothing.
        async with downloaded_feed(response, f"the US Direct {cfg.feed} feed") as feed:

            async def batches() -> AsyncIterator[list[Record]]:
                batch: list[Record] = []
                async for records in feed_records(feed):
                    batch.extend(records)
                    if len(batch) >= cfg.batch_size:
                        yield batch
                        batch = []
                if batch:
                    yield batch

            writer = inventory_writer(ctx, cfg)
            done = await import_inventory(ctx, batches(), page_mapper(how), writer)
    ctx.count("requests", client.requests)
    ctx.progress(done, done)


# -- send_orders -------------------------------------------------------------------------------


class UsDirectSupplier:
    """US Direct as a `Supplier`: one POST /orders per PO, looked up by PO first."""

    name = NAME
    po_max_length = 50  # assumed: no US Direct limit is public

    def __init__(self, client: UsDirectClient, cfg: SendSettings) -> None:
        self.client = client
        self.cfg = cfg

    def plan(self, request: RequestSnapshot) -> m.OrderPlan:
        """The order for `request` (`MappingError` names the missing field or bad code)."""
        return m.order_plan(
            self.cfg.template,
            po_number=request.po_number,
            shipping_method=request.shipping_method,
            order=request.order,
            address=request.shipping_address,
            lines=request.lines,
        )

    def contents(self, plan: m.OrderPlan) -> OrderContents:
        """The items and ship-to as US Direct keeps them on the PO."""
        return _contents(plan.body)

    async def find_order(self, po_number: str) -> FoundOrder | None:
        """US Direct's order under `po_number` (a cancelled one counts), or None."""
        found = await self.client.get_order(po_number)
        if found is None:
            return None
        return FoundOrder(number=str(found.get("order_id") or po_number), contents=_contents(found))

    async def place(self, plan: m.OrderPlan) -> str:
        """POST the order; its US Direct order id."""
        return await self.client.create_order(plan.body)

    def rejection(self, exc: FatalError) -> str | None:
        """US Direct's own words when it refused the order."""
        return exc.reason if isinstance(exc, UsDirectRejected) else None

    def duplicate_po(self, exc: FatalError) -> bool:
        """US Direct says the PO number is taken."""
        return isinstance(exc, UsDirectRejected) and exc.duplicate_po


def _contents(order: Mapping[str, Any]) -> OrderContents:
    """(sku, quantity) and name/address1/city/state/zip of an order body or a PO."""
    lines: list[tuple[str, int]] = []
    for item in order.get("items") or []:
        try:
            lines.append((str(item["sku"]), int(item["quantity"])))
        except (KeyError, TypeError, ValueError):
            lines.append(("", -1))  # never matches a real line
    raw = order.get("ship_to")
    ship_to: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    keys = ("name", "address1", "city", "state", "zip")
    return OrderContents(lines=lines, ship_to={k: str(ship_to.get(k) or "") for k in keys})


@operation("usdirect", "send_orders")
async def send_orders(ctx: RunContext) -> None:
    """Send this source's pending (auto-process or resubmitted) requests as US Direct orders."""
    cfg = SendSettings.parse(
        ctx.settings,
        integration=ctx.integration.name,
        kind="send_orders",
        templates=stored_templates(ctx.db),
    )
    await send_requests(ctx, UsDirectSupplier(usdirect_client(ctx), cfg))


# -- get_shipments / get_invoice ----------------------------------------------------------------


def _parse(ctx: RunContext, settings: type[T]) -> T:
    return settings.parse(
        ctx.settings,
        integration=ctx.integration.name,
        kind=ctx.kind,
        templates=stored_templates(ctx.db),
    )


@operation("usdirect", "get_shipments")
async def get_shipments(ctx: RunContext) -> None:
    """Record tracking (number, status, shipping date, items) for sent requests; partial
    shipments count; a voided shipment is left out."""
    cfg = _parse(ctx, ShipmentSettings)
    client = usdirect_client(ctx)
    requests = tracked_requests(ctx, cfg.track.statuses, cfg.track.within_days)

    async def shipments_of(po_number: str) -> PoShipments | None:
        order = await client.get_order(po_number)
        if order is None:
            return None
        out = PoShipments(cancelled=order.get("status") == "cancelled")
        for record in await client.shipments(po_number):
            if isinstance(record, dict) and record.get("voided"):
                continue
            try:
                s = m.shipment_of(record, po_number, cfg.template)
            except MappingError as exc:
                out.failures.append(exc)
                continue
            out.shipments.append(
                ShipmentIn(
                    external_id=s.external_id,
                    tracking_number=s.tracking_number,
                    carrier=s.carrier,
                    service=s.service,
                    shipped_at=s.shipped_at,
                    lines=s.lines,
                    status=s.status or None,
                )
            )
        return out

    await track_shipments(ctx, NAME, requests, shipments_of)


@operation("usdirect", "get_invoice")
async def get_invoice(ctx: RunContext) -> None:
    """Record invoice number, total and channel order number per PO (Reseller Token)."""
    cfg = _parse(ctx, InvoiceSettings)
    client = usdirect_client(ctx, invoices=True)
    requests = tracked_requests(ctx, cfg.track.statuses, cfg.track.within_days)

    async def invoices_of(po_number: str) -> list[m.InvoiceRecord] | None:
        try:
            body = await client.invoice(po_number)
        except AuthError as exc:
            raise AuthError(
                f"{exc}. Invoices not pulling: confirm the Reseller Token (on the US Direct "
                "connection card) is configured and current",
                status=exc.status,
            ) from None
        if body is None:
            return []  # not invoiced yet (US Direct invoices once shipped)
        try:
            return [m.invoice_of(body, po_number, cfg.template)]
        except MappingError as exc:
            hint = (
                ""
                if "Invoices not pulling" in exc.reason
                else ". Invoice data not mapping: open the Source Invoice mapping template "
                "(get_invoice setting mapping_template) and confirm the invoice fields are "
                "mapped to the right fields"
            )
            ctx.record_failure(MappingError(exc.record_ref, exc.reason + hint))
            return []

    await track_invoices(ctx, NAME, requests, invoices_of)
