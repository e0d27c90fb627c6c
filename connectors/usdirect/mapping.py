"""US Direct records to Dropdeck rows and back, under the operator's mapping templates.

Inventory: a feed record (assumed columns `sku,name,price,qty`) through the template whose
required fields are the guide's Product SKU, Product Name, Pricing and Quantity. Orders:
PO Number, Ship To Address and Item Number (the guide's Send Orders fields). Shipments and
invoices: the assumed JSON of docs/usdirect.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from ..errors import MappingError
from ..mapping import Template, address_view
from .shipping import CARRIER_CODES, SHIPPING_CODES

INVENTORY_PURPOSE = "inventory sync"
INVENTORY_REQUIRED = ("Product SKU", "Product Name", "Pricing", "Quantity")
INVENTORY_TARGETS = (*INVENTORY_REQUIRED, "Master SKU")
DEFAULT_INVENTORY_RULES = {
    "Product SKU": "field:sku",
    "Product Name": "field:name",
    "Pricing": "field:price",
    "Quantity": "field:qty",
}

ORDER_PURPOSE = "order creation"
ORDER_REQUIRED = ("PO Number", "Ship To Address")
LINE_REQUIRED = ("Item Number", "Quantity")
DEFAULT_ORDER_RULES = {
    "PO Number": "field:po_number",
    "Ship To Address": "field:address",
    "Item Number": "field:line.sku",
    "Quantity": "field:line.quantity",
}
SHIPMENT_PURPOSE = "shipment sync"
SHIPMENT_REQUIRED = ("Tracking Number", "Shipping Date")
SHIPMENT_TARGETS = ("Tracking Number", "Shipment Status", "Shipping Date", "Carrier", "Shipment ID")
DEFAULT_SHIPMENT_RULES = {
    "Tracking Number": "field:tracking_number",
    "Shipment Status": "field:status",
    "Shipping Date": "field:ship_date",
    "Carrier": "field:carrier",
    "Shipment ID": "field:shipment_id",
}
INVOICE_PURPOSE = "invoice sync"
INVOICE_REQUIRED = ("Invoice Number",)
INVOICE_TARGETS = ("Invoice Number", "Invoice Total", "Channel Order Number")
DEFAULT_INVOICE_RULES = {
    "Invoice Number": "field:invoice_number",
    "Invoice Total": "field:total",
    "Channel Order Number": "field:po_number",
}
# The ship-to fields the (assumed) API requires, in the guide's words for the error.
SHIP_TO_REQUIRED = ("name", "address1", "city", "state", "zip", "country")


def inventory_template() -> Template:
    """The default inventory template: the feed's assumed columns."""
    return Template.from_settings(DEFAULT_INVENTORY_RULES)


def order_template() -> Template:
    """The default order template."""
    return Template.from_settings(DEFAULT_ORDER_RULES)


def shipment_template() -> Template:
    """The default Get Shipments template: the assumed shipment fields."""
    return Template.from_settings(DEFAULT_SHIPMENT_RULES)


def invoice_template() -> Template:
    """The default Source Invoice template: the assumed invoice fields."""
    return Template.from_settings(DEFAULT_INVOICE_RULES)


@dataclass(frozen=True)
class InventoryMapping:
    """How one run maps feed records: the source, its SKU prefix, the template, the time."""

    source_id: int
    sku_prefix: str
    template: Template
    now: datetime


def money(value: Any, field: str, ref: str) -> Decimal:
    """`$19.99`, `1,299.00` or `19.99` as a Decimal."""
    text = str(value).strip().replace("$", "").replace(",", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise MappingError(ref, f"{field} {str(value)[:40]!r} is not an amount") from None
    if not amount.is_finite() or amount < 0:
        raise MappingError(ref, f"{field} {str(value)[:40]!r} is not an amount")
    return amount.quantize(Decimal("0.01"))


def record_to_row(record: Mapping[str, Any], how: InventoryMapping) -> dict[str, Any]:
    """One feed record as a full inventory row; `MappingError` names the SKU and the field.

    A blank Quantity is read as none in stock (the feed leaves it blank for such items).
    """
    sku_hint = str(record.get("sku") or "").strip() or "(no SKU)"
    ref = f"US Direct SKU {sku_hint[:60]}"
    source = {**record, "qty": "0"} if record.get("qty") == "" else record
    mapped = how.template.apply(
        source,
        required=INVENTORY_REQUIRED,
        purpose=INVENTORY_PURPOSE,
        ref=ref,
    )
    sku = str(mapped["Product SKU"]).strip()
    quantity_text = str(mapped["Quantity"]).strip()
    try:
        quantity = int(quantity_text)
    except ValueError:
        raise MappingError(ref, f"Quantity {quantity_text[:40]!r} is not a whole number") from None
    if quantity < 0:
        raise MappingError(ref, f"Quantity {quantity} is below zero")
    master = str(mapped.get("Master SKU") or "").strip() or how.sku_prefix + sku
    return {
        "source_id": how.source_id,
        "sku": sku,
        "master_sku": master,
        "parent_sku": sku,
        "title": str(mapped["Product Name"]).strip(),
        "description": "",
        "images": [],
        "cost": money(mapped["Pricing"], "Pricing", ref),
        "quantity": quantity,
        "warehouse_quantities": {},
        "stock_status": "in_stock" if quantity > 0 else "out_of_stock",
        "allow_backorders": False,
        "updated_at": how.now,
    }


@dataclass(frozen=True)
class OrderPlan:
    """The POST /orders body for one PO, checked before anything is sent."""

    po_number: str
    body: dict[str, Any]


def order_plan(
    template: Template,
    *,
    po_number: str,
    shipping_method: str | None,
    order: Mapping[str, Any],
    address: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]],
) -> OrderPlan:
    """Check and build an order; `MappingError` (ref = PO) in the guide's words."""
    ref = f"PO {po_number}"
    view = {"po_number": po_number, "order": dict(order), "address": address_view(address)}
    head = template.apply(view, required=ORDER_REQUIRED, purpose=ORDER_PURPOSE, ref=ref)
    ship_to = head["Ship To Address"]
    if not isinstance(ship_to, Mapping):
        raise MappingError(ref, f"Ship To Address must map to an address, not {ship_to!r}")
    for name in SHIP_TO_REQUIRED:
        if not str(ship_to.get(name) or "").strip():
            raise MappingError(
                ref,
                f"Invalid request: Missing required field 'Ship To Address' for {ORDER_PURPOSE} "
                f"(no {name})",
            )
    if not lines:
        raise MappingError(
            ref, f"Invalid request: Missing required field 'Item Number' for {ORDER_PURPOSE}"
        )
    items = []
    for line in lines:
        mapped = template.apply(
            {**view, "line": dict(line)}, required=LINE_REQUIRED, purpose=ORDER_PURPOSE, ref=ref
        )
        quantity = mapped["Quantity"]
        if isinstance(quantity, bool) or not str(quantity).isdigit() or int(quantity) < 1:
            raise MappingError(
                ref, f"item {mapped['Item Number']}: quantity {quantity!r} is not >= 1"
            )
        items.append({"sku": str(mapped["Item Number"]), "quantity": int(quantity)})
    code = (shipping_method or "").strip().upper()
    if code not in SHIPPING_CODES:
        shown = repr(shipping_method) if shipping_method else "no shipping method"
        raise MappingError(
            ref,
            f"shipping method {shown} is not a US Direct shipping code; use one of "
            f"{', '.join(SHIPPING_CODES)} (map the order's shipping policy, or resubmit with "
            "--shipping-method)",
        )
    body = {
        "po_number": str(head["PO Number"]),
        "ship_to": {k: str(v).strip() for k, v in ship_to.items() if str(v or "").strip()},
        "ship_method": code,
        "items": items,
    }
    return OrderPlan(po_number=po_number, body=body)


@dataclass(frozen=True)
class ShipmentRecord:
    """One US Direct shipment as Dropdeck records it."""

    external_id: str
    tracking_number: str
    carrier: str
    service: str
    status: str
    shipped_at: datetime
    lines: list[tuple[str, int]]


def shipping_code(carrier: str, ship_method: str | None) -> str:
    """The guide's carrier → shipping code (UPS → UPS-GND, FedEx → FEDEX-EXP, USPS → …)."""
    if ship_method and ship_method.upper() in SHIPPING_CODES:
        return ship_method.upper()
    return CARRIER_CODES.get(carrier.strip().upper(), "")


def shipment_of(record: Any, po_number: str, template: Template) -> ShipmentRecord:
    """A shipment record through the Get Shipments template; `MappingError` when Tracking
    Number or Shipping Date is missing (the guide's Data Completeness)."""
    ref = f"PO {po_number}"
    if not isinstance(record, Mapping):
        raise MappingError(ref, "a shipment record is not an object")
    mapped = template.apply(record, required=SHIPMENT_REQUIRED, purpose=SHIPMENT_PURPOSE, ref=ref)
    shipped = str(mapped["Shipping Date"])
    try:
        day = date.fromisoformat(shipped[:10])
    except ValueError:
        raise MappingError(ref, f"Shipping Date {shipped[:30]!r} is not a date") from None
    lines = []
    for item in record.get("items") or []:
        try:
            lines.append((str(item["sku"]), int(item["quantity"])))
        except (KeyError, TypeError, ValueError):
            raise MappingError(ref, "a shipment item has no sku or quantity") from None
    tracking = str(mapped["Tracking Number"]).strip()
    carrier = str(mapped.get("Carrier") or "")
    return ShipmentRecord(
        external_id=str(mapped.get("Shipment ID") or tracking),
        tracking_number=tracking,
        carrier=carrier,
        service=shipping_code(carrier, record.get("ship_method")),
        status=str(mapped.get("Shipment Status") or ""),
        shipped_at=datetime(day.year, day.month, day.day, tzinfo=UTC),
        lines=lines,
    )


@dataclass(frozen=True)
class InvoiceRecord:
    """A US Direct invoice: number, total and the PO (the guide's Channel Order Number)."""

    external_id: str
    total: Decimal | None
    issued_at: datetime | None
    data: dict[str, Any]


def invoice_of(body: Any, po_number: str, template: Template) -> InvoiceRecord:
    """An invoice body through the Source Invoice template; `MappingError` when it has no
    Invoice Number or a total that is not an amount."""
    ref = f"PO {po_number}"
    if not isinstance(body, Mapping):
        raise MappingError(ref, "the invoice is not an object")
    mapped = template.apply(body, required=INVOICE_REQUIRED, purpose=INVOICE_PURPOSE, ref=ref)
    raw_total = mapped.get("Invoice Total")
    total = None if raw_total in (None, "") else money(raw_total, "Invoice Total", ref)
    issued = None
    if body.get("invoice_date"):
        try:
            d = date.fromisoformat(str(body["invoice_date"])[:10])
            issued = datetime(d.year, d.month, d.day, tzinfo=UTC)
        except ValueError:
            issued = None
    channel = str(mapped.get("Channel Order Number") or "").strip()
    if channel and channel != po_number:
        # Another order's invoice: recorded here it would bill the wrong order.
        raise MappingError(
            ref,
            f"the invoice is for Flx PO / Order Number {channel[:60]!r}, not this PO; not "
            "recorded. Invoices not pulling: confirm the order's Flx PO / Order Number matches "
            "the order you expect an invoice for",
        )
    return InvoiceRecord(
        external_id=str(mapped["Invoice Number"]).strip(),
        total=total,
        issued_at=issued,
        data={
            "po_number": po_number,
            # The guide: the Flx PO / Order Number is kept as the Channel Order Number.
            "channel_order_number": channel or po_number,
            "subtotal": body.get("subtotal"),
            "shipping": body.get("shipping"),
            "lines": body.get("lines") or [],
        },
    )
