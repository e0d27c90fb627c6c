"""The WPS inventory mapping template's targets, in the guide's words (docs/wps.md).

Each target is one row of the guide's "Complete Field Mappings" (WPS field → what it maps
to) and the `inventory_item` column it fills. A template names targets by key
(`sale_price`) or by the guide's words (`Sale Price`); older keys (`cost`, `list_price`,
`msrp`) still work. A `Variant …` target is what a variant row takes; left unmapped it
follows its plain target (`variant_price` follows `price`), so mapping `Price` maps both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from ..mapping import RuleKind, Template

Kind = Literal["text", "int", "bool", "price", "number", "date"]


@dataclass(frozen=True)
class Target:
    """One mappable field: template key, the guide's words, the store column it fills."""

    key: str
    label: str  # the guide's "WPS Field"
    maps_to: str  # the guide's "Maps To"
    column: str  # inventory_item column
    kind: Kind
    default: str = "none"  # the rule a template gets when it does not name this target
    variant_of: str | None = None  # a Variant target: the plain target it follows
    pqs: bool = False  # in the guide's Pricing & Quantity Focus list
    required: bool = False
    group: str = "Inventory Fields"


def _t(*args: Any, **kwargs: Any) -> Target:
    return Target(*args, **kwargs)


PRICING, PHYSICAL, OTHER = "Pricing Fields", "Physical Attributes", "Dropdeck"
TARGETS: tuple[Target, ...] = (
    _t("sku", "SKU", "Master SKU", "sku", "text", "field:sku", pqs=True, required=True),
    _t(
        "inventory_level",
        "Inventory Level",
        "Quantity",
        "quantity",
        "int",
        "field:quantity",
        pqs=True,
        required=True,
    ),
    _t(
        "inventory_tracking",
        "Inventory Tracking",
        "Inventory Tracking",
        "inventory_tracking",
        "text",
        "field:inventory_tracking",
    ),
    _t(
        "stock_status",
        "Stock Status",
        "Stock Status",
        "stock_status",
        "text",
        "field:stock_status",
        pqs=True,
    ),
    _t("allow_backorders", "Allow Backorders", "Allow Backorders", "allow_backorders", "bool"),
    _t("upc", "UPC", "UPC", "upc", "text", "field:upc"),
    _t("mpn", "MPN", "MPN", "mpn", "text", "field:supplier_product_id"),
    _t("variant_sku", "Variant SKU", "Variant SKU", "sku", "text", variant_of="sku", pqs=True),
    _t(
        "variant_inventory_level",
        "Variant Inventory Level",
        "Variant Quantity",
        "quantity",
        "int",
        variant_of="inventory_level",
        pqs=True,
    ),
    _t(
        "variant_allow_backorders",
        "Variant Allow Backorders",
        "Variant Allow Backorders",
        "allow_backorders",
        "bool",
        variant_of="allow_backorders",
    ),
    _t(
        "inventory_warning_level",
        "Inventory Warning Level",
        "Low Stock Threshold",
        "low_stock_threshold",
        "int",
    ),
    _t("availability_date", "Availability Date", "Availability Date", "available_on", "date"),
    _t(
        "price",
        "Price",
        "List Price",
        "list_price",
        "price",
        "field:list_price",
        pqs=True,
        group=PRICING,
    ),
    _t(
        "sale_price",
        "Sale Price",
        "Discounted Price",
        "sale_price",
        "price",
        pqs=True,
        group=PRICING,
    ),
    _t(
        "cost_price",
        "Cost Price",
        "Cost Price",
        "cost",
        "price",
        "field:standard_dealer_price",
        pqs=True,
        group=PRICING,
    ),
    _t(
        "retail_price",
        "Retail Price",
        "MSRP",
        "msrp",
        "price",
        "field:list_price",
        pqs=True,
        group=PRICING,
    ),
    _t(
        "variant_price",
        "Variant Price",
        "Variant List Price",
        "list_price",
        "price",
        variant_of="price",
        pqs=True,
        group=PRICING,
    ),
    _t(
        "variant_sale_price",
        "Variant Sale Price",
        "Variant Discounted Price",
        "sale_price",
        "price",
        variant_of="sale_price",
        pqs=True,
        group=PRICING,
    ),
    _t("weight", "Weight", "Weight", "weight", "number", "field:weight", group=PHYSICAL),
    _t("width", "Width", "Width", "width", "number", "field:width", group=PHYSICAL),
    _t("height", "Height", "Height", "height", "number", "field:height", group=PHYSICAL),
    _t("depth", "Depth", "Length", "length", "number", "field:length", group=PHYSICAL),
    # Beyond the guide's table: the item's name, and the MAP price WPS publishes.
    _t("title", "Name", "Title", "title", "text", "field:name", group=OTHER),
    _t(
        "map_price",
        "MAP Price",
        "MAP Price",
        "map_price",
        "price",
        "field:map_price",
        pqs=True,
        group=OTHER,
    ),
)
BY_KEY = {t.key: t for t in TARGETS}
KEYS = tuple(BY_KEY)
# Also accepted: the guide's words ("Sale Price") and the keys of earlier versions.
ALIASES = {
    **{t.label: t.key for t in TARGETS},
    **{t.label.lower(): t.key for t in TARGETS},
    "cost": "cost_price",
    "list_price": "price",
    "msrp": "retail_price",
}
# Targets a template gets when it does not name them (Variant targets follow their plain one).
DEFAULT_RULES = {t.key: t.default for t in TARGETS if t.variant_of is None}
REQUIRED = tuple(t.key for t in TARGETS if t.required)
# Values the mapping works out for the template to read (`field:quantity`), not WPS fields.
COMPUTED = frozenset({"quantity", "stock_status", "inventory_tracking", "map_price"})


def canonical(rules: Mapping[str, Any]) -> dict[str, Any]:
    """`rules` keyed by target key (aliases resolved); a target named twice is refused."""
    out: dict[str, Any] = {}
    for name, rule in rules.items():
        key = ALIASES.get(name, name)
        if key in out:
            raise ValueError(f"{key} is mapped twice (as {name!r} too)")
        out[key] = rule
    return out


def rule_for(template: Template, target: Target, *, variant: bool) -> str | None:
    """The target key whose rule fills `target`'s column on this row (None: disabled)."""
    key = target.key
    if variant and target.variant_of is None:
        # A variant row takes the Variant target when the template has one.
        shadow = VARIANT_OF.get(key)
        if shadow is not None and shadow in template.rules:
            key = shadow
    rule = template.rules.get(key)
    return None if rule is None or rule.kind is RuleKind.NONE else key


VARIANT_OF = {t.variant_of: t.key for t in TARGETS if t.variant_of is not None}
VARIANT_KEYS = frozenset(VARIANT_OF.values())
PLAIN = tuple(t for t in TARGETS if t.variant_of is None)


def owned_columns(template: Template, *, pqs_only: bool) -> frozenset[str]:
    """Columns some enabled rule fills: the import writes these and leaves the others be."""
    return frozenset(
        t.column
        for t in PLAIN
        if (not pqs_only or t.pqs)
        and (
            rule_for(template, t, variant=False) is not None
            or rule_for(template, t, variant=True) is not None
        )
    )
