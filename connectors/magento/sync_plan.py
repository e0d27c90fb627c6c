"""What one Magento sync writes, by SKU: the plan and the product bodies.

Three kinds of change meet here, by variant id: price and stock (`listing_sync.prepare_sync`,
with pending hide/unhide/delist), the further fields kept in a variant's extra
(`listing_fields`: Special Price, Visibility, Maximum Qty Allowed in Shopping Cart, Short
Description) and the listing's content (`listing_content`: Name, Description, Images,
Categories, UPC). A variant's PUT carries only what changed of its own; a variable
product's own content (its name, description, short description, images, categories) goes
to the parent product, once for all its changed children.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from store.commands.listing_content import ContentChange
from store.commands.listing_fields import FieldChange
from store.commands.listing_sync import SyncItem

from .settings import EMPTY

DISABLED = 2  # Magento's status "Disabled": a delisted product stays, off the storefront
# Content sent as custom attributes (the rest: name, categories, images, are their own).
ATTRIBUTES = ("description", "short_description", "upc")


@dataclass
class ParentWrite:
    """A variable product's own content to write, and what its children record after."""

    external_id: str
    values: dict[str, Any] = field(default_factory=dict)
    parts: dict[int, frozenset[int]] = field(default_factory=dict)  # child -> content parts
    fields: dict[int, dict[str, Any]] = field(default_factory=dict)  # child -> extra fields


@dataclass
class Plan:
    """The sync's writes by variant id, and the parents'."""

    items: list[SyncItem]
    price_work: set[int]  # ids whose price/stock (and status) is sent
    values: dict[int, dict[str, Any]]  # id -> changed further fields and own content to send
    fields: dict[int, dict[str, Any]]  # id -> the further fields recorded once accepted
    parts: dict[int, frozenset[int]]  # id -> the content parts recorded once accepted
    parents: list[ParentWrite]
    skus: dict[int, str] = field(default_factory=dict)  # every variant named, for errors


def make_plan(
    items: Sequence[SyncItem], changes: Sequence[FieldChange], content: Sequence[ContentChange]
) -> Plan:
    """Merge the three kinds of change by variant id."""
    by_id = {i.id: i for i in items}
    values: dict[int, dict[str, Any]] = {}
    fields: dict[int, dict[str, Any]] = {}
    parts: dict[int, frozenset[int]] = {}
    parents: dict[str, ParentWrite] = {}

    def item(c: FieldChange | ContentChange) -> None:
        by_id.setdefault(
            c.id,
            SyncItem(
                id=c.id,
                sku=c.sku,
                external_id=c.external_id,
                parent_external_id=c.parent_external_id,
                price=c.price,
                quantity=c.quantity,
                listing_id=c.listing_id,
            ),
        )

    for c in changes:
        own = dict(c.values)
        if c.parent_external_id is not None and "short_description" in own:
            # A variable product shows its parent's short description, not its children's.
            parent = parents.setdefault(c.parent_external_id, ParentWrite(c.parent_external_id))
            parent.values["short_description"] = own.pop("short_description")
            parent.fields[c.id] = {"short_description": parent.values["short_description"]}
        if own:
            item(c)
            values.setdefault(c.id, {}).update(own)
            fields[c.id] = own
    for k in content:
        if k.own:
            item(k)
            values.setdefault(k.id, {}).update(k.own)
            parts[k.id] = k.own_parts
        if k.parent and k.parent_external_id is not None:
            parent = parents.setdefault(k.parent_external_id, ParentWrite(k.parent_external_id))
            parent.values.update(k.parent)
            parent.parts[k.id] = k.parent_parts
    merged = sorted(by_id.values(), key=lambda i: i.id)
    delisting = {i.id for i in merged if i.delist}
    return Plan(
        items=merged,
        price_work={i.id for i in items},
        values={k: v for k, v in values.items() if k not in delisting},
        fields={k: v for k, v in fields.items() if k not in delisting},
        parts={k: v for k, v in parts.items() if k not in delisting},
        parents=list(parents.values()),
        skus={
            **{i.id: i.sku for i in items},
            **{c.id: c.sku for c in changes},
            **{k.id: k.sku for k in content},
        },
    )


def product_update(
    item: SyncItem,
    fields: Sequence[str],
    values: Mapping[str, Any] | None = None,
    *,
    price_work: bool = True,
    category_ids: Sequence[int] | None = None,
) -> dict[str, Any]:
    """The PUT body's product for one changed variant: with `price_work` its price and
    stock limited to the "Fields to Sync", and its changed further fields and content
    (`values`; Categories as `category_ids`; Images are written apart, by the media calls)."""
    product: dict[str, Any] = {"sku": item.sku}
    if item.delist:
        product["status"] = DISABLED
        return product
    values = values or {}
    stock: dict[str, Any] = {}
    if price_work:
        if "price" in fields and item.price is not None:
            product["price"] = float(item.price)
        if "quantity" in fields:
            stock["qty"] = item.quantity
        if "in_stock" in fields or "quantity" in fields:
            stock["is_in_stock"] = item.quantity > 0  # sent with qty (magento2 #5696)
        if "status" in fields:
            product["status"] = 1
    if "max_sale_qty" in values:
        stock["max_sale_qty"] = values["max_sale_qty"]
        stock["use_config_max_sale_qty"] = False  # else the store-wide limit applies
    ext: dict[str, Any] = {}
    if stock:
        ext["stock_item"] = stock
    if category_ids:
        ext["category_links"] = [
            {"position": n, "category_id": str(cid)} for n, cid in enumerate(category_ids)
        ]
    if ext:
        product["extension_attributes"] = ext
    if "visibility" in values:
        product["visibility"] = int(values["visibility"])
    if "name" in values:
        product["name"] = values["name"]
    attrs = [{"attribute_code": a, "value": values[a]} for a in ATTRIBUTES if a in values]
    if "special_price" in values:
        special = values["special_price"]
        # Set To Empty sends "", which Magento stores as no special price.
        value: Any = EMPTY if special == EMPTY else float(special)
        attrs.append({"attribute_code": "special_price", "value": value})
    if attrs:
        product["custom_attributes"] = attrs
    return product
