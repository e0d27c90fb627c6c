"""WPS JSON ↔ store row dicts: pure functions, no HTTP, no database.

Items become `inventory_item` rows under the inventory template (`targets.py`): an item
with a size or a colour is a variant of its product (parent SKU: the product's common SKU
stem, else `P<product_id>`, see `parents.py`); an item with neither stands alone (parent SKU
= SKU).
A fulfillment request becomes a cart body plus cart lines; a PO's order details become
shipments. A record that cannot be mapped raises `MappingError` naming it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from functools import cached_property, lru_cache
from typing import Any

from ..errors import MappingError
from ..mapping import RuleKind, Template, address_view, person_names
from . import targets as t
from .parents import fallback
from .shipping import SHIP_VIA

WAREHOUSES = ("CA", "GA", "ID", "IN", "PA", "PA2", "TX")
CART_WAREHOUSES = ("CA", "GA", "ID", "IN", "PA", "TX")
CENT = Decimal("0.01")
DISCONTINUED = frozenset({"NLA", "DSC"})
SIZE_KEYS = frozenset({"size"})
COLOUR_KEYS = frozenset({"color", "colour"})

# -- inventory ------------------------------------------------------------------------------

INVENTORY_PURPOSE = "inventory sync"
INVENTORY_REQUIRED = t.REQUIRED
INVENTORY_TARGETS = t.KEYS
DEFAULT_INVENTORY_RULES = t.DEFAULT_RULES
# The item fields the mapping reads; asked for with `fields[items]=` to keep pages small.
ITEM_FIELDS = (
    "id",
    "product_id",
    "sku",
    "name",
    "list_price",
    "standard_dealer_price",
    "mapp_price",
    "has_map_policy",
    "supplier_product_id",
    "upc",
    "status",
    "length",
    "width",
    "height",
    "weight",
    "updated_at",
)
PQS_ITEM_FIELDS: tuple[str, ...] = (
    "id",
    "sku",
    "list_price",
    "standard_dealer_price",
    "mapp_price",
)
PQS_ITEM_FIELDS += ("has_map_policy", "status", "updated_at")
# Columns a pricing & quantity run may change; everything else stays as imported.
PQS_COLUMNS = (
    "cost",
    "list_price",
    "msrp",
    "map_price",
    "sale_price",
    "quantity",
    "warehouse_quantities",
    "stock_status",
)
# Columns a full import owns (updated on change); `images`/`description` are not fetched.
INVENTORY_COLUMNS = (
    "master_sku",
    "parent_sku",
    "external_id",
    "upc",
    "mpn",
    "title",
    "color",
    "size",
    *PQS_COLUMNS,
    "weight",
    "length",
    "width",
    "height",
    "allow_backorders",
    "available_on",
    "inventory_tracking",
    "low_stock_threshold",
    "remote_updated_at",
)
# The value a column takes on a new row when the template disables its field.
DISABLED = {"title": "", "stock_status": "in_stock", "allow_backorders": False}


@dataclass(frozen=True)
class InventoryMapping:
    """What a run fixed once: source, SKU prefix, counted warehouses, attribute key names."""

    source_id: int
    sku_prefix: str = ""
    warehouses: Sequence[str] = WAREHOUSES
    attribute_keys: Mapping[int, str] = field(default_factory=dict)
    template: Template = field(default_factory=lambda: _default_template())
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    parents: Mapping[int, str] = field(default_factory=dict)
    """product id → its variants' parent SKU (the common stem); others get `P<id>`."""

    # Worked out once per run, not per item (a 100k-item import maps every item).
    @cached_property
    def default_template(self) -> bool:
        """The template is the default one (the common case: a straight-line path)."""
        return self.template.rules == DEFAULT_TEMPLATE.rules

    @cached_property
    def counted(self) -> frozenset[str]:
        """The warehouses whose stock counts towards `quantity`."""
        return frozenset(self.warehouses)

    @cached_property
    def counts_all(self) -> bool:
        """Every warehouse counts (the default): `quantity` is the sum of all of them."""
        return self.counted.issuperset(WAREHOUSES)

    @cached_property
    def attribute_kinds(self) -> dict[Any, str] | None:
        """attributekey_id → "size" / "colour" / "" as `attributes` reads them.

        None when a key name is not a string: the fast path then leaves such runs to
        `attributes`, which fails on it exactly as before.
        """
        kinds: dict[Any, str] = {}
        for key_id, name in self.attribute_keys.items():
            if not isinstance(name, str):
                return None
            key = name.strip().lower()
            kinds[key_id] = "size" if key in SIZE_KEYS else "colour" if key in COLOUR_KEYS else ""
        return kinds


DEFAULT_TEMPLATE = Template.from_settings(DEFAULT_INVENTORY_RULES)


def _default_template() -> Template:
    return DEFAULT_TEMPLATE


# (warehouse code, inventory field) in WAREHOUSES order, so stored dicts keep that order.
_WAREHOUSE_FIELDS = tuple((code, f"{code.lower()}_warehouse") for code in WAREHOUSES)


def inventory_template(rules: Mapping[str, Any] | None, sets: Mapping[str, Any] | None) -> Template:
    """The operator's inventory template (keys or the guide's words) over the defaults."""
    return Template.from_settings(t.canonical(rules or {}), sets).with_defaults(
        DEFAULT_INVENTORY_RULES
    )


def item_ref(item: Any) -> str:
    """How an operator finds an item: `WPS item 123 (SKU 10-000123)`."""
    if not isinstance(item, Mapping):
        return "WPS item (not an object)"
    sku = item.get("sku")
    return f"WPS item {item.get('id')}" + (f" (SKU {sku})" if sku else "")


def _decimal(item: Mapping[str, Any], name: str, ref: str) -> Decimal | None:
    raw = item.get(name)
    if raw in (None, ""):
        return None
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise MappingError(ref, f"{name} {raw!r} is not a price") from None
    if not value.is_finite():
        raise MappingError(ref, f"{name} {raw!r} is not a price")
    # The store keeps cents; comparing unrounded values would see a change every run.
    return value.quantize(CENT)


def _number(raw: Any, name: str, ref: str) -> float | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise MappingError(ref, f"{name} {raw!r} is not a number")
    try:
        return float(raw)
    except ValueError:
        raise MappingError(ref, f"{name} {raw!r} is not a number") from None


def parse_timestamp(raw: Any) -> datetime | None:
    """WPS `YYYY-MM-DD HH:MM:SS` (or a bare date) as aware UTC; None when absent or odd."""
    if not isinstance(raw, str) or not raw:
        return None
    return _parsed_timestamp(raw)


# Items share timestamps (100k sandbox items have ~32k distinct ones); a datetime is immutable,
# so one parse and one object per string also lets the store convert it once per page.
@lru_cache(maxsize=65536)
def _parsed_timestamp(raw: str) -> datetime | None:
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def warehouse_quantities(item: Mapping[str, Any], ref: str) -> dict[str, int]:
    """Per-warehouse counts from the included inventory (`{}` when none was included)."""
    inventory = item.get("inventory")
    if inventory is None:
        return {}
    record = inventory.get("data") if isinstance(inventory, dict) else None
    if record is None:
        return {}
    if not isinstance(record, dict):
        raise MappingError(ref, "inventory is not an object")
    out: dict[str, int] = {}
    for code, name in _WAREHOUSE_FIELDS:
        raw = record.get(name)
        if raw is None:
            continue
        # `type(...) is int` first: JSON gives plain ints, and bool is an int subclass.
        if type(raw) is not int and (isinstance(raw, bool) or not isinstance(raw, int)):
            raise MappingError(ref, f"{name} {raw!r} is not a quantity")
        if raw < 0:
            raise MappingError(ref, f"{name} {raw!r} is not a quantity")
        out[code] = raw
    return out


def attributes(item: Mapping[str, Any], keys: Mapping[int, str], ref: str) -> tuple[str, str]:
    """(size, colour) from the included attribute values; '' where the item has none."""
    values = item.get("attributevalues")
    if values is None:
        return "", ""
    rows = values.get("data") if isinstance(values, dict) else None
    if not isinstance(rows, list):
        raise MappingError(ref, "attributevalues is not a list")
    size = colour = ""
    for value in rows:
        if not isinstance(value, Mapping):
            raise MappingError(ref, "an attribute value is not an object")
        key_id = value.get("attributekey_id")  # JSON: an id that is not a known int finds ""
        key = keys.get(key_id, "").strip().lower()  # type: ignore[arg-type]  # any JSON id
        name = str(value.get("name") or "")
        if key in SIZE_KEYS:
            size = name
        elif key in COLOUR_KEYS:
            colour = name
    return size, colour


def parent_sku(product_id: Any, ref: str, parents: Mapping[int, str]) -> str:
    """The parent SKU of a product's variants (WPS products have no SKU of their own)."""
    if isinstance(product_id, bool) or not isinstance(product_id, int):
        raise MappingError(ref, f"a variant needs its product_id; got {product_id!r}")
    return parents.get(product_id) or fallback(product_id)


def item_to_row(item: Any, how: InventoryMapping, *, pqs_only: bool = False) -> dict[str, Any]:
    """One WPS item (with `inventory` and `attributevalues` included) as an inventory row.

    `pqs_only` maps just the pricing & quantity columns (plus the keys).
    """
    # A 100k-item import maps every item: well-formed items under the default template take
    # a straight-line path; anything else (and every error) goes through the checked one.
    if type(item) is dict and how.default_template:
        row = _plain_item_row(item, how, pqs_only)
        if row is not None:
            return row
    return _checked_item_row(item, how, pqs_only=pqs_only)


# Variants of a product share their prices (100k sandbox items have ~20k distinct strings per
# price field); a Decimal is immutable, so one parse and one object per string also lets the
# store convert it once per page.
@lru_cache(maxsize=65536)
def _price_of(raw: str) -> Decimal | None:
    """`_decimal` of a price string, or None where `_decimal` raises."""
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    return value.quantize(CENT)


def _plain_item_row(
    item: dict[str, Any], how: InventoryMapping, pqs_only: bool
) -> dict[str, Any] | None:
    """`_checked_item_row` for a well-formed item under the default template; None otherwise.

    It returns a row only where the checked path returns the very same row, and None (never
    an error) on anything it does not expect, so errors and odd records keep their handling.
    """
    get: Callable[[str], Any] = item.get  # JSON values: any type until checked below
    per_warehouse: dict[str, int] = {}
    inventory = get("inventory")
    if inventory is not None:
        if type(inventory) is not dict:
            return None
        record = inventory.get("data")
        if record is not None:
            if type(record) is not dict:
                return None
            field_of = record.get
            for code, name in _WAREHOUSE_FIELDS:
                raw = field_of(name)
                if raw is None:
                    continue
                if type(raw) is not int or raw < 0:
                    return None
                per_warehouse[code] = raw
    if how.counts_all:
        quantity = sum(per_warehouse.values())
    else:
        counted_codes = how.counted
        quantity = sum(n for code, n in per_warehouse.items() if code in counted_codes)
    sku = get("sku")
    if type(sku) is not str:
        return None
    sku = sku.strip()
    if not sku:
        return None
    prices: list[Decimal | None] = []
    for name in ("standard_dealer_price", "list_price", "mapp_price"):
        raw = get(name)
        if raw is None or raw == "" or (name == "mapp_price" and not get("has_map_policy")):
            prices.append(None)
            continue
        if type(raw) is not str:
            return None
        value = _price_of(raw)
        if value is None:
            return None
        prices.append(value)
    cost, list_price, map_price = prices
    if quantity > 0:
        stock_status = "in_stock"
    else:
        status = get("status") or ""
        stock_status = "discontinued" if str(status) in DISCONTINUED else "out_of_stock"
    # What get_pqs refreshes; get_inventory adds the catalogue fields below.
    row: dict[str, Any] = {
        "source_id": how.source_id,
        "sku": sku,
        "cost": cost,
        "list_price": list_price,
        "msrp": list_price,
        "map_price": map_price,
        "quantity": quantity,
        "warehouse_quantities": per_warehouse,
        "stock_status": stock_status,
        "sale_price": None,
        "updated_at": how.now,
    }
    if pqs_only:
        return row
    size = colour = ""
    values = get("attributevalues")
    if values is not None:
        kinds = how.attribute_kinds
        rows = values.get("data") if type(values) is dict else None
        if kinds is None or type(rows) is not list:
            return None
        for value in rows:
            if type(value) is not dict:
                return None
            kind = kinds.get(value.get("attributekey_id"), "")
            if kind:
                name = value.get("name") or ""
                if kind == "size":
                    size = name if type(name) is str else str(name)
                else:
                    colour = name if type(name) is str else str(name)
    if size or colour:
        product_id = get("product_id")
        if type(product_id) is not int:
            return None
        parent = how.parents.get(product_id) or fallback(product_id)
    else:
        parent = sku
    dimensions: list[float | None] = []
    for name in ("weight", "length", "width", "height"):
        raw = get(name)
        kind_of = type(raw)
        if kind_of is float:
            dimensions.append(raw)
        elif kind_of is int:
            dimensions.append(float(raw))
        elif raw is None:
            dimensions.append(None)
        else:
            return None  # strings, "" and odd values: `_number` decides
    weight, length, width, height = dimensions
    external_id = get("id")
    upc = get("upc")
    mpn = get("supplier_product_id")
    title = get("name") or ""
    row.update(
        {
            "master_sku": how.sku_prefix + sku,
            "parent_sku": parent,
            "external_id": None if external_id is None else str(external_id),
            "upc": str(upc) if upc else None,
            "mpn": str(mpn) if mpn else None,
            "title": title if type(title) is str else str(title),
            "description": "",
            "images": [],
            "color": colour or None,
            "size": size or None,
            "allow_backorders": False,
            "available_on": None,
            "inventory_tracking": "variant" if size or colour else "product",
            "low_stock_threshold": None,
            "weight": weight,
            "length": length,
            "width": width,
            "height": height,
            "remote_updated_at": parse_timestamp(get("updated_at")),
        }
    )
    return row


def _checked_item_row(
    item: Any, how: InventoryMapping, *, pqs_only: bool = False
) -> dict[str, Any]:
    """`item_to_row` for any record and template, checking every field as it goes.

    Each column comes from the template's rule for its target (a variant row takes the
    `Variant …` target when the template maps it); a disabled target leaves the column
    empty here, and the writer does not overwrite it (`targets.owned_columns`).
    """
    ref = item_ref(item)
    if not isinstance(item, Mapping):
        raise MappingError(ref, "the record is not a JSON object")
    per_warehouse = warehouse_quantities(item, ref)
    counted_codes = how.counted
    counted = sum(n for code, n in per_warehouse.items() if code in counted_codes)
    template = how.template
    size = colour = ""
    if not pqs_only or not t.VARIANT_KEYS.isdisjoint(template.rules):
        # A price & quantity row needs to know a variant only to map it apart.
        size, colour = attributes(item, how.attribute_keys, ref)
    variant = bool(size or colour)
    source: dict[str, Any] = {
        **item,
        "quantity": counted,
        "inventory_tracking": "variant" if variant else "product",
        "map_price": item.get("mapp_price") if item.get("has_map_policy") else None,
    }

    def mapped(target: t.Target) -> tuple[str | None, Any]:
        key = t.rule_for(template, target, variant=variant)
        return key, (None if key is None else template.value(key, source))

    sku_key, raw_sku = mapped(t.BY_KEY["sku"])
    sku = "" if raw_sku is None else str(raw_sku).strip()
    level_key, level = mapped(t.BY_KEY["inventory_level"])
    for key, value in ((sku_key, sku), (level_key, level)):
        if value in (None, ""):
            raise MappingError(
                ref,
                f"Invalid request: Missing required field '{key or 'sku'}' for {INVENTORY_PURPOSE}",
            )
    try:
        quantity = int(level)
    except (TypeError, ValueError):
        raise MappingError(ref, f"{level_key} {level!r} is not a whole number") from None
    if quantity > 0:
        source["stock_status"] = "in_stock"
    else:
        status = str(item.get("status") or "")
        source["stock_status"] = "discontinued" if status in DISCONTINUED else "out_of_stock"
    row: dict[str, Any] = {
        "source_id": how.source_id,
        "sku": sku,
        "quantity": max(0, quantity),
        "warehouse_quantities": per_warehouse,
        "updated_at": how.now,
    }
    for target in t.PLAIN:
        if target.column in row or (pqs_only and not target.pqs):
            continue
        key, value = mapped(target)
        if key is None:
            row[target.column] = DISABLED.get(target.column)
            continue
        rule = template.rules[key]
        name = rule.arg if rule.kind is RuleKind.FIELD else key
        row[target.column] = _converted(target, value, name, ref)
    if pqs_only:
        return {k: row[k] for k in _PQS_ROW}
    row.update(
        master_sku=how.sku_prefix + sku,
        parent_sku=parent_sku(item.get("product_id"), ref, how.parents) if variant else sku,
        external_id=None if item.get("id") is None else str(item["id"]),
        description="",
        images=[],
        color=colour or None,
        size=size or None,
        remote_updated_at=parse_timestamp(item.get("updated_at")),
    )
    return {k: row[k] for k in _FULL_ROW}


# Both paths give their keys in this order (a page's rows go to one executemany).
_PQS_ROW = (
    "source_id",
    "sku",
    "cost",
    "list_price",
    "msrp",
    "map_price",
    "quantity",
    "warehouse_quantities",
    "stock_status",
    "sale_price",
    "updated_at",
)
_FULL_ROW = (
    *_PQS_ROW,
    "master_sku",
    "parent_sku",
    "external_id",
    "upc",
    "mpn",
    "title",
    "description",
    "images",
    "color",
    "size",
    "allow_backorders",
    "available_on",
    "inventory_tracking",
    "low_stock_threshold",
    "weight",
    "length",
    "width",
    "height",
    "remote_updated_at",
)
_TRUE = frozenset({"true", "yes", "y", "1", "on"})
_FALSE = frozenset({"false", "no", "n", "0", "off", ""})


def _converted(target: t.Target, value: Any, name: str, ref: str) -> Any:
    """A mapped value as its column keeps it; `MappingError` names the field and value."""
    match target.kind:
        case "price":
            return _decimal({name: value}, name, ref)
        case "number":
            return _number(value, name, ref)
        case "int":
            if value in (None, ""):
                return None
            if isinstance(value, bool) or not str(value).strip().lstrip("-").isdigit():
                raise MappingError(ref, f"{name} {value!r} is not a whole number")
            return int(str(value).strip())
        case "bool":
            if isinstance(value, bool):
                return value
            text = "" if value is None else str(value).strip().lower()
            if text in _TRUE or text in _FALSE:
                return text in _TRUE
            raise MappingError(ref, f"{name} {value!r} is not true or false")
        case "date":
            if value in (None, ""):
                return None
            when = parse_timestamp(value) if isinstance(value, str) else None
            if when is None:
                raise MappingError(ref, f"{name} {value!r} is not a date (use YYYY-MM-DD)")
            return when
        case _:
            if value in (None, ""):
                return DISABLED.get(target.column)
            return str(value)


def is_variant(row: Mapping[str, Any]) -> bool:
    """A row whose parent is its product, not itself."""
    return bool(row["parent_sku"] != row["sku"])


# -- orders -----------------------------------------------------------------------------------

ORDER_PURPOSE = "order creation"
ORDER_REQUIRED = ("customer_email",)
LINE_REQUIRED = ("line_item_sku", "line_item_quantity")
# The guide's Send Orders fields (System Field, snake case) over what a request offers:
# `order.*`, `customer.*` (the buyer's names), `billing.*` and `address.*` (name, first_name,
# last_name, address1, address2, city, state, zip, country, phone) and, per line, `line.*`
# (sku, quantity, price, name). ship_* are WPS's own cart fields.
DEFAULT_ORDER_RULES = {
    "customer_email": "field:order.customer_email",
    "customer_first_name": "field:customer.first_name",
    "customer_last_name": "field:customer.last_name",
    "billing_street_address_1": "field:billing.address1",
    "billing_city": "field:billing.city",
    "billing_state": "field:billing.state",
    "billing_zip": "field:billing.zip",
    "billing_country": "field:billing.country",
    "order_id": "field:order.number",
    "order_date": "field:order.placed_at",
    "total_amount": "field:order.total",
    "customer_note": "field:order.customer_note",
    "ship_name": "field:address.name",
    "ship_address1": "field:address.address1",
    "ship_address2": "field:address.address2",
    "ship_city": "field:address.city",
    "ship_state": "field:address.state",
    "ship_zip": "field:address.zip",
    "ship_phone": "field:address.phone",
    "shipping_country": "field:address.country",
    "line_item_sku": "field:line.sku",
    "line_item_quantity": "field:line.quantity",
    "line_item_price": "field:line.price",
    "line_item_name": "field:line.name",
}
# WPS's documented cart field lengths (POST /carts).
CART_LIMITS = {
    "ship_name": 30,
    "ship_address1": 30,
    "ship_address2": 30,
    "ship_city": 17,
    "ship_state": 2,
    "ship_zip": 15,
    "ship_phone": 15,
    "email": 50,
    "comment1": 50,
    "comment2": 50,
    "description": 50,
}
COMMENT_LENGTH = 50
# Guide fields the WPS cart documents no field for: sent under these names (WPS is not
# known to read them; docs/wps.md says so), so nothing mapped is silently dropped.
UNDOCUMENTED_CART_FIELDS = {
    "customer_first_name": "customer_first_name",
    "customer_last_name": "customer_last_name",
    "billing_street_address_1": "bill_address1",
    "billing_city": "bill_city",
    "billing_state": "bill_state",
    "billing_zip": "bill_zip",
    "billing_country": "bill_country",
    "shipping_country": "ship_country",
    "order_date": "order_date",
    "total_amount": "order_total",
}
# The WPS cart has no country: drop-ship goes to US addresses (and US territories, which
# shops often file as countries of their own).
US_COUNTRIES = frozenset(
    {"US", "USA", "UNITED STATES", "UNITED STATES OF AMERICA", "PR", "VI", "GU", "AS", "MP"}
)
# The guide's Order Status setting: the status a new order starts in at WPS. The WPS cart's
# only such switch is `hold_order` ("Hold order").
ORDER_STATUSES = {"Pending": False, "On Hold": True, "Awaiting Payment": True}


def order_template(rules: Mapping[str, Any] | None, sets: Mapping[str, Any] | None) -> Template:
    """The operator's order template over the defaults."""
    return Template.from_settings(rules or {}, sets).with_defaults(DEFAULT_ORDER_RULES)


@dataclass(frozen=True)
class CartPlan:
    """What `send_orders` sends for one fulfillment request: the cart and its lines."""

    po_number: str
    body: dict[str, Any]
    lines: list[tuple[str, int]]
    # Per line, what the cart item carries besides SKU and quantity (price, name).
    extras: list[dict[str, str]] = field(default_factory=list)


# Where AH2D ships ("FedEx 2-Day (AK/HI only)").
AH2D_STATES = ("AK", "HI")


def plain(value: Any) -> str:
    """A mapped value as one line of text: control characters and runs of space collapsed
    (a hostile order note never reaches WPS's fields, or a terminal, as it came)."""
    text = "".join(" " if not ch.isprintable() else ch for ch in str(value))
    return " ".join(text.split())


def comment_lines(note: str) -> list[str]:
    """A customer note in WPS's two 50-character comment lines, broken between words; a
    longer note is cut, ending in "…"."""
    lines: list[str] = []
    words = note.split(" ")
    current = ""
    for word in words:
        while len(word) > COMMENT_LENGTH:  # one unbroken run longer than a line
            room = COMMENT_LENGTH - len(current) - (1 if current else 0)
            if room <= 0:
                lines.append(current)
                current = ""
                continue
            current = f"{current} {word[:room]}" if current else word[:room]
            word = word[room:]
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= COMMENT_LENGTH:
            current = candidate
            continue
        lines.append(current)
        current = word
    if current:
        lines.append(current)
    if len(lines) > 2:
        lines = [lines[0], lines[1][: COMMENT_LENGTH - 1].rstrip() + "…"]
    return lines


def order_date(value: Any) -> str:
    """The order date as the guide writes it (`2025-05-29T10:00:00Z`)."""
    if isinstance(value, datetime):
        moment: datetime | None = value
    else:
        moment = parse_timestamp(str(value)) if value else None
    if moment is None:
        return plain(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def request_view(order: Mapping[str, Any], address: Mapping[str, Any]) -> dict[str, Any]:
    """What an order template reads: the order, the buyer, billing and shipping addresses."""
    billing = dict(order.get("billing_address") or {})
    first, last = person_names(billing)
    if not (first or last):
        first, last = person_names(address, str(order.get("customer_name") or ""))
    ship_first, ship_last = person_names(address)
    return {
        "order": dict(order),
        "customer": {"first_name": first, "last_name": last, "email": order.get("customer_email")},
        "billing": {**address_view(billing), "first_name": first, "last_name": last},
        "address": {**address_view(address), "first_name": ship_first, "last_name": ship_last},
    }


def cart_plan(
    template: Template,
    *,
    po_number: str,
    ship_via: str | None,
    order: Mapping[str, Any],
    address: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]],
    options: Mapping[str, Any],
) -> CartPlan:
    """Check and build a cart; raises `MappingError` (ref = PO) before anything is sent.

    `options` holds the run's cart switches: default_warehouse, multiple_warehouse,
    allow_backorder, hold_order (from the Order Status setting).
    """
    ref = f"PO {po_number}"
    view = request_view(order, address)
    head = template.apply(view, required=ORDER_REQUIRED, purpose=ORDER_PURPOSE, ref=ref)
    if not lines:
        raise MappingError(
            ref, f"Invalid request: Missing required field 'line_item_sku' for {ORDER_PURPOSE}"
        )
    cart_lines: list[tuple[str, int]] = []
    extras: list[dict[str, str]] = []
    for line in lines:
        mapped = template.apply(
            {**view, "line": dict(line)}, required=LINE_REQUIRED, purpose=ORDER_PURPOSE, ref=ref
        )
        quantity = mapped["line_item_quantity"]
        if isinstance(quantity, bool) or not str(quantity).isdigit() or int(quantity) < 1:
            raise MappingError(
                ref, f"line {mapped['line_item_sku']}: quantity {quantity!r} is not >= 1"
            )
        cart_lines.append((str(mapped["line_item_sku"]), int(quantity)))
        extra = {}
        for target, name in (("line_item_price", "price"), ("line_item_name", "name")):
            text = plain(mapped.get(target) or "")
            if text:
                extra[name] = text
        extras.append(extra)
    code = (ship_via or "").strip().upper()
    if code not in SHIP_VIA:
        shown = repr(ship_via) if ship_via else "no shipping method"
        raise MappingError(
            ref,
            f"shipping method {shown} is not supported by WPS; use one of "
            f"{', '.join(SHIP_VIA)} (map the order's shipping policy, or resubmit with "
            "--shipping-method)",
        )
    body: dict[str, Any] = {
        "po_number": po_number,
        "ship_via": code,
        "email": head["customer_email"],
    }
    for name in (
        "ship_name",
        "ship_address1",
        "ship_address2",
        "ship_city",
        "ship_zip",
        "ship_phone",
    ):
        if head.get(name):
            body[name] = plain(head[name])
    if head.get("ship_state"):
        body["ship_state"] = plain(head["ship_state"]).upper()
    country = plain(head.get("shipping_country") or "")
    if country and country.upper() not in US_COUNTRIES:
        raise MappingError(
            ref,
            f"WPS drop-ships to US addresses only (its cart has no country), and this order "
            f"ships to {country}; route it to another source",
        )
    if code == "AH2D" and body.get("ship_state") not in AH2D_STATES:
        # The guide: "AH2D = FedEx 2-Day (AK/HI only)".
        raise MappingError(
            ref,
            f"shipping method AH2D is FedEx 2-Day for Alaska and Hawaii only, and this order "
            f"ships to {body.get('ship_state') or 'no state'}; use FE2D (resubmit with "
            "--shipping-method)",
        )
    if head.get("order_id"):
        # The guide's External Order ID: the channel's order number, in the cart description.
        body["description"] = plain(head["order_id"])
    note = plain(head.get("customer_note") or "")
    for key, text in zip(
        ("comment1", "comment2"), comment_lines(note) if note else [], strict=False
    ):
        body[key] = text
    for target, key in UNDOCUMENTED_CART_FIELDS.items():
        raw = head.get(target)
        if raw in (None, ""):
            continue
        body[key] = order_date(raw) if target == "order_date" else plain(raw)
    for name, limit in CART_LIMITS.items():
        value = body.get(name)
        if isinstance(value, str) and len(value) > limit:
            raise MappingError(
                ref,
                f"{name} {value!r} is longer than WPS allows ({limit} characters); "
                + (
                    "map a shorter Order ID in the send_orders mapping template"
                    if name == "description"
                    else "edit the address and resubmit"
                ),
            )
    if options.get("default_warehouse"):
        body["default_warehouse"] = options["default_warehouse"]
    body["multiple_warehouse"] = bool(options.get("multiple_warehouse", True))
    body["allow_backorder"] = bool(options.get("allow_backorder", False))
    body["hold_order"] = bool(options.get("hold_order", False))
    return CartPlan(po_number=po_number, body=body, lines=cart_lines, extras=extras)


# WPS documents no length for po_number; its cart's longest text fields (ship_name,
# ship_address1..3) take 30 characters, and Dropdeck keeps its POs within that too.
PO_MAX_LENGTH = 30

# PO object field -> the neutral ship-to key (connectors.flows.supplier_orders.OrderContents).
PO_SHIP_TO = {
    "ship_name": "name",
    "ship_address": "address1",
    "ship_city": "city",
    "ship_state": "state",
    "ship_zip": "zip",
}


def cart_ship_to(body: Mapping[str, Any]) -> dict[str, str]:
    """The ship-to a cart body sends, keyed as `PO_SHIP_TO` names it."""
    sent = {**body, "ship_address": body.get("ship_address1")}
    return {key: str(sent.get(name) or "") for name, key in PO_SHIP_TO.items()}


def po_ship_to(po: Mapping[str, Any]) -> dict[str, str]:
    """The ship-to WPS keeps on a PO."""
    return {key: str(po.get(name) or "") for name, key in PO_SHIP_TO.items()}


def po_lines(po: Mapping[str, Any]) -> list[tuple[str, int]]:
    """(sku, quantity) of every item of every order under a PO (backorders included)."""
    out: list[tuple[str, int]] = []
    for detail in po.get("order_details") or []:
        items = detail.get("items") if isinstance(detail, Mapping) else None
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, Mapping):
                continue
            quantity = item.get("quantity")
            try:
                out.append((str(item.get("sku") or ""), int(quantity or 0)))
            except (TypeError, ValueError):
                out.append((str(item.get("sku") or ""), -1))  # never matches a real line
    return out


def order_numbers(po: Mapping[str, Any]) -> list[str]:
    """The WPS order numbers under a PO (one per warehouse split or backorder)."""
    details = po.get("order_details")
    if not isinstance(details, list):
        return []
    return [
        str(d["order_number"]) for d in details if isinstance(d, Mapping) and d.get("order_number")
    ]


# -- shipments ----------------------------------------------------------------------------------

SHIPPED = "SHIPPED"
INVOICED = "INVOICED"
# Each WPS ship-via code as the customer reads it: (carrier, service). The guide's list, and
# codes WPS answers with beyond it (FDXG, CO5 = OnTrac Ground). BEST is "Best Ground
# method available": WPS picks the carrier, so it is read from the tracking number.
SHIP_VIA_NAMES = {
    "AH2D": ("FedEx", "2 Day (Alaska/Hawaii)"),
    "BEST": ("", "Ground"),
    "FE1D": ("FedEx", "1 Day"),
    "FE2D": ("FedEx", "2 Day"),
    "FDXG": ("FedEx", "Ground"),
    "UP1D": ("UPS", "1 Day Red"),
    "UP2D": ("UPS", "2 Day Blue"),
    "US1C": ("USPS", "Priority Mail"),
    "US4C": ("USPS", "Parcel Post"),
    "CO5": ("OnTrac", "Ground"),
}
CARRIERS = {"AH": "FedEx", "FE": "FedEx", "FD": "FedEx", "UP": "UPS", "US": "USPS", "CO": "OnTrac"}


SHIPMENT_PURPOSE = "shipment sync"
SHIPMENT_REQUIRED = ("order_id", "shipment_id", "tracking_number")
# The guide's Get Shipments fields over what a PO offers: `po.*` (po_number, ship_name,
# ship_address, ship_city, ship_state, ship_zip), `detail.*` (one order detail: order_number,
# order_status, ship_date, ship_via, tracking_number = its first tracking number, …) and,
# per shipped item, `line.*` (sku, name, quantity = shipped quantity, price).
DEFAULT_SHIPMENT_RULES = {
    "order_id": "field:po.po_number",
    "shipment_id": "field:detail.order_number",
    "tracking_number": "field:detail.tracking_number",
    "shipping_method": "field:detail.ship_via",
    "shipment_status": "field:detail.order_status",
    "shipment_date": "field:detail.ship_date",
    # WPS documents neither; a PO detail that carries them (assumed names) fills them.
    "estimated_delivery_date": "field:detail.estimated_delivery_date",
    "shipment_notes": "field:detail.notes",
    "line_item_sku": "field:line.sku",
    "line_item_quantity": "field:line.quantity",
    "line_item_name": "field:line.name",
    "shipping_street_address_1": "field:po.ship_address",
    "shipping_city": "field:po.ship_city",
    "shipping_state": "field:po.ship_state",
    "shipping_zip": "field:po.ship_zip",
    "shipping_country": "none",  # a WPS PO has no country (drop-ship is US only)
}
# Shipping address target -> the key kept on the shipment.
SHIP_TO_TARGETS = {
    "shipping_street_address_1": "address1",
    "shipping_city": "city",
    "shipping_state": "state",
    "shipping_zip": "zip",
    "shipping_country": "country",
}
# The guide's shipment statuses (the Shipment Status Filter) and the WPS order statuses
# that read as each (only SHIPPED is seen in WPS's docs; the others are assumed).
SHIPMENT_STATUSES = ("Shipped", "In Transit", "Delivered")
STATUS_WORDS = {
    "SHIPPED": "Shipped",
    "INVOICED": "Shipped",
    "IN TRANSIT": "In Transit",
    "IN_TRANSIT": "In Transit",
    "INTRANSIT": "In Transit",
    "DELIVERED": "Delivered",
}


def shipment_template(rules: Mapping[str, Any] | None, sets: Mapping[str, Any] | None) -> Template:
    """The operator's shipment template over the defaults."""
    return Template.from_settings(rules or {}, sets).with_defaults(DEFAULT_SHIPMENT_RULES)


def status_word(raw: Any) -> str:
    """A WPS order status in the guide's words (`IN TRANSIT` → In Transit); '' for statuses
    that are not a shipment's; anything else as WPS wrote it."""
    text = " ".join(str(raw or "").split())
    if not text:
        return ""
    return STATUS_WORDS.get(text.upper(), text)


@dataclass(frozen=True)
class ShipmentRecord:
    """One shipped order detail of a PO: the shipment and its lines (sku, quantity)."""

    po_number: str
    external_id: str
    tracking_number: str
    carrier: str
    service: str
    shipped_at: datetime
    lines: list[tuple[str, int]]
    status: str | None = None  # the guide's word (Shipped, In Transit, Delivered)
    filter_status: str = "Shipped"  # what the Shipment Status Filter compares
    estimated_delivery: date | None = None
    notes: str | None = None
    ship_to: dict[str, str] = field(default_factory=dict)
    line_names: dict[str, str] = field(default_factory=dict)


def carrier_of(ship_via: str) -> str:
    """`UP2D` → UPS; unknown codes keep the code (an operator can still read it)."""
    return CARRIERS.get(ship_via[:2].upper(), ship_via) if ship_via else ""


def carrier_by_tracking(tracking: str) -> str:
    """The carrier a tracking number's shape names ('' when it names none)."""
    digits = tracking.replace(" ", "")
    if digits.upper().startswith("1Z"):
        return "UPS"
    if (
        digits.isdigit()
        and len(digits) in (20, 22, 26, 30, 34)
        and digits[:2] in ("91", "92", "93", "94", "95", "42")
    ):
        return "USPS"
    if digits.isdigit() and len(digits) in (12, 15, 20):
        return "FedEx"
    return ""


def shipped_via(ship_via: str, tracking: str) -> tuple[str, str]:
    """(carrier, service) named for the customer: `UP2D` → (UPS, 2 Day Blue); `BEST` →
    the tracking number's carrier and Ground; an unknown code → (its carrier or the code, '')."""
    code = ship_via.strip().upper()
    carrier, service = SHIP_VIA_NAMES.get(code, (carrier_of(code), ""))
    if not carrier:
        carrier = carrier_by_tracking(tracking) or "Best ground method"
        service = service if carrier != "Best ground method" else ""
    return carrier, service


def _date(raw: Any) -> date | None:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    moment = parse_timestamp(raw)
    return moment.date() if moment is not None else None


def _text(raw: Any) -> str | None:
    if raw in (None, ""):
        return None
    return " ".join("".join(" " if not c.isprintable() else c for c in str(raw)).split()) or None


def shipments_of(
    po: Mapping[str, Any], *, now: datetime, template: Template | None = None
) -> list[ShipmentRecord | MappingError]:
    """Each shipped order detail of a PO as a shipment (through the Get Shipments template),
    or the error that skips it.

    Order ID (the PO), Shipment ID (the detail's order number) and a Tracking Number are
    required; a detail shipped without tracking yet is reported and picked up next run.
    """
    how = template or DEFAULT_SHIPMENT_TEMPLATE
    po_number = str(po.get("po_number") or "")
    out: list[ShipmentRecord | MappingError] = []
    details = po.get("order_details")
    if not isinstance(details, list):
        return [MappingError(f"PO {po_number or '?'}", "order_details is not a list")]
    for detail in details:
        if not isinstance(detail, Mapping):
            out.append(MappingError(f"PO {po_number}", "an order detail is not an object"))
            continue
        word = status_word(detail.get("order_status"))
        if word not in SHIPMENT_STATUSES:
            if not detail.get("ship_date") or word.upper() in ("CANCELLED", "BACKORDERED"):
                continue
            word = "Shipped"  # a ship date says it left, whatever WPS calls it
        number = str(detail.get("order_number") or "")
        ref = f"PO {po_number or '?'} order {number or '?'}"
        tracking = detail.get("tracking_numbers")
        first = next((str(t) for t in tracking if t), "") if isinstance(tracking, list) else ""
        view = {"po": po, "detail": {**detail, "tracking_number": first}}
        try:
            head = how.apply(view, required=(), purpose=SHIPMENT_PURPOSE, ref=ref)
        except MappingError as exc:
            out.append(exc)
            continue
        missing = next((name for name in SHIPMENT_REQUIRED if head.get(name) in (None, "")), None)
        if missing is not None:
            what = missing.replace("_", " ")
            out.append(
                MappingError(
                    ref,
                    f"Invalid request: Missing required field '{missing}' for "
                    f"{SHIPMENT_PURPOSE} (shipped without {what}; skipped until WPS sends it)",
                )
            )
            continue
        lines: list[tuple[str, int]] = []
        names: dict[str, str] = {}
        for item in detail.get("items") or []:
            if not isinstance(item, Mapping):
                continue
            shipped = item.get("quantity_shipped") or item.get("quantity") or 0
            mapped = how.apply(
                {**view, "line": {**item, "quantity": shipped}},
                required=(),
                purpose=SHIPMENT_PURPOSE,
                ref=ref,
            )
            sku, qty = mapped.get("line_item_sku"), mapped.get("line_item_quantity")
            if not sku or isinstance(qty, bool) or not isinstance(qty, int) or qty <= 0:
                continue
            lines.append((str(sku), qty))
            name = _text(mapped.get("line_item_name"))
            if name:
                names[str(sku)] = name
        tracking_number = str(head["tracking_number"])
        carrier, service = shipped_via(str(head.get("shipping_method") or ""), tracking_number)
        mapped_status = head.get("shipment_status")
        out.append(
            ShipmentRecord(
                po_number=str(head["order_id"]),
                external_id=str(head["shipment_id"]),
                tracking_number=tracking_number,
                carrier=carrier,
                service=service,
                shipped_at=parse_timestamp(head.get("shipment_date")) or now,
                lines=lines,
                status=status_word(mapped_status) or None if mapped_status else None,
                filter_status=word,
                estimated_delivery=_date(head.get("estimated_delivery_date")),
                notes=_text(head.get("shipment_notes")),
                ship_to={
                    key: text
                    for target, key in SHIP_TO_TARGETS.items()
                    if (text := _text(head.get(target)))
                },
                line_names=names,
            )
        )
    return out


DEFAULT_SHIPMENT_TEMPLATE = shipment_template(None, None)


def all_cancelled(po: Mapping[str, Any]) -> bool:
    """Every order detail of the PO is cancelled (nothing will ship)."""
    details = po.get("order_details")
    return (
        isinstance(details, list)
        and bool(details)
        and all(
            isinstance(d, Mapping) and str(d.get("order_status", "")).upper() == "CANCELLED"
            for d in details
        )
    )


@dataclass(frozen=True)
class InvoiceRecord:
    """An invoiced order detail."""

    po_number: str
    external_id: str
    total: Decimal | None
    issued_at: datetime | None
    data: dict[str, Any]


def invoices_of(po: Mapping[str, Any]) -> list[InvoiceRecord]:
    """Each order detail of a PO that carries an invoice number."""
    out = []
    for detail in po.get("order_details") or []:
        if not isinstance(detail, Mapping) or not detail.get("invoice_number"):
            continue
        total = detail.get("order_total")
        out.append(
            InvoiceRecord(
                po_number=str(po.get("po_number") or ""),
                external_id=str(detail["invoice_number"]),
                total=None if total is None else Decimal(str(total)).quantize(Decimal("0.01")),
                issued_at=parse_timestamp(detail.get("invoice_date")),
                data={
                    "order_number": detail.get("order_number"),
                    "freight": detail.get("freight"),
                    "misc_charges": detail.get("misc_charges"),
                    "warehouse": detail.get("warehouse"),
                },
            )
        )
    return out
