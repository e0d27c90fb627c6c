"""publish_listings: create (POST) or update (PUT) products, with their images.

The work is the shared `publish_work` (unlinked variants with linked inventory, pending
publish/overwrite). Each chunk of SKUs is looked up first (one `sku in (...)` request), as
the guide's "Product Check" does: a SKU Magento has is updated when "Update Existing
Products" is on (a create for it is reported as a duplicate SKU otherwise); a SKU it does
not have is created when "Create New Products" is on. A configurable listing is published
as its children (simple, "Not Visible Individually"), then the configurable parent, its
option and one child link per child.

Images ("Images" mapping): `dont_map` sends none and leaves Magento's alone;
`set_to_empty` removes every image; `direct_copy` fetches each URL and uploads it
(base64), labelled with its URL so a later publish knows which it already sent. With
"Override or Delete Existing Images" false, those are added beside the existing images
and never twice; true makes the gallery exactly ours (others are removed).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import httpx

from store.commands.listing_publish import PublishParent, PublishVariant, publish_work
from store.commands.listing_sync import Outcomes, record_outcomes

from ..context import RunContext
from ..errors import FatalError
from .categories import CategoryPaths
from .client import MagentoClient, error_message
from .media import Refused, copy_images, remove_images
from .operations_orders import magento_client
from .settings import PublishSettings

CHUNK = 50  # parents per existence lookup and per recorded wave
OPTION_ATTRIBUTE_ID = "93"  # Magento's stock `color` attribute, the usual configurable axis


def url_key(title: str, sku: str) -> str:
    """A URL key unique per SKU (Magento refuses two products with the same one)."""
    return re.sub(r"[^a-z0-9]+", "-", f"{title} {sku}".lower()).strip("-")


def product_body(
    sku: str,
    title: str,
    *,
    description: str,
    price: Any,
    quantity: int,
    type_id: str = "simple",
    visibility: int = 4,
    upc: str | None = None,
    special_price: str | None = None,
    category_ids: Sequence[int] = (),
    short_description: str | None = None,
    max_sale_qty: int | None = None,
) -> dict[str, Any]:
    """A product for POST/PUT: required SKU and Name, price, special price, stock,
    description, categories."""
    if not sku.strip():
        raise Refused("SKU is required")
    if not title.strip():
        raise Refused(f"{sku}: Name is required")
    attrs: list[dict[str, Any]] = [{"attribute_code": "url_key", "value": url_key(title, sku)}]
    if description:
        attrs.append({"attribute_code": "description", "value": description})
    if upc:
        attrs.append({"attribute_code": "upc", "value": upc})
    if short_description:
        attrs.append({"attribute_code": "short_description", "value": short_description})
    if special_price not in (None, "") and type_id == "simple":
        attrs.append({"attribute_code": "special_price", "value": float(str(special_price))})
    body: dict[str, Any] = {
        "sku": sku,
        "name": title,
        "type_id": type_id,
        "attribute_set_id": 4,
        "status": 1,
        "visibility": visibility,
        "custom_attributes": attrs,
    }
    ext: dict[str, Any] = {}
    if type_id == "simple":
        body["price"] = float(price) if price is not None else 0.0
        ext["stock_item"] = {"qty": quantity, "is_in_stock": quantity > 0}
        if max_sale_qty:
            ext["stock_item"]["max_sale_qty"] = max_sale_qty
            ext["stock_item"]["use_config_max_sale_qty"] = False
    if category_ids:
        ext["category_links"] = [
            {"position": n, "category_id": str(cid)} for n, cid in enumerate(category_ids)
        ]
    if ext:
        body["extension_attributes"] = ext
    return body


class Publisher:
    """Publishes parents one at a time and collects the outcomes."""

    def __init__(
        self, client: MagentoClient, settings: PublishSettings, fetch: httpx.AsyncClient
    ) -> None:
        self.client = client
        self.settings = settings
        self.fetch = fetch
        self.categories = CategoryPaths(client, settings.common.store_code)

    async def publish(
        self, parent: PublishParent, found: dict[str, dict[str, Any]], out: Outcomes
    ) -> None:
        """Create or update one listing's products; its outcome goes into `out`."""
        try:
            if parent.simple:
                variant = parent.variants[0]
                product = await self._save(parent, variant, found, visibility=4)
                await self._images(variant.sku, parent.images)
                self._ok(out, variant, product)
                out.parents[parent.listing_id] = str(product.get("id"))
                return
            children = []
            for variant in parent.variants:
                product = await self._save(parent, variant, found, visibility=1)
                children.append((variant, product))
            top = await self._save_parent(parent, found)
            await self._link(parent.master_sku, [v.sku for v, _ in children])
            await self._images(parent.master_sku, parent.images)
            for variant, product in children:
                self._ok(out, variant, product)
            out.parents[parent.listing_id] = str(top.get("id"))
        except Refused as exc:
            for variant in parent.variants:
                out.failed[variant.id] = str(exc)
        except FatalError as exc:
            if exc.pauses_integration:
                raise
            for variant in parent.variants:
                out.failed[variant.id] = f"Magento refused it: {error_message(exc)}"

    def _ok(self, out: Outcomes, variant: PublishVariant, product: dict[str, Any]) -> None:
        out.synced[variant.id] = (variant.price, variant.quantity)
        out.linked[variant.id] = str(product.get("id"))
        # What Magento now has, so a sync sends the Special Price only once it changes.
        synced = {
            name: variant.extra.get(name)
            for name in ("special_price", "max_sale_qty", "short_description")
        }
        if isinstance(product.get("visibility"), int):
            synced["visibility"] = product["visibility"]
        out.fields_synced[variant.id] = synced

    async def category_ids(self, names: Sequence[str | None]) -> list[int]:
        """Category One and Two as a path under the store's root category (`categories`)."""
        return await self.categories.ids(names)

    async def _save(
        self,
        parent: PublishParent,
        variant: PublishVariant,
        found: dict[str, dict[str, Any]],
        *,
        visibility: int,
    ) -> dict[str, Any]:
        exists = variant.sku in found
        if exists and variant.create and not self.settings.update_existing:
            raise Refused(
                f"duplicate SKU: Magento already has a product with SKU {variant.sku}; "
                "turn on Update Existing Products to take it over"
            )
        if exists and not self.settings.update_existing:
            raise Refused(f"{variant.sku}: Update Existing Products is off")
        if not exists and not self.settings.create_new:
            raise Refused(f"{variant.sku}: not on Magento and Create New Products is off")
        body = product_body(
            variant.sku,
            variant.title if not parent.simple else parent.title,
            description=parent.description,
            price=variant.price,
            quantity=variant.quantity,
            # A simple product shows as its listing says; a configurable's child never alone.
            visibility=_visibility(variant.extra) if parent.simple else visibility,
            upc=variant.upc,
            special_price=variant.extra.get("special_price"),
            short_description=variant.extra.get("short_description") or None,
            max_sale_qty=variant.extra.get("max_sale_qty"),
            # A configurable's children are not shown on their own: the parent is filed.
            category_ids=await self.category_ids(parent.categories) if parent.simple else (),
        )
        saved: dict[str, Any] = await self.client.save_product(variant.sku, body, create=not exists)
        return saved

    async def _save_parent(
        self, parent: PublishParent, found: dict[str, dict[str, Any]]
    ) -> dict[str, Any]:
        exists = parent.master_sku in found
        body = product_body(
            parent.master_sku,
            parent.title,
            description=parent.description,
            price=None,
            quantity=0,
            type_id="configurable",
            category_ids=await self.category_ids(parent.categories),
        )
        saved: dict[str, Any] = await self.client.save_product(
            parent.master_sku, body, create=not exists
        )
        return saved

    async def _link(self, sku: str, child_skus: Sequence[str]) -> None:
        options = await self.client.options(sku)
        if not options:
            values = [{"value_index": n + 1} for n in range(len(child_skus))]
            option = {"attribute_id": OPTION_ATTRIBUTE_ID, "label": "Option", "values": values}
            await self.client.add_option(sku, option)
        linked = {str(c.get("sku")) for c in await self.client.children(sku)}
        for child in child_skus:
            if child not in linked:  # one child per call; an attached one is left alone
                await self.client.add_child(sku, child)

    async def _images(self, sku: str, urls: Sequence[str]) -> None:
        mode = self.settings.images
        if mode == "set_to_empty":
            await remove_images(self.client, sku)
        elif mode == "direct_copy":
            await copy_images(
                self.client, self.fetch, sku, urls, override=self.settings.override_images
            )


def _visibility(extra: dict[str, Any]) -> int:
    """The listing's own Visibility (1-4), or "Catalog, Search"."""
    value = extra.get("visibility")
    return value if isinstance(value, int) and 1 <= value <= 4 else 4


def _report(ctx: RunContext, out: Outcomes, skus: dict[int, str]) -> None:
    if out.parents:
        ctx.count("listings_published", len(out.parents))
    if out.synced:
        ctx.count("variants_published", len(out.synced))
    for vid, why in out.failed.items():
        ctx.record_error(skus.get(vid, str(vid)), why)


async def publish_listings(ctx: RunContext) -> None:
    """Create and update products on Magento ("Create New Products", "Update Existing
    Products"), configurable ones with their children, and their images."""
    settings = PublishSettings.parse(ctx.settings, ctx.integration.name)
    client = magento_client(ctx, settings.common)
    parents = await ctx.write(publish_work, ctx.owner_id, settings.rule, False)
    skus = {v.id: v.sku for p in parents for v in p.variants}
    async with httpx.AsyncClient(timeout=30.0, follow_redirects=True) as fetch:
        publisher = Publisher(client, settings, fetch)
        for start in range(0, len(parents), CHUNK):
            chunk = parents[start : start + CHUNK]
            wanted = [p.master_sku for p in chunk] + [v.sku for p in chunk for v in p.variants]
            found = {str(p.get("sku")): p for p in await client.products_by_sku(wanted)}
            out = Outcomes()
            try:
                for parent in chunk:
                    await publisher.publish(parent, found, out)
            finally:
                await ctx.write(record_outcomes, out)
                _report(ctx, out, skus)
            ctx.progress(min(start + CHUNK, len(parents)), len(parents))
    ctx.count("write_requests", client.requests)
