"""sync_listings ("Sync & Link Listings"): link on SKU, then write what changed, by SKU.

Linking looks up only what may have changed since the last good run (`linking`). The sync
writes only what changed (`sync_plan`): price and stock that differ from what Magento last
accepted or a pending hide/unhide/delist; Special Price, Visibility, "Maximum Qty Allowed
in Shopping Cart", Short Description that differ from what Magento has (`listing_fields`);
Name, Description, Images, Categories, UPC edited since Magento last got them
(`listing_content`); and of those only the "Fields to Sync". Magento's PUT is an upsert (a
PUT to a SKU it does not have creates a product), so each chunk of 100 SKUs is looked up
first (`sku in (...)`, one request): a SKU Magento no longer has becomes a broken link
instead of a new product. A 400 marks the listing as needing attention with Magento's own
message. Writes are per-SKU PUTs, `concurrency` at a time, or with `use_bulk` one
asynchronous bulk request per chunk (`PUT /async/bulk/V1/products/bySku`, answered 202),
whose operation statuses are then read (1 complete; 2, 3, 5 failed with Magento's message;
4 still open: sent again next sync). Images go by the media calls ("Direct Copy",
`media`); a configurable product's own content by one PUT to the parent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import httpx

from store.commands.listing_content import L_IMAGES, content_changes
from store.commands.listing_fields import field_changes
from store.commands.listing_sync import Outcomes, SyncItem, prepare_sync, record_outcomes

from ..context import RunContext
from ..errors import FatalError
from .categories import CategoryPaths
from .client import MagentoClient, error_message
from .linking import link_on_sku
from .media import Refused, copy_images
from .operations_listings import MagentoCatalogue
from .operations_orders import magento_client
from .settings import CONTENT_SETTINGS, FIELD_SETTINGS, ImportSettings, ListingSyncSettings
from .sync_plan import ParentWrite, Plan, make_plan, product_update

CHUNK = 100  # SKUs per existence lookup; also how often outcomes are written
GONE = "the product no longer exists on Magento; unlink and relink it, or publish it again"
COMPLETE, OPEN = 1, 4  # bulk operation statuses (2, 3, 5: failed or rejected)
BULK_POLLS = 8
PRICE_STOCK = ("price", "quantity", "in_stock", "status")


class Writer:
    """Writes one sync's plan to Magento and collects the outcomes."""

    def __init__(
        self,
        client: MagentoClient,
        settings: ListingSyncSettings,
        plan: Plan,
        fetch: httpx.AsyncClient,
        media_url: str,
    ) -> None:
        self.client = client
        self.settings = settings
        self.plan = plan
        self.fetch = fetch
        self.media_url = media_url
        self.categories = CategoryPaths(client, settings.common.store_code)

    async def body(self, item: SyncItem) -> dict[str, Any]:
        """The PUT body of one variant (its categories resolved, created when missing)."""
        values = self.plan.values.get(item.id) or {}
        ids = await self.categories.ids(values["categories"]) if "categories" in values else None
        return product_update(
            item,
            self.settings.fields,
            values,
            price_work=item.id in self.plan.price_work,
            category_ids=ids,
        )

    async def chunk(self, items: Sequence[SyncItem], out: Outcomes) -> None:
        """Look the chunk's SKUs up, then write the ones Magento has (PUTs or one bulk)."""
        found = {str(p.get("sku")) for p in await self.client.products_by_sku(i.sku for i in items)}
        present = []
        for item in items:
            if item.sku in found:
                present.append(item)
            else:
                _missing(item, out)
        if self.settings.use_bulk:
            await self._bulk(present, out)
            return
        sem = asyncio.Semaphore(self.settings.concurrency)

        async def one(item: SyncItem) -> None:
            async with sem:
                try:
                    body = await self.body(item)
                    if len(body) > 1:  # more than its SKU: images alone need no PUT
                        await self.client.save_product(item.sku, body, create=False)
                except FatalError as exc:
                    if exc.pauses_integration:
                        raise
                    if exc.status == 404:
                        out.broken[item.id] = GONE
                    else:
                        out.failed[item.id] = f"Magento refused it: {error_message(exc)}"
                    return
                await self._accepted(item, out)

        await asyncio.gather(*(one(i) for i in present))

    async def _accepted(self, item: SyncItem, out: Outcomes) -> None:
        if item.delist:
            out.delisted.append(item.id)
            return
        if item.id in self.plan.price_work:
            out.synced[item.id] = (item.price, item.quantity)
        else:  # only further fields or content went: price and stock are not settled
            out.touched.append(item.id)
        if self.plan.fields.get(item.id):
            out.fields_synced[item.id] = self.plan.fields[item.id]
        parts = set(self.plan.parts.get(item.id) or ())
        urls = (self.plan.values.get(item.id) or {}).get("images")
        if urls and not await self._images(item.sku, urls, item.id, out):
            parts.discard(L_IMAGES)
        if parts:
            out.content_synced.setdefault(item.id, set()).update(parts)

    async def _images(self, sku: str, urls: Sequence[str], vid: int, out: Outcomes) -> bool:
        """Copy the images onto the product; a failure is the variant's, not the run's."""
        try:
            await copy_images(
                self.client,
                self.fetch,
                sku,
                urls,
                override=self.settings.override_images,
                media_url=self.media_url,
            )
        except Refused as exc:
            out.failed[vid] = str(exc)
            return False
        except FatalError as exc:
            if exc.pauses_integration:
                raise
            out.failed[vid] = f"Magento refused an image: {error_message(exc)}"
            return False
        return True

    async def _bulk(self, present: Sequence[SyncItem], out: Outcomes) -> None:
        """One asynchronous bulk request for the chunk, then its operations' statuses."""
        if not present:
            return
        accepted = await self.client.bulk_update([await self.body(i) for i in present])
        uuid = str(accepted.get("bulk_uuid") or "")
        statuses: dict[int, dict[str, Any]] = {}
        for attempt in range(BULK_POLLS):
            answer = await self.client.bulk_status(uuid)
            statuses = {int(o.get("id", -1)): o for o in answer.get("operations_list") or []}
            if len(statuses) >= len(present) and all(
                o.get("status") != OPEN for o in statuses.values()
            ):
                break
            await asyncio.sleep(min(5.0, 0.5 * 2**attempt))
        for n, item in enumerate(present):
            op = statuses.get(n) or {}
            if op.get("status") == COMPLETE:
                await self._accepted(item, out)
            elif op.get("status") in (None, OPEN):
                out.failed[item.id] = (
                    "queued on Magento, not applied yet (is the async.operations.all consumer "
                    "running?); the next sync sends it again"
                )
            else:
                words = op.get("result_message") or f"bulk operation status {op.get('status')}"
                out.failed[item.id] = f"Magento refused it: {words}"

    async def parents(self, parents: Sequence[ParentWrite], out: Outcomes) -> int:
        """Write each variable product's own changed content (one PUT each, after one
        lookup by entity id for their SKUs); its children record it. Returns how many."""
        found = await self.client.products_by_id(p.external_id for p in parents)
        skus = {str(p.get("id")): str(p.get("sku")) for p in found}
        done = 0
        for parent in parents:
            children = set(parent.parts) | set(parent.fields)
            sku = skus.get(parent.external_id)
            if sku is None:
                for vid in children:
                    out.failed[vid] = (
                        f"its configurable product (id {parent.external_id}) no longer exists "
                        "on Magento; unlink and relink it, or publish it again"
                    )
                continue
            values = parent.values
            ids = (
                await self.categories.ids(values["categories"]) if "categories" in values else None
            )
            body = product_update(
                SyncItem(0, sku, parent.external_id, None, None, 0),
                (),
                values,
                price_work=False,
                category_ids=ids,
            )
            try:
                if len(body) > 1:  # more than its SKU: images alone need no PUT
                    await self.client.save_product(sku, body, create=False)
            except FatalError as exc:
                if exc.pauses_integration:
                    raise
                for vid in children:
                    out.failed[vid] = f"Magento refused its configurable product {sku}: " + (
                        error_message(exc)
                    )
                continue
            images_ok = True
            if values.get("images"):
                images_ok = await self._images(sku, values["images"], min(children), out)
            for vid, parts in parent.parts.items():
                kept = set(parts) - ({L_IMAGES} if not images_ok else set())
                if kept:
                    out.content_synced.setdefault(vid, set()).update(kept)
            for vid, fields in parent.fields.items():
                out.fields_synced.setdefault(vid, {}).update(fields)
            done += 1
        return done


def _missing(item: SyncItem, out: Outcomes) -> None:
    if item.delist:
        out.delisted.append(item.id)  # already gone: the delist is done
    else:
        out.broken[item.id] = GONE


def _report(ctx: RunContext, out: Outcomes, skus: dict[int, str]) -> None:
    if out.synced or out.touched:
        ctx.count("variants_updated", len(out.synced) + len(out.touched))
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
    if not set(settings.fields) & set(PRICE_STOCK):
        # Nothing of price or stock is sent: their changes (and hide/unhide) wait for a
        # sync that sends them, instead of being taken as settled. A delist still goes.
        items = [i for i in items if i.delist]
    extra = [f for f in settings.fields if f in FIELD_SETTINGS]
    changes = await ctx.write(field_changes, ctx.owner_id, extra, settings.constants)
    content = [f for f in settings.fields if f in CONTENT_SETTINGS]
    edits = await ctx.write(content_changes, ctx.owner_id, content)
    plan = make_plan(items, changes, edits)
    skus = plan.skus
    work = len(plan.items) + len(plan.parents)
    async with httpx.AsyncClient(timeout=30.0, follow_redirects=True) as fetch:
        writer = Writer(client, settings, plan, fetch, media_url)
        for start in range(0, len(plan.items), CHUNK):
            out = Outcomes()
            try:
                await writer.chunk(plan.items[start : start + CHUNK], out)
            finally:
                # What Magento accepted is recorded even when a later chunk fails the run.
                await ctx.write(record_outcomes, out)
                _report(ctx, out, skus)
            ctx.progress(min(start + CHUNK, len(plan.items)), work)
        for start in range(0, len(plan.parents), CHUNK):
            out = Outcomes()
            try:
                done = await writer.parents(plan.parents[start : start + CHUNK], out)
                if done:
                    ctx.count("parents_updated", done)
            finally:
                await ctx.write(record_outcomes, out)
                _report(ctx, out, skus)
            ctx.progress(len(plan.items) + min(start + CHUNK, len(plan.parents)), work)
    ctx.count("link_requests", reads)
    ctx.count("sync_requests", client.requests - reads)
