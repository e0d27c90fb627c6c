"""sync_listings ("Sync & Link Listings"): link on SKU, then write what changed, by SKU.

Linking looks up only what may have changed since the last good run (`linking`). The sync
sends only variants whose price or effective quantity differ from what Magento last
accepted, or that have a pending hide/unhide/delist, or whose Special Price, Visibility or
"Maximum Qty Allowed in Shopping Cart" differ from what Magento has (`listing_fields`),
and only the "Fields to Sync". Magento's PUT is an upsert (a PUT to a SKU it does not have
creates a product), so each chunk of 100 SKUs is looked up first (`sku in (...)`, one
request): a SKU Magento no longer has becomes a broken link instead of a new product. A
400 marks the listing as needing attention with Magento's own message. Writes are per-SKU
PUTs, `concurrency` at a time, or with `use_bulk` one asynchronous bulk request per chunk
(`PUT /async/bulk/V1/products/bySku`, answered 202), whose operation statuses are then
read (1 complete; 2, 3, 5 failed with Magento's message; 4 still open: sent again next
sync).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

from store.commands.listing_fields import FieldChange, field_changes
from store.commands.listing_sync import Outcomes, SyncItem, prepare_sync, record_outcomes

from ..context import RunContext
from ..errors import FatalError
from .client import MagentoClient, error_message
from .linking import link_on_sku
from .operations_listings import MagentoCatalogue
from .operations_orders import magento_client
from .settings import EMPTY, FIELD_SETTINGS, ImportSettings, ListingSyncSettings

CHUNK = 100  # SKUs per existence lookup; also how often outcomes are written
GONE = "the product no longer exists on Magento; unlink and relink it, or publish it again"
DISABLED = 2  # Magento's status "Disabled": a delisted product stays, off the storefront
COMPLETE, OPEN = 1, 4  # bulk operation statuses (2, 3, 5: failed or rejected)
BULK_POLLS = 8


def product_update(
    item: SyncItem, fields: Sequence[str], values: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The PUT body's product for one changed variant, limited to the "Fields to Sync";
    `values` are its changed Special Price / Visibility / Maximum Qty Allowed in Shopping
    Cart (`listing_fields`)."""
    product: dict[str, Any] = {"sku": item.sku}
    if item.delist:
        product["status"] = DISABLED
        return product
    values = values or {}
    if "price" in fields and item.price is not None:
        product["price"] = float(item.price)
    stock: dict[str, Any] = {}
    if "quantity" in fields:
        stock["qty"] = item.quantity
    if "in_stock" in fields or "quantity" in fields:
        stock["is_in_stock"] = item.quantity > 0  # sent with qty (magento2 #5696)
    if "max_sale_qty" in values:
        stock["max_sale_qty"] = values["max_sale_qty"]
        stock["use_config_max_sale_qty"] = False  # else the store-wide limit applies
    if stock:
        product["extension_attributes"] = {"stock_item": stock}
    if "status" in fields:
        product["status"] = 1
    if "visibility" in values:
        product["visibility"] = int(values["visibility"])
    if "special_price" in values:
        special = values["special_price"]
        # Set To Empty sends "", which Magento stores as no special price.
        value: Any = EMPTY if special == EMPTY else float(special)
        product["custom_attributes"] = [{"attribute_code": "special_price", "value": value}]
    return product


async def _sync_chunk(
    client: MagentoClient,
    items: Sequence[SyncItem],
    settings: ListingSyncSettings,
    values: Mapping[int, dict[str, Any]],
    out: Outcomes,
) -> None:
    found = {str(p.get("sku")) for p in await client.products_by_sku(i.sku for i in items)}
    if settings.use_bulk:
        await _bulk_chunk(client, items, found, settings, values, out)
        return
    sem = asyncio.Semaphore(settings.concurrency)

    async def one(item: SyncItem) -> None:
        if item.sku not in found:
            _missing(item, out)
            return
        async with sem:
            try:
                await client.save_product(
                    item.sku,
                    product_update(item, settings.fields, values.get(item.id)),
                    create=False,
                )
            except FatalError as exc:
                if exc.pauses_integration:
                    raise
                if exc.status == 404:
                    out.broken[item.id] = GONE
                else:
                    out.failed[item.id] = f"Magento refused it: {error_message(exc)}"
                return
        _accepted(item, values, out)

    await asyncio.gather(*(one(i) for i in items))


def _accepted(item: SyncItem, values: Mapping[int, dict[str, Any]], out: Outcomes) -> None:
    if item.delist:
        out.delisted.append(item.id)
        return
    out.synced[item.id] = (item.price, item.quantity)
    if values.get(item.id):
        out.fields_synced[item.id] = values[item.id]


def _missing(item: SyncItem, out: Outcomes) -> None:
    if item.delist:
        out.delisted.append(item.id)  # already gone: the delist is done
    else:
        out.broken[item.id] = GONE


async def _bulk_chunk(
    client: MagentoClient,
    items: Sequence[SyncItem],
    found: set[str],
    settings: ListingSyncSettings,
    values: Mapping[int, dict[str, Any]],
    out: Outcomes,
) -> None:
    """One asynchronous bulk request for the chunk, then its operations' statuses."""
    present = []
    for item in items:
        if item.sku in found:
            present.append(item)
        else:
            _missing(item, out)
    if not present:
        return
    accepted = await client.bulk_update(
        [product_update(i, settings.fields, values.get(i.id)) for i in present]
    )
    uuid = str(accepted.get("bulk_uuid") or "")
    statuses: dict[int, dict[str, Any]] = {}
    for attempt in range(BULK_POLLS):
        answer = await client.bulk_status(uuid)
        statuses = {int(o.get("id", -1)): o for o in answer.get("operations_list") or []}
        if len(statuses) >= len(present) and all(
            o.get("status") != OPEN for o in statuses.values()
        ):
            break
        await asyncio.sleep(min(5.0, 0.5 * 2**attempt))
    for n, item in enumerate(present):
        op = statuses.get(n) or {}
        if op.get("status") == COMPLETE:
            _accepted(item, values, out)
        elif op.get("status") in (None, OPEN):
            out.failed[item.id] = (
                "queued on Magento, not applied yet (is the async.operations.all consumer "
                "running?); the next sync sends it again"
            )
        else:
            words = op.get("result_message") or f"bulk operation status {op.get('status')}"
            out.failed[item.id] = f"Magento refused it: {words}"


def _report(ctx: RunContext, out: Outcomes, skus: dict[int, str]) -> None:
    if out.synced:
        ctx.count("variants_updated", len(out.synced))
    if out.delisted:
        ctx.count("delisted", len(out.delisted))
    if out.broken:
        ctx.count("broken_links", len(out.broken))
    for vid, why in {**out.broken, **out.failed}.items():
        ctx.record_error(skus.get(vid, str(vid)), why)


async def sync_listings(ctx: RunContext) -> None:
    """Link the store's products on SKU, then push what changed ("Fields to Sync")."""
    settings = ListingSyncSettings.parse(ctx.settings, ctx.integration.name)
    client = magento_client(ctx, settings.common)
    media_url = ctx.base_url.rstrip("/") + "/media/catalog/product"
    catalogue_settings = ImportSettings.parse(
        {"page_size": settings.common.page_size}, ctx.integration.name
    )
    how = await link_on_sku(ctx, client, MagentoCatalogue(client, catalogue_settings, media_url))
    ctx.note(f"linked on SKU: {how}, {client.requests} request(s)")
    reads = client.requests
    items = await ctx.write(prepare_sync, ctx.owner_id, settings.rule)
    extra = [f for f in settings.fields if f in FIELD_SETTINGS]
    changes = await ctx.write(field_changes, ctx.owner_id, extra, settings.constants)
    items, values = _merge(items, changes)
    skus = {i.id: i.sku for i in items}
    for start in range(0, len(items), CHUNK):
        out = Outcomes()
        try:
            await _sync_chunk(client, items[start : start + CHUNK], settings, values, out)
        finally:
            # What Magento accepted is recorded even when a later chunk fails the run.
            await ctx.write(record_outcomes, out)
            _report(ctx, out, skus)
        ctx.progress(min(start + CHUNK, len(items)), len(items))
    ctx.count("link_requests", reads)
    ctx.count("sync_requests", client.requests - reads)


def _merge(
    items: list[SyncItem], changes: list[FieldChange]
) -> tuple[list[SyncItem], dict[int, dict[str, Any]]]:
    """The price/stock work plus variants whose other fields changed, by id, and those
    fields' values by variant id (one PUT carries both)."""
    values = {c.id: c.values for c in changes}
    have = {i.id for i in items}
    extra = [
        SyncItem(
            id=c.id,
            sku=c.sku,
            external_id=c.external_id,
            parent_external_id=c.parent_external_id,
            price=c.price,
            quantity=c.quantity,
            listing_id=c.listing_id,
        )
        for c in changes
        if c.id not in have
    ]
    merged = sorted([*items, *extra], key=lambda i: i.id)
    return merged, {i.id: values[i.id] for i in merged if i.id in values and not i.delist}
