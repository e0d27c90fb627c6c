"""The WPS integration kinds: get_inventory, get_pqs, send_orders, get_shipments, get_invoice.

What is WPS here: the client, its mapping and how a WPS order is placed (a cart per PO,
its items, then the order). The steps around them are the shared source flows
(`connectors.flows`): the inventory import writes through `store.commands.inventory`;
`send_orders` runs the supplier order flow (claim before any HTTP, look the PO up, place,
mark: never a second order) with `WpsSupplier`; shipments and invoices are followed up per
PO. Settings are parsed once per run by `connectors.wps.settings` (docs/wps.md).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing
from datetime import UTC, datetime, timedelta
from typing import Any

from store.commands.fulfillment import RequestSnapshot, ShipmentIn
from store.commands.inventory import InventoryWriter
from store.db import Database

from ..auth import BearerAuth
from ..context import RunContext
from ..errors import FatalError, MappingError
from ..flows.inventory import MappedPage, import_inventory
from ..flows.supplier_orders import FoundOrder, OrderContents, send_requests
from ..flows.supplier_tracking import (
    PoShipments,
    track_invoices,
    track_shipments,
    tracked_requests,
)
from ..mapping import RuleKind
from ..registry import operation
from ..settings import stored_templates
from . import mapping as m
from . import parents
from . import targets as t
from .client import HTTP_SETTINGS, MAX_PAGE_SIZE, WpsClient, WpsRejected
from .settings import InventorySettings, SendSettings, ShipmentSettings, TrackSettings

# -- shared -------------------------------------------------------------------------------------


def wps_client(ctx: RunContext) -> WpsClient:
    """The connection's client with its bearer token (stripped: a pasted newline breaks it)."""
    token = ctx.secrets.get("api_token")
    if not token or not token.strip():
        raise FatalError(
            f"{ctx.connection.name if ctx.connection else ctx.owner.name} has no api_token; "
            "add the WPS API token to the connection"
        )
    return WpsClient(ctx.http_client(auth=BearerAuth(token.strip()), settings=HTTP_SETTINGS))


# -- get_inventory / get_pqs ---------------------------------------------------------------------


def page_mapper(
    how: m.InventoryMapping, cfg: InventorySettings
) -> Callable[[list[Any]], MappedPage]:
    """Maps a page of WPS items to inventory rows (variants left out unless included)."""
    pqs_only = cfg.pqs_focus
    skip_variants = not pqs_only and not cfg.include_variants
    item_to_row = m.item_to_row

    def map_page(items: list[Any]) -> MappedPage:
        page = MappedPage()
        rows = page.rows
        for item in items:
            try:
                row = item_to_row(item, how, pqs_only=pqs_only)
            except MappingError as exc:
                page.failures.append(exc)
                continue
            if skip_variants and row["parent_sku"] != row["sku"]:
                page.skipped += 1
                continue
            rows.append(row)
        return page

    return map_page


def inventory_writer(
    db: Database, how: m.InventoryMapping, cfg: InventorySettings
) -> InventoryWriter:
    """The store writer for this run: full rows, or price and quantity of known SKUs only.

    Columns whose every field the template disables are left as they are in the store.
    """
    owned = t.owned_columns(cfg.template, pqs_only=cfg.pqs_focus)
    mapped = {target.column for target in t.TARGETS}
    every: tuple[str, ...] = m.PQS_COLUMNS if cfg.pqs_focus else m.INVENTORY_COLUMNS
    columns = tuple(c for c in every if c not in mapped or c in owned)
    return InventoryWriter(db, how.source_id, columns=columns, create=not cfg.pqs_focus)


async def product_parents(client: WpsClient) -> dict[int, str]:
    """product id → its variants' parent SKU, from every item's SKU (a light walk first)."""
    products: dict[int, list[str]] = {}
    async with aclosing(
        client.iter_items(size=MAX_PAGE_SIZE, fields=("id", "product_id", "sku"))
    ) as walk:
        async for page in walk:
            for product_id, skus in parents.product_skus(page.items).items():
                products.setdefault(product_id, []).extend(skus)
    return parents.parent_skus(products)


async def import_items(ctx: RunContext, kind: str) -> None:
    """Page through WPS items and upsert them, one write per page, overlapping the fetch."""
    cfg = InventorySettings.parse(
        ctx.settings,
        integration=ctx.integration.name,
        kind=kind,
        templates=stored_templates(ctx.db),
    )
    client = wps_client(ctx)
    # A price & quantity run tells variants apart only when the template maps them apart.
    variants_apart = not cfg.pqs_focus or any(k in cfg.template.rules for k in t.VARIANT_KEYS)
    keys = await client.attribute_keys() if variants_apart else {}
    walk_parents = not cfg.pqs_focus and cfg.include_variants
    how = m.InventoryMapping(
        source_id=ctx.owner_id,
        sku_prefix=getattr(ctx.owner, "sku_prefix", "") or "",
        warehouses=cfg.warehouses,
        attribute_keys=keys,
        template=cfg.template,
        parents=await product_parents(client) if walk_parents else {},
    )
    filters = {}
    if cfg.modified_within_days:
        since = datetime.now(UTC) - timedelta(days=cfg.modified_within_days)
        filters["filter[updated_at][gt]"] = since.strftime("%Y-%m-%d %H:%M:%S")
    fields = set(m.PQS_ITEM_FIELDS if cfg.pqs_focus else m.ITEM_FIELDS)
    # A custom template may read other item fields; ask for those too.
    fields.update(
        rule.arg.split(".")[0]
        for key, rule in cfg.template.rules.items()
        if rule.kind is RuleKind.FIELD and (not cfg.pqs_focus or t.BY_KEY[key].pqs)
    )
    fields -= t.COMPUTED
    include = ("inventory", "attributevalues") if variants_apart else ("inventory",)

    async def pages() -> AsyncGenerator[list[Any], None]:
        # One page fetched ahead: the request for the next page is already out while a page
        # is written (waiting for a slow write first left WPS idle for that long).
        async with aclosing(
            client.iter_items(
                size=cfg.page_size, include=include, fields=sorted(fields), filters=filters, ahead=1
            )
        ) as walk:
            async for page in walk:
                yield page.items

    writer = inventory_writer(ctx.db, how, cfg)
    async with aclosing(pages()) as items:
        done = await import_inventory(ctx, items, page_mapper(how, cfg), writer)
    ctx.count("requests", client.requests)
    ctx.progress(done, done)


@operation("wps", "get_inventory")
async def get_inventory(ctx: RunContext) -> None:
    """Import WPS items as inventory (all fields, or only price & quantity with pqs_focus)."""
    await import_items(ctx, "get_inventory")


@operation("wps", "get_pqs")
async def get_pqs(ctx: RunContext) -> None:
    """Update price and quantity of imported WPS items (its own schedule, smaller pages)."""
    await import_items(ctx, "get_pqs")


# -- send_orders -------------------------------------------------------------------------------


class WpsSupplier:
    """WPS as a `Supplier`: a cart per PO, its items, then the order."""

    name = "WPS"
    po_max_length = m.PO_MAX_LENGTH

    def __init__(self, client: WpsClient, cfg: SendSettings) -> None:
        self.client = client
        self.cfg = cfg

    def plan(self, request: RequestSnapshot) -> m.CartPlan:
        """The cart for `request` (`MappingError` names what is missing or unsupported)."""
        cfg = self.cfg
        return m.cart_plan(
            cfg.template,
            po_number=request.po_number,
            ship_via=request.shipping_method,
            order=request.order,
            address=request.shipping_address,
            lines=request.lines,
            options={
                "default_warehouse": cfg.default_warehouse,
                "multiple_warehouse": cfg.multiple_warehouse,
                "allow_backorder": cfg.allow_backorder,
                "hold_order": m.ORDER_STATUSES[cfg.order_status],
            },
        )

    def contents(self, plan: m.CartPlan) -> OrderContents:
        """The cart's lines and ship-to, as WPS keeps them on the PO."""
        return OrderContents(lines=plan.lines, ship_to=m.cart_ship_to(plan.body))

    async def find_order(self, po_number: str) -> FoundOrder | None:
        """The PO at WPS: its order numbers (comma-separated) and contents, or None."""
        found = await self.client.get_order(po_number)
        if found is None:
            return None
        return FoundOrder(
            number=",".join(m.order_numbers(found)),
            contents=OrderContents(lines=m.po_lines(found), ship_to=m.po_ship_to(found)),
        )

    async def place(self, plan: m.CartPlan) -> str:
        """Cart → items → order. A PO WPS already has is returned, never placed twice."""
        client = self.client
        try:
            await client.create_cart(plan.body)
        except WpsRejected as exc:
            if not exc.duplicate_po or await self.client.get_order(plan.po_number) is not None:
                raise  # an order under this PO: the flow compares it with ours
            # A cart left open by an interrupted send: never submitted, so start it afresh.
            await client.delete_cart(plan.po_number)
            await client.create_cart(plan.body)
        try:
            for n, (sku, quantity) in enumerate(plan.lines):
                extra = plan.extras[n] if n < len(plan.extras) else None
                await client.add_cart_item(plan.po_number, sku, quantity, extra)
        except WpsRejected:
            await client.delete_cart(plan.po_number)  # leave no half-built cart behind
            raise
        return await client.submit_order(plan.po_number)

    def rejection(self, exc: FatalError) -> str | None:
        """WPS's own message when it refused the request."""
        return exc.reason if isinstance(exc, WpsRejected) else None

    def duplicate_po(self, exc: FatalError) -> bool:
        """WPS says the PO number is taken (by an order, or a cart left open)."""
        return isinstance(exc, WpsRejected) and exc.duplicate_po


@operation("wps", "send_orders")
async def send_orders(ctx: RunContext) -> None:
    """Send this source's pending (auto-process or resubmitted) requests as WPS orders."""
    cfg = SendSettings.parse(
        ctx.settings,
        integration=ctx.integration.name,
        kind="send_orders",
        templates=stored_templates(ctx.db),
    )
    await send_requests(ctx, WpsSupplier(wps_client(ctx), cfg))


# -- get_shipments / get_invoice ----------------------------------------------------------------


def _track_settings(ctx: RunContext) -> TrackSettings:
    return TrackSettings.parse(
        ctx.settings,
        integration=ctx.integration.name,
        kind=ctx.kind,
        templates=stored_templates(ctx.db),
    )


@operation("wps", "get_shipments")
async def get_shipments(ctx: RunContext) -> None:
    """Record tracking for this source's sent requests (partial shipments included)."""
    cfg = ShipmentSettings.parse(
        ctx.settings,
        integration=ctx.integration.name,
        kind=ctx.kind,
        templates=stored_templates(ctx.db),
    )
    client = wps_client(ctx)
    requests = tracked_requests(
        ctx, cfg.track.statuses, cfg.track.within_days, cfg.updated_within_days
    )
    now = datetime.now(UTC)

    async def shipments_of(po_number: str) -> PoShipments | None:
        found = await client.get_order(po_number)
        if found is None:
            return None
        out = PoShipments(cancelled=m.all_cancelled(found))
        for record in m.shipments_of(found, now=now, template=cfg.template):
            if isinstance(record, MappingError):
                out.failures.append(record)
                continue
            if record.filter_status not in cfg.status_filter:
                continue  # the Shipment Status Filter: a later run records it
            out.shipments.append(
                ShipmentIn(
                    external_id=record.external_id,
                    tracking_number=record.tracking_number,
                    carrier=record.carrier,
                    service=record.service,
                    shipped_at=record.shipped_at,
                    lines=record.lines,
                    status=record.status,
                    estimated_delivery=record.estimated_delivery,
                    notes=record.notes,
                    ship_to=record.ship_to,
                    line_names=record.line_names,
                )
            )
        return out

    await track_shipments(ctx, "WPS", requests, shipments_of)


@operation("wps", "get_invoice")
async def get_invoice(ctx: RunContext) -> None:
    """Record WPS invoice numbers and totals for this source's requests."""
    cfg = _track_settings(ctx)
    client = wps_client(ctx)
    requests = tracked_requests(ctx, cfg.statuses, cfg.within_days)

    async def invoices_of(po_number: str) -> list[m.InvoiceRecord] | None:
        found = await client.get_order(po_number)
        return None if found is None else m.invoices_of(found)

    await track_invoices(ctx, "WPS", requests, invoices_of)
