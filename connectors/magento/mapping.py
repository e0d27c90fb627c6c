"""Magento records <-> Dropdeck rows: pure functions, no HTTP, no store.

Orders: a configurable line is two rows in Magento, the parent (type `configurable`, the
child's SKU, the price) and the child (`simple`, price 0, `parent_item_id`). We import the
child row (its SKU), fill a missing price and discount from the parent row, and identify
the line by the child's item id, or by the parent's under "Use Parent Item ID Instead of
Item ID" (which is what `order/{id}/ship` needs for configurable lines in 2.4).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from ..errors import MappingError

# Magento's address fields -> the guide's order mapping words (both addresses).
ADDRESS_FIELDS = {
    "street_1": "Address Line 1",
    "street_2": "Address Line 2",
    "city": "City",
    "region": "State",
    "postcode": "Post Code",
    "country_id": "Country Code",
    "telephone": "Telephone",
    "email": "Email",
    "firstname": "First Name",
    "lastname": "Last Name",
    "company": "Company",
}
CARRIER_CODES = {
    "UPS": "ups",
    "USPS": "usps",
    "FEDEX": "fedex",
    "FEDERAL EXPRESS": "fedex",
    "DHL": "dhl",
}
CARRIER_TITLES = {
    "ups": "United Parcel Service",
    "usps": "United States Postal Service",
    "fedex": "Federal Express",
    "dhl": "DHL",
}
ITEM_ID_MISMATCH = "External Order Item ID Mismatch"


def parse_date(value: Any) -> datetime | None:
    """Magento's 'YYYY-MM-DD HH:MM:SS' (UTC) as an aware datetime; None if unreadable."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace(" ", "T"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def magento_date(when: datetime) -> str:
    """An aware datetime in Magento's filter format (UTC)."""
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _money(value: Any, ref: str, what: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise MappingError(ref, f"{what} is not a number: {value!r}") from None
    if not amount.is_finite():
        raise MappingError(ref, f"{what} is not a number: {value!r}")
    return amount.quantize(Decimal("0.01"))


def _address(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        return {}
    street = raw.get("street") or []
    street = street if isinstance(street, list) else [str(street)]
    out = {
        "first_name": raw.get("firstname") or "",
        "last_name": raw.get("lastname") or "",
        "company": raw.get("company") or "",
        "address_1": str(street[0]) if street else "",
        "address_2": " ".join(str(s) for s in street[1:]),
        "city": raw.get("city") or "",
        "state": raw.get("region_code") or raw.get("region") or "",
        "postcode": raw.get("postcode") or "",
        "country": raw.get("country_id") or "",
        "phone": raw.get("telephone") or "",
        "email": raw.get("email") or "",
    }
    return {k: str(v) for k, v in out.items()}


def shipping_address(order: dict[str, Any]) -> dict[str, Any] | None:
    """The shipping address (only in `extension_attributes.shipping_assignments`), or None."""
    for assignment in (order.get("extension_attributes") or {}).get("shipping_assignments") or []:
        address = ((assignment or {}).get("shipping") or {}).get("address")
        if isinstance(address, dict) and address.get("street"):
            return address
    return None


def missing_shipping(order: dict[str, Any]) -> str | None:
    """Why the order cannot be shipped as it stands (no shipping address or method), or None."""
    address = shipping_address(order)
    if address is None:
        return "Missing shipping information: the Magento order has no shipping address"
    lacking = [n for n in ("city", "postcode", "country_id") if not address.get(n)]
    if lacking:
        return f"Missing shipping information: the shipping address has no {', '.join(lacking)}"
    return None


def order_to_rows(
    order: dict[str, Any],
    *,
    use_parent_item_id: bool,
    invoices: Sequence[dict[str, Any]] = (),
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The `order` row (without channel_id/status) and its `order_line` rows.

    Required (the guide): Order ID, Status; per line SKU and Quantity Ordered.
    """
    entity = order.get("entity_id")
    ref = f"order {order.get('increment_id') or entity or '?'}"
    if entity in (None, ""):
        raise MappingError(ref, "has no Order ID (entity_id)")
    if not order.get("status"):
        raise MappingError(ref, "has no Status")
    placed = parse_date(order.get("created_at"))
    if placed is None:
        raise MappingError(ref, f"has an unreadable Date Created {order.get('created_at')!r}")
    rows = [i for i in order.get("items") or [] if isinstance(i, dict)]
    by_id = {i.get("item_id"): i for i in rows}
    parents = {i.get("parent_item_id") for i in rows if i.get("parent_item_id")}
    lines = []
    for item in rows:
        if item.get("item_id") in parents:
            continue  # a configurable/bundle parent row: its child row carries the line
        lines.append(_line(item, by_id.get(item.get("parent_item_id")), ref, use_parent_item_id))
    if not lines:
        raise MappingError(ref, "has no items")
    billing = order.get("billing_address") or {}
    shipping = shipping_address(order) or {}
    who = shipping or billing
    name = " ".join(str(p) for p in (who.get("firstname"), who.get("lastname")) if p)
    row = {
        "external_id": str(entity),
        "number": str(order.get("increment_id") or entity),
        "customer_name": name,
        "customer_email": order.get("customer_email") or billing.get("email") or None,
        "billing_address": _address(billing),
        "shipping_address": _address(shipping),
        "shipping_text": str(order.get("shipping_description") or ""),
        "total": _money(order.get("grand_total"), ref, "Grand Total"),
        "currency": str(order.get("order_currency_code") or "USD"),
        "placed_at": placed,
        "details": {
            "status": str(order["status"]),
            "grand_total": _text_money(order.get("grand_total"), ref, "Grand Total"),
            "shipping_amount": _text_money(order.get("shipping_amount"), ref, "Shipping Amount"),
            "coupon_code": order.get("coupon_code") or None,
            "customer_note": order.get("customer_note") or None,
            "date_created": str(order.get("created_at")),
            "invoices": [
                {
                    "id": str(i.get("entity_id")),
                    "number": str(i.get("increment_id") or ""),
                    "state": i.get("state"),
                    "grand_total": _text_money(i.get("grand_total"), ref, "invoice total"),
                }
                for i in invoices
            ],
        },
    }
    return row, lines


def _text_money(value: Any, ref: str, what: str) -> str | None:
    amount = _money(value, ref, what)
    return None if amount is None else str(amount)


def _line(
    item: dict[str, Any], parent: dict[str, Any] | None, ref: str, use_parent_item_id: bool
) -> dict[str, Any]:
    sku = str(item.get("sku") or "").strip()
    if not sku:
        raise MappingError(ref, f"item {item.get('name') or item.get('item_id')!r} has no SKU")
    try:
        quantity = float(str(item.get("qty_ordered")))
    except ValueError:
        raise MappingError(
            ref, f"item {sku} has Quantity Ordered {item.get('qty_ordered')!r}"
        ) from None
    if quantity <= 0 or quantity != int(quantity):
        raise MappingError(ref, f"item {sku} has Quantity Ordered {item.get('qty_ordered')!r}")
    price = _money(item.get("price"), ref, f"item {sku} price")
    discount = _money(item.get("discount_amount"), ref, f"item {sku} discount")
    if parent is not None:
        # The child row of a configurable line has price 0: the parent row has it.
        if not price:
            price = _money(parent.get("price"), ref, f"item {sku} price")
        if not discount:
            discount = _money(parent.get("discount_amount"), ref, f"item {sku} discount")
    item_id = (
        parent.get("item_id")
        if (parent is not None and use_parent_item_id)
        else item.get("item_id")
    )
    if item_id in (None, ""):
        raise MappingError(ref, f"item {sku} has no Item ID")
    return {
        "external_id": str(item_id),
        "sku": sku,
        "title": str((parent or item).get("name") or item.get("name") or ""),
        "quantity": int(quantity),
        "price": price,
        "details": {
            "item_id": str(item.get("item_id")),
            "parent_item_id": str(parent["item_id"]) if parent is not None else None,
            "weight": item.get("weight"),
            "discount_amount": None if discount is None else str(discount),
        },
    }


# --- shipments -------------------------------------------------------------------------------


def carrier_code(carrier: str) -> str:
    """Magento's carrier code for a supplier's carrier name (`custom` when unknown)."""
    return CARRIER_CODES.get(" ".join(carrier.upper().split()), "custom")


def ship_body(
    *,
    items: list[tuple[int, int]],
    carrier: str,
    service: str,
    tracking: str,
    notify: bool,
    append_comment: bool,
    comment: str,
    visible_on_front: bool,
    source_code: str | None,
) -> dict[str, Any]:
    """The `order/{id}/ship` body: the shipped lines, one track, the guide's switches."""
    code = carrier_code(carrier)
    body: dict[str, Any] = {
        "items": [{"order_item_id": item_id, "qty": qty} for item_id, qty in items],
        "tracks": [
            {
                "track_number": tracking.strip(),
                "title": CARRIER_TITLES.get(code, carrier.strip() or "Carrier"),
                "carrier_code": code,
            }
        ],
        "notify": notify,
        "appendComment": append_comment,
    }
    if comment.strip():
        body["comment"] = {"comment": comment, "is_visible_on_front": int(visible_on_front)}
    if source_code:
        body["arguments"] = {"extension_attributes": {"source_code": source_code}}
    return body


def shipment_comment(template: str, *, carrier: str, service: str, tracking: str) -> str:
    """The shipment comment text from the setting's template ({carrier}, {service}, {tracking})."""
    values = {"carrier": carrier, "service": service, "tracking": tracking}
    return re.sub(r"\{(carrier|service|tracking)\}", lambda m: values[m.group(1)], template)


# --- store ------------------------------------------------------------------------------------


def root_category_id(
    views: Sequence[dict[str, Any]], groups: Sequence[dict[str, Any]], store_code: str
) -> int | None:
    """The root category of the store group that the store code's view belongs to; for
    `all` (the admin scope, whose own group has no root) the group of the `default` view,
    else the first store group. None when the code names no store view or its group has
    no root category."""
    group_of = {str(v.get("code")): v.get("store_group_id") for v in views}
    if store_code == "all":
        gid = group_of.get("default")
        if gid is None:
            ids = sorted(int(g["id"]) for g in groups if int(g.get("id") or 0) > 0)
            gid = ids[0] if ids else None
    else:
        gid = group_of.get(store_code)
    for group in groups:
        if gid is not None and int(group.get("id", -1)) == int(gid):
            root = int(group.get("root_category_id") or 0)
            return root or None
    return None


# --- products -> listings ----------------------------------------------------------------------


def attribute(product: dict[str, Any], code: str) -> Any:
    """A custom attribute's value (`description`, `upc`, `special_price`, ...), or None."""
    for attr in product.get("custom_attributes") or []:
        if isinstance(attr, dict) and attr.get("attribute_code") == code:
            return attr.get("value")
    return None


def _images(product: dict[str, Any], media_url: str) -> list[str]:
    entries = [e for e in product.get("media_gallery_entries") or [] if isinstance(e, dict)]
    entries.sort(key=lambda e: (e.get("position") or 0, e.get("id") or 0))
    return [
        f"{media_url.rstrip('/')}/{str(e['file']).lstrip('/')}"
        for e in entries
        if e.get("file") and not e.get("disabled")
    ]


def _categories(product: dict[str, Any], names: dict[str, str]) -> list[str]:
    links = (product.get("extension_attributes") or {}).get("category_links") or []
    ids = [str(link.get("category_id")) for link in links if isinstance(link, dict)]
    ids = ids or [str(c) for c in product.get("category_ids") or []]
    return [names[i] for i in ids if names.get(i)][:3]


def _required(product: dict[str, Any], ref: str) -> tuple[str, str]:
    sku = str(product.get("sku") or "").strip()
    if not sku:
        raise MappingError(ref, "SKU is required (from Magento: sku)")
    name = str(product.get("name") or "").strip()
    if not name:
        raise MappingError(ref, "Name is required (from Magento: name)")
    return sku, name


def product_to_listing(
    product: dict[str, Any],
    children: list[dict[str, Any]],
    *,
    stock: dict[str, tuple[float, bool]],
    categories: dict[str, str],
    media_url: str,
    master_sku: str,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The `listing` row and its `listing_variant` rows for a simple or configurable product.

    `master_sku` is the Master SKU field: `sku`, `upc` (the product's UPC attribute) or
    `none` (the listing is keyed by its SKU and left for linking).
    """
    ref = f"product {product.get('sku') or product.get('id') or '?'}"
    sku, name = _required(product, ref)
    master = sku
    if master_sku == "upc":
        upc = str(attribute(product, "upc") or "").strip()
        if not upc and product.get("type_id") != "configurable":
            raise MappingError(ref, "Master SKU is required (from Magento: upc)")
        master = upc or sku
    names = _categories(product, categories)
    listing = {
        "master_sku": master,
        "external_id": str(product.get("id") or ""),
        "title": name,
        "description": str(attribute(product, "description") or ""),
        "images": _images(product, media_url),
        "category_one": names[0] if names else None,
        "category_two": names[1] if len(names) > 1 else None,
    }
    hidden = product.get("status") == 2
    options = (product.get("extension_attributes") or {}).get("configurable_product_options") or []
    option_codes = [str(o.get("label") or "") for o in options if isinstance(o, dict)]
    records = children if product.get("type_id") == "configurable" else [product]
    if product.get("type_id") == "configurable" and not children:
        raise MappingError(ref, "is configurable but has no children")
    variants = []
    for record in records:
        vref = f"variant {record.get('sku') or record.get('id') or '?'} of {ref}"
        vsku, vname = _required(record, vref)
        price = _money(record.get("price"), vref, "Price")
        qty, in_stock = stock.get(vsku, (0.0, False))
        attrs = {c: attribute(record, c.lower()) for c in option_codes}
        special = _text_money(attribute(record, "special_price"), vref, "Special Price")
        short = str(attribute(product, "short_description") or "")
        visibility = record.get("visibility") if record.get("visibility") in (1, 2, 3, 4) else None
        variants.append(
            {
                "sku": vsku,
                "external_id": str(record.get("id") or ""),
                "title": vname,
                "images": _images(record, media_url) or listing["images"],
                "upc": str(attribute(record, "upc") or "") or None,
                "price": price,
                "quantity": max(0, int(qty)),
                "hidden": hidden or record.get("status") == 2,
                "synced_price": price,
                "synced_quantity": max(0, int(qty)),
                "extra": {
                    "special_price": special,
                    "visibility": visibility,
                    # What Magento has: a sync sends these fields only once they differ.
                    "synced": {
                        "special_price": special,
                        "visibility": visibility,
                        "short_description": short,
                    },
                    "in_stock": in_stock,
                    "attributes": {k: v for k, v in attrs.items() if v is not None},
                    "short_description": short,
                    "category_three": names[2] if len(names) > 2 else None,
                },
            }
        )
    return listing, variants
