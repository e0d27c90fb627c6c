"""Settings of the US Direct integration kinds (docs/usdirect.md lists them with defaults).

Each type is a `connectors.settings.KindSettings`: `parse` refuses a bad value with a
one-line error saying what to fix (`get_inventory setting 'feed' must be …`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from ..flows.supplier_tracking import TrackedTemplateSettings
from ..mapping import Template
from ..settings import SettingsReader, TemplateLookup, TemplateSpec, kind_style
from . import mapping as m

__all__ = ["InventorySettings", "InvoiceSettings", "SendSettings", "ShipmentSettings"]


@dataclass(frozen=True)
class InventorySettings:
    """get_inventory: which feed, the guide's three switches, the template, feed lateness."""

    KEYS: ClassVar[tuple[str, ...]] = (
        "feed",
        "sync_inventory",
        "sync_pricing",
        "sync_quantity",
        "mapping_template",
        "feed_max_age_hours",
        "batch_size",
    )
    TEMPLATE: ClassVar[TemplateSpec] = TemplateSpec.of(
        "inventory", m.DEFAULT_INVENTORY_RULES, m.INVENTORY_REQUIRED, m.INVENTORY_TARGETS
    )

    feed: str  # "primary" or "secondary" (the guide's Get Inventory Primary/Secondary)
    sync_inventory: bool  # new items and names; off: price/quantity of known SKUs only
    sync_pricing: bool
    sync_quantity: bool
    template: Template
    feed_max_age_hours: int
    batch_size: int

    @classmethod
    def parse(
        cls,
        raw: Mapping[str, Any],
        *,
        integration: str,
        kind: str,
        templates: TemplateLookup,
    ) -> InventorySettings:
        """Validated get_inventory settings."""
        r = SettingsReader(raw, kind_style(kind))
        feed = r.choice("feed", ("primary", "secondary"))
        switches = [r.boolean(n, True) for n in ("sync_inventory", "sync_pricing", "sync_quantity")]
        if not any(switches):
            raise r.error(
                "sync_inventory",
                ": Sync Inventory, Sync Pricing and Sync Quantity are all off; turn one on",
            )
        template = r.template(
            cls.TEMPLATE,
            base=m.inventory_template(),
            purpose=m.INVENTORY_PURPOSE,
            templates=templates,
        )
        return cls(
            feed=feed,
            sync_inventory=switches[0],
            sync_pricing=switches[1],
            sync_quantity=switches[2],
            template=template,
            feed_max_age_hours=r.integer("feed_max_age_hours", 24, 1, 24 * 30),
            batch_size=r.integer("batch_size", 5000, 100, 50_000),
        )


@dataclass(frozen=True)
class SendSettings:
    """send_orders: the order mapping template (PO Number, Ship To Address, Item Number)."""

    KEYS: ClassVar[tuple[str, ...]] = ("mapping_template",)
    TEMPLATE: ClassVar[TemplateSpec] = TemplateSpec.of(
        "order", m.DEFAULT_ORDER_RULES, (*m.ORDER_REQUIRED, *m.LINE_REQUIRED)
    )

    template: Template

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
        # A target US Direct has no field for is refused here, not silently dropped.
        template = r.template(
            cls.TEMPLATE, base=m.order_template(), purpose=m.ORDER_PURPOSE, templates=templates
        )
        return cls(template=template)


class ShipmentSettings(TrackedTemplateSettings):
    """get_shipments: which requests to follow up, and the Get Shipments template."""

    TEMPLATE: ClassVar[TemplateSpec] = TemplateSpec.of(
        "shipment", m.DEFAULT_SHIPMENT_RULES, m.SHIPMENT_REQUIRED, m.SHIPMENT_TARGETS
    )
    PURPOSE: ClassVar[str] = m.SHIPMENT_PURPOSE

    @classmethod
    def base_template(cls) -> Template:
        return m.shipment_template()


class InvoiceSettings(TrackedTemplateSettings):
    """get_invoice: which requests to follow up, and the Source Invoice template."""

    TEMPLATE: ClassVar[TemplateSpec] = TemplateSpec.of(
        "invoice", m.DEFAULT_INVOICE_RULES, m.INVOICE_REQUIRED, m.INVOICE_TARGETS
    )
    PURPOSE: ClassVar[str] = m.INVOICE_PURPOSE

    @classmethod
    def base_template(cls) -> Template:
        return m.invoice_template()
