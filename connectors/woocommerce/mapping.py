"""WooCommerce JSON <-> store row dicts. Pure functions: no HTTP, no session.

A WooCommerce *product* becomes a `listing` row (the parent) and one `listing_variant` per
sellable SKU: itself for a simple product, each variation for a variable one. Orders become
an `order` row and `order_line` rows. Records that cannot be mapped raise `MappingError`
naming the product or order the way an operator finds it in wp-admin.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from ..errors import MappingError

UPC_META_KEYS = ("_upc", "upc", "_wpm_gtin_code", "hwp_product_gtin")


# --- helpers ---------------------------------------------------------------------------------


def _ref(kind: str, record: dict[str, Any]) -> str:
    sku = record.get("sku") or ""
    return f"{kind} {record.get('id', '?')}" + (f" (SKU {sku})" if sku else "")


def _money(value: Any, ref: str, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise MappingError(ref, f"{field} {value!r} is not a price") from None


def _external_id(record: dict[str, Any], ref: str) -> str:
    value = record.get("id")
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise MappingError(ref, f"missing or invalid id {value!r}")
    return str(value)


def find_upc(record: dict[str, Any]) -> str | None:
    """The UPC of a product or variation: an attribute named UPC, a UPC meta field, or
    WooCommerce's own GTIN/UPC field (`global_unique_id`), in that order."""
    for attr in record.get("attributes") or []:
        if str(attr.get("name", "")).strip().lower() != "upc":
            continue
        options = attr.get("options") or ([attr["option"]] if attr.get("option") else [])
        if options and str(options[0]).strip():
            return str(options[0]).strip()
    for meta in record.get("meta_data") or []:
        if str(meta.get("key", "")).lower() in UPC_META_KEYS and str(meta.get("value", "")).strip():
            return str(meta["value"]).strip()
    value = str(record.get("global_unique_id") or "").strip()
    return value or None


def _images(record: dict[str, Any]) -> list[str]:
    images = record.get("images")
    if images is None and isinstance(record.get("image"), dict):
        images = [record["image"]]
    return [str(i["src"]) for i in images or [] if isinstance(i, dict) and i.get("src")]


def _quantity(record: dict[str, Any]) -> int | None:
    """Stock the store shows; None when WooCommerce does not manage it (unknown count)."""
    if record.get("manage_stock") and record.get("stock_quantity") is not None:
        return max(0, int(record["stock_quantity"]))
    if record.get("stock_status") == "outofstock":
        return 0
    return None


def parse_date(value: Any) -> datetime | None:
    """A `*_gmt` date (no zone suffix, UTC) as an aware datetime."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


# --- products -> listings --------------------------------------------------------------------


def product_to_listing(product: dict[str, Any]) -> dict[str, Any]:
    """The `listing` row (without channel_id) for a product."""
    ref = _ref("product", product)
    external_id = _external_id(product, ref)
    sku = str(product.get("sku") or "").strip()
    if not sku:
        raise MappingError(ref, "has no SKU; give it one in WooCommerce to import it")
    categories = [str(c.get("name", "")) for c in product.get("categories") or []]
    return {
        "master_sku": sku,
        "external_id": external_id,
        "title": str(product.get("name") or ""),
        "description": str(product.get("description") or ""),
        "images": _images(product),
        "category_one": categories[0] if categories else None,
        "category_two": categories[1] if len(categories) > 1 else None,
    }


def is_hidden(product: dict[str, Any]) -> bool:
    """A product the shop does not show: hidden from the catalogue, or not published."""
    return product.get("catalog_visibility") == "hidden" or product.get("status") in (
        "draft",
        "private",
        "pending",
    )


def _variant(record: dict[str, Any], ref: str, *, title: str, hidden: bool) -> dict[str, Any]:
    sku = str(record.get("sku") or "").strip()
    if not sku:
        raise MappingError(ref, "has no SKU; give it one in WooCommerce to import it")
    price = _money(record.get("regular_price") or record.get("price"), ref, "regular_price")
    quantity = _quantity(record)
    return {
        "sku": sku,
        "external_id": _external_id(record, ref),
        "title": title,
        "images": _images(record),
        "upc": find_upc(record),
        "gtin": str(record.get("global_unique_id") or "") or None,
        "price": price,
        "quantity": quantity or 0,
        "hidden": hidden,
        "synced_price": price,
        "synced_quantity": 0 if hidden else quantity,
    }


def product_variants(
    product: dict[str, Any], variations: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """The `listing_variant` rows of a product (without channel_id/listing_id).

    A simple product is its own single variant; a variable product has one per variation
    (pass them in, fetched from `/products/{id}/variations`).
    """
    hidden = is_hidden(product)
    if product.get("type") != "variable":
        title = str(product.get("name") or "")
        return [_variant(product, _ref("product", product), title=title, hidden=hidden)]
    out = []
    for variation in variations or []:
        ref = _ref(f"variation of product {product.get('id')}", variation)
        title = str(variation.get("name") or product.get("name") or "")
        out.append(_variant(variation, ref, title=title, hidden=hidden))
    return out


# --- listings -> products --------------------------------------------------------------------


def stock_update(
    external_id: str, price: Decimal | None, quantity: int, hidden: bool
) -> dict[str, Any]:
    """A batch `update` item setting price and managed stock (hidden: out of stock)."""
    item: dict[str, Any] = {
        "id": int(external_id),
        "manage_stock": True,
        "stock_quantity": 0 if hidden else max(0, quantity),
    }
    if price is not None:
        item["regular_price"] = f"{price:.2f}"
    return item


def content_fields(
    *,
    title: str,
    description: str,
    images: list[str],
    categories: list[str | None],
    upc: str | None,
    mpn: str | None,
    gtin: str | None,
) -> dict[str, Any]:
    """What *Overwrite* (and publish of a new product) sets besides price and stock."""
    meta = [{"key": "_upc", "value": upc or ""}, {"key": "_mpn", "value": mpn or ""}]
    fields: dict[str, Any] = {
        "name": title,
        "description": description,
        "images": [{"src": src} for src in images],
        "categories": [{"name": c} for c in categories if c],
        "meta_data": meta,
    }
    if gtin or upc:
        fields["global_unique_id"] = gtin or upc
    return fields


# --- orders ----------------------------------------------------------------------------------


def order_shipping_title(order: dict[str, Any]) -> str:
    """The first shipping line's method title ("" when the order has none)."""
    lines = order.get("shipping_lines") or []
    return str(lines[0].get("method_title") or "") if lines else ""


def order_to_rows(order: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The `order` row (without channel_id/status) and its `order_line` rows."""
    ref = f"order {order.get('number') or order.get('id', '?')}"
    external_id = _external_id(order, ref)
    placed = parse_date(order.get("date_created_gmt"))
    if placed is None:
        raise MappingError(ref, f"invalid date_created_gmt {order.get('date_created_gmt')!r}")
    billing = order.get("billing") or {}
    shipping = order.get("shipping") or {}
    name = " ".join(
        p for p in (shipping.get("first_name"), shipping.get("last_name")) if p
    ) or " ".join(p for p in (billing.get("first_name"), billing.get("last_name")) if p)
    lines = []
    for item in order.get("line_items") or []:
        sku = str(item.get("sku") or "").strip()
        if not sku:
            raise MappingError(ref, f"line {item.get('name', item.get('id'))!r} has no SKU")
        try:
            quantity = int(item.get("quantity"))
        except (TypeError, ValueError):
            raise MappingError(ref, f"line {sku} has quantity {item.get('quantity')!r}") from None
        lines.append(
            {
                "external_id": str(item.get("id")),
                "sku": sku,
                "title": str(item.get("name") or ""),
                "quantity": quantity,
                "price": _money(item.get("price"), ref, f"line {sku} price"),
            }
        )
    if not lines:
        raise MappingError(ref, "has no line items")
    row = {
        "external_id": external_id,
        "number": str(order.get("number") or external_id),
        "customer_name": name,
        "customer_email": billing.get("email") or None,
        "billing_address": dict(billing),
        "shipping_address": dict(shipping),
        "shipping_text": order_shipping_title(order),
        "total": _money(order.get("total"), ref, "total"),
        "currency": str(order.get("currency") or "USD"),
        "placed_at": placed,
        # What the shopper wrote at checkout (a supplier may carry it: WPS cart comments).
        "details": {"customer_note": str(order.get("customer_note") or "") or None},
    }
    return row, lines


# --- shipments -> notes / tracking -----------------------------------------------------------


def shipment_note(carrier: str, service: str, tracking: str, lines: list[tuple[str, int]]) -> str:
    """The order note text for a shipment (partial shipments list what shipped)."""
    what = ", ".join(f"{sku} x{qty}" for sku, qty in lines)
    via = " ".join(p for p in (carrier, service) if p) or "carrier"
    return f"Shipped via {via}, tracking number {tracking}" + (f": {what}" if what else "")


def tracking_item(carrier: str, tracking: str, shipped_at: datetime) -> dict[str, Any]:
    """A Shipment Tracking plugin item; unknown carriers go in as a custom provider."""
    item: dict[str, Any] = {
        "tracking_number": tracking,
        "date_shipped": shipped_at.astimezone(UTC).strftime("%Y-%m-%d"),
    }
    known = {"usps": "USPS", "ups": "UPS", "fedex": "FedEx", "dhl": "DHL US", "ontrac": "OnTrac"}
    name = known.get(carrier.strip().lower())
    if name:
        item["tracking_provider"] = name
    else:
        item["custom_tracking_provider"] = carrier or "Carrier"
    return item
