"""ShipStation v1 JSON <-> Dropdeck rows: pure functions, nothing of HTTP or the store.

ShipStation v1 writes timestamps in US Pacific local time without an offset
(`2015-06-29T08:46:27.0000000`) and reads filter dates the same way
(`2015-01-01 00:00:00`); everything Dropdeck keeps is UTC.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from ..errors import MappingError

PACIFIC = ZoneInfo("America/Los_Angeles")
ORDER_STATUSES = (
    "awaiting_payment",
    "awaiting_shipment",
    "pending_fulfillment",
    "shipped",
    "on_hold",
    "cancelled",
)
# A supplier's carrier name -> ShipStation carrier codes to try, in order (the first one
# the account has wins). USPS labels in ShipStation come through Stamps.com.
CARRIER_CODES: dict[str, tuple[str, ...]] = {
    "ups": ("ups", "ups_walleted"),
    "fedex": ("fedex", "fedex_walleted"),
    "usps": ("stamps_com", "usps"),
    "stampscom": ("stamps_com",),
    "dhl": ("dhl_express", "dhl_express_worldwide"),
    "dhlexpress": ("dhl_express", "dhl_express_worldwide"),
    "ontrac": ("ontrac",),
}
_NOT_WORD = re.compile(r"[^a-z0-9]")
_TIMESTAMP = re.compile(
    r"^(\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?)(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$"
)


def parse_time(raw: object) -> datetime | None:
    """A v1 timestamp (Pacific, no offset; an offset is honoured) as aware UTC, or None."""
    match = _TIMESTAMP.match(raw.strip()) if isinstance(raw, str) else None
    if match is None:
        return None
    base, fraction, zone = match.groups()
    # .NET sends 7 fractional digits; Python reads at most 6.
    text = base + (f".{fraction[:6].ljust(6, '0')}" if fraction else "") + (zone or "")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=PACIFIC)
    return parsed.astimezone(UTC)


def filter_time(moment: datetime) -> str:
    """A moment as a v1 date filter value (`2015-01-01 00:00:00`, Pacific)."""
    return moment.astimezone(PACIFIC).strftime("%Y-%m-%d %H:%M:%S")


def ship_date(moment: datetime) -> date:
    """The day a shipment left, as ShipStation's `shipDate` (the Pacific calendar day)."""
    return moment.astimezone(PACIFIC).date()


def _money(value: object, ref: str, what: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise MappingError(ref, f"{what} is not a number: {value!r}") from None


def address(raw: object) -> dict[str, Any]:
    """A ShipStation Address in the store's spelling (name, address_1, postcode, ...)."""
    a = raw if isinstance(raw, Mapping) else {}
    return {
        "name": str(a.get("name") or ""),
        "company": str(a.get("company") or ""),
        "address_1": str(a.get("street1") or ""),
        "address_2": str(a.get("street2") or ""),
        "address_3": str(a.get("street3") or ""),
        "city": str(a.get("city") or ""),
        "state": str(a.get("state") or ""),
        "postcode": str(a.get("postalCode") or ""),
        "country": str(a.get("country") or ""),
        "phone": str(a.get("phone") or ""),
    }


def order_ref(order: Mapping[str, Any]) -> str:
    """How an operator finds the order: its ShipStation order number."""
    return f"order {order.get('orderNumber') or order.get('orderId', '?')}"


def shipping_text(order: Mapping[str, Any]) -> str:
    """The shipping text the store sent with the order, exactly (`requestedShippingService`)."""
    return str(order.get("requestedShippingService") or "").strip()


def order_to_rows(order: Mapping[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The `order` row (without channel_id/status) and its `order_line` rows.

    Raises `MappingError` (ref: the order number) for an order that cannot be imported: no
    orderId, no usable date, a line without SKU or with a bad quantity, no lines.
    """
    ref = order_ref(order)
    order_id = order.get("orderId")
    if isinstance(order_id, bool) or not isinstance(order_id, int) or order_id <= 0:
        raise MappingError(ref, f"has no valid orderId ({order_id!r})")
    placed = parse_time(order.get("orderDate")) or parse_time(order.get("createDate"))
    if placed is None:
        raise MappingError(ref, f"invalid orderDate {order.get('orderDate')!r}")
    lines = []
    for item in order.get("items") or []:
        if not isinstance(item, Mapping) or item.get("adjustment"):
            continue  # adjustments (discounts, fees) are not goods to ship
        sku = str(item.get("sku") or "").strip()
        if not sku:
            name = item.get("name") or item.get("orderItemId")
            raise MappingError(ref, f"line {name!r} has no SKU")
        quantity = item.get("quantity")
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
            raise MappingError(ref, f"line {sku} has quantity {quantity!r}")
        lines.append(
            {
                "external_id": str(item.get("orderItemId") or item.get("lineItemKey") or sku),
                "sku": sku,
                "title": str(item.get("name") or ""),
                "quantity": quantity,
                "price": _money(item.get("unitPrice"), ref, f"line {sku} unitPrice"),
            }
        )
    if not lines:
        raise MappingError(ref, "has no items to ship")
    ship_to = address(order.get("shipTo"))
    bill_to = address(order.get("billTo"))
    row = {
        "external_id": str(order_id),
        "number": str(order.get("orderNumber") or order_id),
        "customer_name": ship_to["name"] or bill_to["name"],
        "customer_email": str(order.get("customerEmail") or "") or None,
        "billing_address": bill_to,
        "shipping_address": {**ship_to, "email": str(order.get("customerEmail") or "")},
        "shipping_text": shipping_text(order),
        "total": _money(order.get("orderTotal"), ref, "orderTotal"),
        "currency": "USD",  # v1 orders carry no currency; ShipStation accounts bill in USD
        "placed_at": placed,
    }
    return row, lines


def product_sku(product: Mapping[str, Any]) -> tuple[str, str] | None:
    """(productId, trimmed SKU) of a ShipStation product, or None when it has no SKU."""
    product_id = product.get("productId")
    sku = str(product.get("sku") or "").strip()
    if product_id is None or not sku:
        return None
    return str(product_id), sku


def carrier_key(name: str) -> str:
    """A carrier name reduced for lookups: `Stamps.com` -> `stampscom`, `UPS ` -> `ups`."""
    return _NOT_WORD.sub("", name.strip().lower())


def carrier_code(
    carrier: str, account_codes: Iterable[str], configured: Mapping[str, str]
) -> str | None:
    """The ShipStation carrier code for a supplier's carrier, or None when there is none.

    The operator's `carrier_codes` setting wins (matched on the reduced name); otherwise a
    known carrier maps to the first of its codes the account has, and a supplier that
    already names a ShipStation code (`stamps_com`) keeps it. Only codes of carriers on the
    account are returned: markasshipped refuses any other.
    """
    codes = set(account_codes)
    key = carrier_key(carrier)
    for name, code in configured.items():
        if carrier_key(name) == key:
            return code if code in codes else None
    for code in CARRIER_CODES.get(key, ()):
        if code in codes:
            return code
    raw = carrier.strip().lower()
    return raw if raw in codes else None


def created_at(order: Mapping[str, Any]) -> datetime | None:
    """When the order was created in ShipStation (UTC)."""
    return parse_time(order.get("createDate"))


def modified_at(order: Mapping[str, Any]) -> datetime | None:
    """When the order last changed in ShipStation (UTC)."""
    return parse_time(order.get("modifyDate"))
