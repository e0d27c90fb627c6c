"""Settings of the WPS integration kinds (docs/wps.md lists them with their defaults).

Each type is a `connectors.settings.KindSettings`: `parse` refuses a bad value with a
one-line error saying what to fix (`get_inventory setting 'page_size' must be …`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from ..flows.supplier_tracking import TrackSettings
from ..mapping import Template
from ..settings import SettingsReader, TemplateField, TemplateLookup, TemplateSpec, kind_style
from . import mapping as m
from . import targets as t
from .client import MAX_PAGE_SIZE

__all__ = ["InventorySettings", "SendSettings", "ShipmentSettings", "TrackSettings"]

DEFAULT_PAGE_SIZE = 5000

# The inventory template's fields in the guide's words (`dropdeck mappings templates show`).
INVENTORY_TEMPLATE = TemplateSpec(
    "inventory",
    tuple(
        TemplateField(
            key=x.key,
            label=x.label,
            maps_to=x.maps_to,
            default=x.default if x.variant_of is None else "",
            required=x.required,
            follows=t.BY_KEY[x.variant_of].label if x.variant_of else "",
        )
        for x in t.TARGETS
    ),
    t.canonical,
)


@dataclass(frozen=True)
class InventorySettings:
    """get_inventory / get_pqs settings (get_pqs always updates price and quantity only)."""

    KEYS: ClassVar[tuple[str, ...]] = (
        "include_variants",
        "modified_within_days",
        "pqs_focus",
        "warehouses",
        "page_size",
        "mapping_template",
    )
    TEMPLATE: ClassVar[TemplateSpec] = INVENTORY_TEMPLATE

    include_variants: bool
    modified_within_days: int | None
    pqs_focus: bool
    warehouses: tuple[str, ...]
    page_size: int
    template: Template

    @classmethod
    def parse(
        cls,
        raw: Mapping[str, Any],
        *,
        integration: str,
        kind: str,
        templates: TemplateLookup,
    ) -> InventorySettings:
        """Validated settings of `kind` (get_inventory or get_pqs)."""
        r = SettingsReader(raw, kind_style(kind))
        page_size = r.integer("page_size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
        template = r.template(
            cls.TEMPLATE,
            base=m.inventory_template(None, None),
            purpose=m.INVENTORY_PURPOSE,
            templates=templates,
        )
        return cls(
            include_variants=r.boolean("include_variants", True),
            modified_within_days=r.days("modified_within_days", None),
            pqs_focus=kind == "get_pqs" or r.boolean("pqs_focus", False),
            warehouses=r.codes("warehouses", m.WAREHOUSES, m.WAREHOUSES),
            page_size=page_size,
            template=template,
        )


@dataclass(frozen=True)
class SendSettings:
    """send_orders settings."""

    KEYS: ClassVar[tuple[str, ...]] = (
        "mapping_template",
        "default_warehouse",
        "multiple_warehouse",
        "allow_backorder",
        "po_prefix",
        "order_status",
    )
    TEMPLATE: ClassVar[TemplateSpec] = TemplateSpec.of(
        "order", m.DEFAULT_ORDER_RULES, (*m.ORDER_REQUIRED, *m.LINE_REQUIRED)
    )

    template: Template
    default_warehouse: str | None
    multiple_warehouse: bool
    allow_backorder: bool
    po_prefix: str
    order_status: str  # the guide's Order Status: a key of `m.ORDER_STATUSES`

    @classmethod
    def parse(
        cls,
        raw: Mapping[str, Any],
        *,
        integration: str,
        kind: str,
        templates: TemplateLookup,
    ) -> SendSettings:
        """Validated send_orders settings."""
        r = SettingsReader(raw, kind_style(kind))
        # A target WPS has no field for is refused here, not silently dropped.
        template = r.template(
            cls.TEMPLATE,
            base=m.order_template(None, None),
            purpose=m.ORDER_PURPOSE,
            templates=templates,
        )
        warehouse = None
        if raw.get("default_warehouse") is not None:
            codes = r.codes("default_warehouse", m.CART_WAREHOUSES, ())
            if len(codes) != 1:
                raise r.error("default_warehouse", " takes one warehouse")
            warehouse = codes[0]
        return cls(
            template=template,
            default_warehouse=warehouse,
            multiple_warehouse=r.boolean("multiple_warehouse", True),
            allow_backorder=r.boolean("allow_backorder", False),
            po_prefix=r.po_prefix("WPS", m.PO_MAX_LENGTH),
            order_status=_order_status(r, raw.get("order_status")),
        )


def _order_status(r: SettingsReader, value: Any) -> str:
    """The guide's Order Status (any case): Pending, or a held status."""
    if value is None:
        return "Pending"
    found = next(
        (
            s
            for s in m.ORDER_STATUSES
            if isinstance(value, str) and s.casefold() == value.strip().casefold()
        ),
        None,
    )
    if found is None:
        listed = ", ".join(repr(s) for s in m.ORDER_STATUSES)
        raise r.error(
            "order_status",
            f" must be one of {listed} (WPS places an order as it comes, or holds it), "
            f"not {value!r}",
        )
    return found


@dataclass(frozen=True)
class ShipmentSettings:
    """get_shipments settings: which requests to follow up, and the guide's Sync Frequency,
    Shipment Status Filter and Mapping Template."""

    KEYS: ClassVar[tuple[str, ...]] = (
        *TrackSettings.KEYS,
        "updated_within_days",
        "shipment_status_filter",
        "mapping_template",
    )
    TEMPLATE: ClassVar[TemplateSpec] = TemplateSpec.of(
        "shipment", m.DEFAULT_SHIPMENT_RULES, m.SHIPMENT_REQUIRED
    )

    track: TrackSettings
    updated_within_days: int | None
    status_filter: tuple[str, ...]
    template: Template

    @classmethod
    def parse(
        cls,
        raw: Mapping[str, Any],
        *,
        integration: str,
        kind: str,
        templates: TemplateLookup,
    ) -> ShipmentSettings:
        """Validated get_shipments settings."""
        r = SettingsReader(raw, kind_style(kind))
        track = TrackSettings.parse(raw, integration=integration, kind=kind, templates=templates)
        template = r.template(
            cls.TEMPLATE,
            base=m.shipment_template(None, None),
            purpose=m.SHIPMENT_PURPOSE,
            templates=templates,
        )
        return cls(
            track=track,
            updated_within_days=r.days("updated_within_days", None),
            status_filter=_status_filter(r, raw.get("shipment_status_filter")),
            template=template,
        )


def _status_filter(r: SettingsReader, value: Any) -> tuple[str, ...]:
    """The guide's Shipment Status Filter: some of Shipped, In Transit, Delivered (any
    case; a list or a comma-separated text); all three when not set."""
    if value is None:
        return m.SHIPMENT_STATUSES
    words = value.split(",") if isinstance(value, str) else value
    by_key = {s.casefold(): s for s in m.SHIPMENT_STATUSES}
    if not isinstance(words, list) or not words:
        words = [value]
    chosen = []
    for word in words:
        found = by_key.get(" ".join(str(word).split()).casefold()) if word is not None else None
        if found is None:
            listed = ", ".join(m.SHIPMENT_STATUSES)
            raise r.error("shipment_status_filter", f" must list some of {listed}, not {value!r}")
        if found not in chosen:
            chosen.append(found)
    return tuple(chosen)
