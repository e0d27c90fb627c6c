"""sync_listings and publish_listings: push prices, stock, pending actions and new products.

Writes go through the batch endpoints, 100 items a request: simple products share
`/products/batch`; variations can only be batched per parent
(`/products/{id}/variations/batch`; WooCommerce has no cross-product variation batch, see
woocommerce/woocommerce#29341 and #31282), so a sync sends at least one request per
parent with a changed variation.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from store.commands.listing_publish import PublishParent, PublishVariant, publish_work
from store.commands.listing_sync import (
    LinkedVariant,
    Outcomes,
    SyncItem,
    linked_variants,
    prepare_sync,
    record_outcomes,
)

from ..context import RunContext
from ..errors import FatalError
from . import mapping
from .client import BATCH_LIMIT, BatchResult, WooClient, is_not_found
from .operations_channel import woo_client
from .settings import listing_rule

# Batches in flight at once; a WooCommerce host has a handful of PHP workers.
CONCURRENCY = 4
# Batches whose outcomes are written to the store together.
WAVE = 16
GONE = (
    "the product no longer exists on the store; unlink it and run link_listings to relink "
    "it, or publish it to create it anew"
)


def _chunks(items: Sequence[Any], size: int = BATCH_LIMIT) -> list[Sequence[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _error_text(error: dict[str, Any]) -> str:
    return f"WooCommerce refused it: {error.get('message') or error.get('code')}"


def _gone_request(exc: FatalError) -> bool:
    return exc.status in (400, 404) and "invalid_id" in exc.message


# --- the existence check --------------------------------------------------------------------


def _product_id(v: LinkedVariant) -> int:
    return int(v.parent_external_id or v.external_id)


async def _check_chunk(
    client: WooClient, group: Sequence[tuple[int, list[LinkedVariant]]], out: Outcomes
) -> None:
    """One `include=` request for up to 100 products: a product that is not there (deleted
    or trashed) breaks every variant of it; a variation missing from its parent's
    `variations` breaks that variant alone."""
    found = {
        int(p["id"]): {int(x) for x in p.get("variations") or []}
        for p in await client.products_by_id([pid for pid, _ in group])
        if str(p.get("id", "")).isdigit()
    }
    for pid, variants in group:
        children = found.get(pid)
        for v in variants:
            if children is None:
                out.broken[v.id] = GONE
                out.parents_gone.add(v.listing_id)
            elif v.parent_external_id is not None and int(v.external_id) not in children:
                out.broken[v.id] = GONE


async def check_linked_products(ctx: RunContext, client: WooClient) -> None:
    """Every linked product still on the store? One request per 100 products (variations
    come with their parent's `variations` list), never a catalogue walk; the missing ones
    become broken links before anything is sent to them."""
    linked = await ctx.write(linked_variants, ctx.owner_id)
    by_product: dict[int, list[LinkedVariant]] = {}
    for v in linked:
        by_product.setdefault(_product_id(v), []).append(v)
    jobs = _chunks(sorted(by_product.items()))
    skus = {v.id: v.sku for v in linked}
    before = client.requests

    async def run(job: Sequence[tuple[int, list[LinkedVariant]]], out: Outcomes) -> None:
        await _check_chunk(client, job, out)

    await _in_waves(ctx, jobs, skus, run, progress=False)
    # Logged, not counted: a sync that finds nothing to do still says "nothing to do".
    ctx.log.info(
        "sync.linked_checked",
        products=len(by_product),
        variants=len(linked),
        requests=client.requests - before,
    )


# --- sync ------------------------------------------------------------------------------------


async def _delete_parent(
    client: WooClient, parent: str, items: Sequence[SyncItem], out: Outcomes
) -> None:
    """Delist a whole variable product: delete the parent (WooCommerce deletes its
    variations with it), one request."""
    result = await client.batch_products(delete=[int(parent)])
    error = result.errors.get(int(parent))
    if int(parent) in result.ok or (error is not None and is_not_found(error)):
        out.delisted.extend(i.id for i in items)
        out.parents_gone.update(i.listing_id for i in items)
        return
    why = _error_text(error or {"message": "the store's batch answer did not mention it"})
    for item in items:
        out.failed[item.id] = why


async def _sync_batch(
    client: WooClient, parent: str | None, items: Sequence[SyncItem], out: Outcomes
) -> None:
    updates = [
        mapping.stock_update(i.external_id, i.price, i.quantity, hidden=False)
        for i in items
        if not i.delist
    ]
    deletes = [int(i.external_id) for i in items if i.delist]
    try:
        if parent is None:
            result = await client.batch_products(update=updates, delete=deletes)
        else:
            result = await client.batch_variations(int(parent), update=updates, delete=deletes)
    except FatalError as exc:
        if parent is None or not _gone_request(exc):
            raise
        # The parent product itself is gone: every variation under it is a broken link
        # (and a delist of one is already done).
        for item in items:
            if item.delist:
                out.delisted.append(item.id)
            else:
                out.broken[item.id] = GONE
        return
    _apply(result, items, out)


def _apply(result: BatchResult, items: Sequence[SyncItem], out: Outcomes) -> None:
    for item in items:
        external_id = int(item.external_id)
        error = result.errors.get(external_id)
        if external_id in result.ok:
            if item.delist:
                out.delisted.append(item.id)
            else:
                out.synced[item.id] = (item.price, item.quantity)
        elif error is not None and is_not_found(error):
            # Already gone: a delist is done; anything else is a broken link.
            if item.delist:
                out.delisted.append(item.id)
            else:
                out.broken[item.id] = GONE
        elif error is not None:
            out.failed[item.id] = _error_text(error)
        else:
            out.failed[item.id] = "the store's batch answer did not mention it; sync again"


def _report(ctx: RunContext, out: Outcomes, skus: dict[int, str]) -> None:
    created = len(set(out.synced) & set(out.linked))
    if out.parents:
        ctx.count("parents_created", len(out.parents))
    if created:
        ctx.count("variants_created", created)
    if len(out.synced) > created:
        ctx.count("variants_updated", len(out.synced) - created)
    if out.delisted:
        ctx.count("delisted", len(out.delisted))
    for vid, why in {**out.broken, **out.failed}.items():
        ctx.record_error(skus.get(vid, str(vid)), why)
    if out.broken:
        ctx.count("broken_links", len(out.broken))


async def _in_waves(
    ctx: RunContext, jobs: list[Any], skus: dict[int, str], run: Any, *, progress: bool = True
) -> None:
    """Run `run(job, outcomes)` for every job, CONCURRENCY at a time, recording per wave."""
    sem = asyncio.Semaphore(CONCURRENCY)
    done = 0

    async def one(job: Any, out: Outcomes) -> None:
        async with sem:
            await run(job, out)

    for start in range(0, len(jobs), WAVE):
        wave = jobs[start : start + WAVE]
        out = Outcomes()
        try:
            await asyncio.gather(*(one(job, out) for job in wave))
        finally:
            # What the store accepted is recorded even when a later batch fails the run.
            await ctx.write(record_outcomes, out)
            _report(ctx, out, skus)
        done += len(wave)
        if progress:
            ctx.progress(done, len(jobs))


async def sync_listings(ctx: RunContext) -> None:
    """Push changed price and quantity of linked, unpaused listings, and pending
    hide/unhide/delist. First every linked product is checked to still exist (a deleted
    one becomes a broken link, whatever else changed); then only variants whose (price,
    effective quantity) differ from what the store last accepted are sent. Delisting every
    variation of a variable product deletes the parent product too."""
    rule = listing_rule(ctx.settings, ctx.integration.name)
    client = woo_client(ctx)
    await check_linked_products(ctx, client)
    items = await ctx.write(prepare_sync, ctx.owner_id, rule)
    simple = [i for i in items if i.parent_external_id is None]
    by_parent: dict[str, list[SyncItem]] = {}
    for item in items:
        if item.parent_external_id is not None:
            by_parent.setdefault(item.parent_external_id, []).append(item)
    jobs: list[tuple[str, str | None, Sequence[SyncItem]]] = [
        ("sync", None, c) for c in _chunks(simple)
    ]
    for parent, group in by_parent.items():
        if all(i.delist_parent for i in group):
            jobs.append(("delete_parent", parent, group))
        else:
            jobs.extend(("sync", parent, c) for c in _chunks(group))
    skus = {i.id: i.sku for i in items}

    async def run(job: tuple[str, str | None, Sequence[SyncItem]], out: Outcomes) -> None:
        kind, parent, group = job
        if kind == "delete_parent" and parent is not None:
            await _delete_parent(client, parent, group, out)
        else:
            await _sync_batch(client, parent, group, out)

    await _in_waves(ctx, jobs, skus, run)
    ctx.count("write_requests", client.writes)


# --- publish ---------------------------------------------------------------------------------


def _content(parent: PublishParent, variant: PublishVariant | None) -> dict[str, Any]:
    fields = mapping.content_fields(
        title=parent.title if variant is None or parent.simple else variant.title,
        description=parent.description,
        images=parent.images if variant is None or parent.simple else variant.images[:1],
        categories=parent.categories,
        upc=variant.upc if variant else None,
        mpn=variant.mpn if variant else None,
        gtin=variant.gtin if variant else None,
    )
    if variant is not None and not parent.simple:
        # A variation has one image and no name, description or categories of its own.
        images = fields.pop("images")
        for name in ("name", "description", "categories"):
            fields.pop(name)
        if images:
            fields["image"] = images[0]
    return fields


def _stock(v: PublishVariant) -> dict[str, Any]:
    item = mapping.stock_update("0", v.price, v.quantity, hidden=False)
    item.pop("id")
    return item


async def _publish_simple(
    client: WooClient, parents: Sequence[PublishParent], out: Outcomes
) -> None:
    """Create (or overwrite) simple products, up to 100 in one `/products/batch`."""
    creates = [p for p in parents if p.variants[0].create]
    updates = [p for p in parents if not p.variants[0].create]
    create_items = [
        {"sku": p.master_sku, "type": "simple", **_content(p, v), **_stock(v)}
        for p in creates
        for v in p.variants
    ]
    update_items = [
        {
            "id": int(p.variants[0].external_id or 0),
            **_content(p, p.variants[0]),
            **_stock(p.variants[0]),
        }
        for p in updates
    ]
    try:
        result = await client.batch_products(create=create_items, update=update_items)
    except FatalError as exc:
        if exc.pauses_integration:
            raise
        for p in parents:
            out.failed[p.variants[0].id] = f"not published: {exc.message}"
        return
    for parent, created in zip(creates, result.created, strict=False):
        _created(parent, parent.variants[0], created, out)
    _updated(result, [p.variants[0] for p in updates], out)


def _updated(result: BatchResult, variants: Sequence[PublishVariant], out: Outcomes) -> None:
    """What became of each overwritten variant: synced, gone from the store, or failed."""
    for v in variants:
        external_id = int(v.external_id or 0)
        error = result.errors.get(external_id)
        if external_id in result.ok:
            out.synced[v.id] = (v.price, v.quantity)
            out.published.add(v.id)
        elif error is not None and is_not_found(error):
            out.broken[v.id] = GONE
        else:
            out.failed[v.id] = _error_text(error or {"message": "not confirmed"})


def _created(
    parent: PublishParent, v: PublishVariant, created: dict[str, Any], out: Outcomes
) -> None:
    error = created.get("error")
    if error is None and created.get("id"):
        out.synced[v.id] = (v.price, v.quantity)
        out.published.add(v.id)
        out.linked[v.id] = str(created["id"])
        if parent.simple:
            out.parents[parent.listing_id] = str(created["id"])
        return
    data = (error or {}).get("data") or {}
    if (error or {}).get("code") == "product_invalid_sku" and data.get("resource_id"):
        # The SKU is already on the store (an earlier publish whose answer was lost, or a
        # product made by hand): link to it; the next sync pushes price and stock.
        out.linked[v.id] = str(data["resource_id"])
        out.synced[v.id] = (None, -1)  # "never accepted": differs from any real quantity
        if parent.simple:
            out.parents[parent.listing_id] = str(data["resource_id"])
        return
    out.failed[v.id] = _error_text(error or {"message": "the store did not create it"})


async def _publish_variable(client: WooClient, parent: PublishParent, out: Outcomes) -> None:
    """Create the parent if needed, then create/overwrite its variations in batches."""
    parent_id = int(parent.external_id) if parent.external_id else None
    try:
        if parent_id is None:
            body = {
                "sku": parent.master_sku,
                "type": "variable",
                **_content(parent, None),
                "attributes": [
                    {
                        "name": "Option",
                        "variation": True,
                        "visible": True,
                        "options": [v.sku for v in parent.variants],
                    }
                ],
            }
            created = (await client.batch_products(create=[body])).created[0]
            error = created.get("error")
            data = (error or {}).get("data") or {}
            if error and error.get("code") == "product_invalid_sku" and data.get("resource_id"):
                # The parent's SKU is on the store already (an unlinked listing, or an
                # earlier publish whose answer was lost): create the variations under it.
                created = {"id": data["resource_id"]}
            elif error:
                for v in parent.variants:
                    out.failed[v.id] = _error_text(error)
                return
            parent_id = int(created["id"])
            out.parents[parent.listing_id] = str(parent_id)
        for chunk in _chunks(parent.variants):
            creates = [v for v in chunk if v.create]
            updates = [v for v in chunk if not v.create]
            result = await client.batch_variations(
                parent_id,
                create=[
                    {
                        "sku": v.sku,
                        "attributes": [{"name": "Option", "option": v.sku}],
                        **_content(parent, v),
                        **_stock(v),
                    }
                    for v in creates
                ],
                update=[
                    {"id": int(v.external_id or 0), **_content(parent, v), **_stock(v)}
                    for v in updates
                ],
            )
            for v, made in zip(creates, result.created, strict=False):
                _created(parent, v, made, out)
            _updated(result, updates, out)
    except FatalError as exc:
        if exc.pauses_integration:
            raise
        for v in parent.variants:
            if v.id not in out.synced:
                if _gone_request(exc):
                    out.broken[v.id] = GONE
                else:
                    out.failed[v.id] = f"not published: {exc.message}"


async def publish_listings(ctx: RunContext) -> None:
    """Create missing products (unlinked listings with linked inventory, or a pending
    publish) and update existing ones; *Overwrite* (pending, or setting `overwrite`)
    refreshes title, description, categories, MPN, UPC, GTIN and images."""
    rule = listing_rule(ctx.settings, ctx.integration.name)
    overwrite_all = ctx.settings.get("overwrite", False)
    if not isinstance(overwrite_all, bool):
        raise FatalError(
            f"{ctx.integration.name}: invalid setting: overwrite must be true or false"
        )
    client = woo_client(ctx)
    parents = await ctx.write(publish_work, ctx.owner_id, rule, overwrite_all)
    skus = {v.id: v.sku for p in parents for v in p.variants}
    simple = [p for p in parents if p.simple]
    variable = [p for p in parents if not p.simple]
    jobs: list[Any] = [("simple", c) for c in _chunks(simple)]
    jobs.extend(("variable", p) for p in variable)

    async def run(job: tuple[str, Any], out: Outcomes) -> None:
        if job[0] == "simple":
            await _publish_simple(client, job[1], out)
        else:
            await _publish_variable(client, job[1], out)

    await _in_waves(ctx, jobs, skus, run)
