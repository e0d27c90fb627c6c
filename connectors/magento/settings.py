"""Integration settings of the Magento operations, validated with one-line errors.

Every kind reads the connection-level `page_size` ("API Page Size", 250) and `store_code`
(the scope catalogue writes go to: `all`, `default` or a store view's code; see
docs/magento.md). Names follow the integration guide; docs/magento.md maps each to the
guide's words. A bad value raises `SettingsError` before any request.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from store.commands.pricing import ListingRule

from ..settings import (
    SettingsError,
    SettingsReader,
    TemplateLookup,
    integration_style,
    no_templates,
)

__all__ = [
    "ImportSettings",
    "ListingSyncSettings",
    "OrderSettings",
    "PublishSettings",
    "SettingsError",
    "SyncOrderSettings",
    "common",
]

_COMMON = ("page_size", "store_code")
_RULE_KEYS = ("price_from", "markup_percent", "safety_buffer")
_CODE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
PII_CHOICES = ("indefinitely", "30", "60", "90")
SYNC_FIELDS = (
    "price",
    "quantity",
    "in_stock",
    "status",
    "special_price",
    "visibility",
    "max_sale_qty",
    "name",
    "description",
    "short_description",
    "images",
    "categories",
    "upc",
)
# "Fields to Sync" kept in a variant's extra beside price and stock
# (`store.commands.listing_fields`).
FIELD_SETTINGS = ("special_price", "visibility", "max_sale_qty", "short_description")
# "Fields to Sync" of the listing's content (`store.commands.listing_content`).
CONTENT_SETTINGS = ("name", "description", "images", "categories", "upc")
# Magento's product visibility: "Not Visible Individually", "Catalog", "Search", "Catalog, Search".
VISIBILITY = {"not_visible": 1, "catalog": 2, "search": 3, "catalog_search": 4}
EMPTY = ""  # "Set To Empty" for Special Price: Magento removes the value


@dataclass(frozen=True)
class Common:
    """What every Magento kind reads: the API page size and the write scope."""

    page_size: int
    store_code: str


def _reader(raw: Mapping[str, Any], integration: str) -> SettingsReader:
    return SettingsReader(raw, integration_style(integration))


def common(raw: Mapping[str, Any], integration: str) -> Common:
    """`page_size` (250, 1..1000) and `store_code` (`all`, `default` or a store view code)."""
    r = _reader(raw, integration)
    code = raw.get("store_code", "all")
    if not isinstance(code, str) or not _CODE.match(code):
        raise r.error(
            "store_code",
            " must be all, default or a store view code (lowercase letters, digits, _), "
            f"not {code!r}",
        )
    return Common(page_size=r.integer("page_size", 250, 1, 1000), store_code=code)


def _text(r: SettingsReader, name: str, default: str, limit: int = 500) -> str:
    value = r.raw.get(name, default)
    if not isinstance(value, str) or len(value) > limit:
        raise r.error(name, f" must be text of at most {limit} characters, not {value!r}")
    return value


def _statuses(r: SettingsReader) -> tuple[str, ...]:
    value = r.raw.get("statuses", [])
    if isinstance(value, str):
        value = [v for v in value.replace(" ", ",").split(",") if v]
    if not isinstance(value, list) or any(
        not isinstance(v, str) or not _CODE.match(v) for v in value
    ):
        raise r.error(
            "statuses",
            " must list Magento order status codes (e.g. pending, processing); "
            f"an empty list gets every status, not {value!r}",
        )
    return tuple(value)


@dataclass(frozen=True)
class OrderSettings:
    """get_orders: which orders, how lines are identified, the acknowledgment, PII retention."""

    KEYS: ClassVar[tuple[str, ...]] = (
        *_COMMON,
        "days",
        "statuses",
        "use_parent_item_id",
        "acknowledge",
        "acknowledgment_comment",
        "pii_retention",
    )

    common: Common
    days: int
    statuses: tuple[str, ...]
    use_parent_item_id: bool
    acknowledge: bool
    acknowledgment_comment: str
    pii_retention: str

    @classmethod
    def parse(
        cls,
        raw: Mapping[str, Any],
        integration: str,
        *,
        kind: str = "get_orders",
        templates: TemplateLookup = no_templates,
    ) -> OrderSettings:
        """`days` (7), `statuses` ([] = all), `use_parent_item_id` (false), `acknowledge`
        (true), `acknowledgment_comment`, `pii_retention` (indefinitely | 30 | 60 | 90)."""
        r = _reader(raw, integration)
        retention = raw.get("pii_retention", "indefinitely")
        return cls(
            common=common(raw, integration),
            days=r.integer("days", 7, 1, 365),
            statuses=_statuses(r),
            use_parent_item_id=r.boolean("use_parent_item_id", False),
            acknowledge=r.boolean("acknowledge", True),
            acknowledgment_comment=_text(
                r, "acknowledgment_comment", "Order imported into Dropdeck."
            ).strip()
            or "Order imported into Dropdeck.",
            pii_retention=_retention(r, retention),
        )


def _retention(r: SettingsReader, value: Any) -> str:
    """ "Personal Identifying Information Retention": indefinitely, or 30/60/90 (days)."""
    if isinstance(value, bool) or not isinstance(value, str | int) or str(value) not in PII_CHOICES:
        raise r.error("pii_retention", f" must be indefinitely, 30, 60 or 90, not {value!r}")
    return str(value)


@dataclass(frozen=True)
class SyncOrderSettings:
    """sync_orders: the guide's switches for `order/{id}/ship`."""

    KEYS: ClassVar[tuple[str, ...]] = (
        *_COMMON,
        "notify_customer",
        "append_comment",
        "visible_on_front",
        "extension_attribute",
        "source_code",
        "comment",
    )

    common: Common
    notify_customer: bool
    append_comment: bool
    visible_on_front: bool
    extension_attribute: bool
    source_code: str
    comment: str

    @classmethod
    def parse(
        cls,
        raw: Mapping[str, Any],
        integration: str,
        *,
        kind: str = "sync_orders",
        templates: TemplateLookup = no_templates,
    ) -> SyncOrderSettings:
        """ "Notify Customer", "Append Comment", "Is Visible on Front", "Extension Attribute"
        (all false), `source_code` (default), `comment` (the shipment comment text)."""
        r = _reader(raw, integration)
        source = _text(r, "source_code", "default", 64).strip()
        if not source:
            raise r.error("source_code", " must name an inventory source, e.g. default")
        return cls(
            common=common(raw, integration),
            notify_customer=r.boolean("notify_customer", False),
            append_comment=r.boolean("append_comment", False),
            visible_on_front=r.boolean("visible_on_front", False),
            extension_attribute=r.boolean("extension_attribute", False),
            source_code=source,
            comment=_text(r, "comment", "Shipped by {carrier}, tracking {tracking}."),
        )


@dataclass(frozen=True)
class ImportSettings:
    """import_listings: paused, master SKU field, create only / create and update, image URL."""

    KEYS: ClassVar[tuple[str, ...]] = (
        *_COMMON,
        "new_listings_paused",
        "master_sku",
        "mode",
        "image_url_prefix",
    )

    common: Common
    new_listings_paused: bool
    master_sku: str
    mode: str
    image_url_prefix: str

    @classmethod
    def parse(
        cls,
        raw: Mapping[str, Any],
        integration: str,
        *,
        kind: str = "import_listings",
        templates: TemplateLookup = no_templates,
    ) -> ImportSettings:
        """ "Set New Listings to Paused" (false), `master_sku` (sku | upc | none), `mode`
        (create_only | create_and_update), `image_url_prefix` ("": the store's media URL)."""
        r = _reader(raw, integration)
        prefix = _text(r, "image_url_prefix", "").strip()
        if prefix and not prefix.startswith(("http://", "https://")):
            raise r.error(
                "image_url_prefix", f" must start with http:// or https://, not {prefix!r}"
            )
        return cls(
            common=common(raw, integration),
            new_listings_paused=r.boolean("new_listings_paused", False),
            master_sku=r.choice("master_sku", ("sku", "upc", "none")),
            mode=r.choice("mode", ("create_only", "create_and_update")),
            image_url_prefix=prefix,
        )


@dataclass(frozen=True)
class ListingSyncSettings:
    """sync_listings: "Fields to Sync", the listing rule, bulk or per-SKU writes."""

    KEYS: ClassVar[tuple[str, ...]] = (
        *_COMMON,
        "fields",
        "use_bulk",
        "concurrency",
        "special_price",
        "visibility",
        "max_sale_qty",
        "sync_direction",
        "override_images",
        *_RULE_KEYS,
    )

    common: Common
    fields: tuple[str, ...]
    use_bulk: bool
    concurrency: int
    rule: ListingRule
    # "Override or Delete Existing Images" for the Images field (false: add beside).
    override_images: bool = False
    # The mapping's "Value" for every listing (None: "Field", each listing's own value).
    constants: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def parse(
        cls,
        raw: Mapping[str, Any],
        integration: str,
        *,
        kind: str = "sync_listings",
        templates: TemplateLookup = no_templates,
    ) -> ListingSyncSettings:
        """`fields` (price, quantity, in_stock by default; status, special_price,
        visibility, max_sale_qty, name, description, short_description, images, categories,
        upc on request), `use_bulk` (false), `concurrency` (4, 1..16), `override_images`
        (false), the listing rule, and for special_price, visibility and max_sale_qty a
        constant for every listing ("Value")."""
        r = _reader(raw, integration)
        if raw.get("sync_direction", "to_magento") != "to_magento":
            raise r.error(
                "sync_direction",
                " must be to_magento: Magento's Sync & Link Listings writes from Dropdeck "
                f"to Magento only (bidirectional is not supported), not {raw['sync_direction']!r}",
            )
        fields = raw.get("fields", ["price", "quantity", "in_stock"])
        if not isinstance(fields, list) or not fields or any(f not in SYNC_FIELDS for f in fields):
            raise r.error(
                "fields", f" must list one or more of {', '.join(SYNC_FIELDS)}, not {fields!r}"
            )
        return cls(
            common=common(raw, integration),
            fields=tuple(fields),
            use_bulk=r.boolean("use_bulk", False),
            concurrency=r.integer("concurrency", 4, 1, 16),
            rule=r.listing_rule(),
            override_images=r.boolean("override_images", False),
            constants=_constants(r),
        )


def _constants(r: SettingsReader) -> dict[str, Any]:
    """`special_price` (a price, or "empty": Set To Empty), `visibility` (not_visible,
    catalog, search, catalog_search), `max_sale_qty` (1..10000); absent: each listing's own."""
    out: dict[str, Any] = {}
    special = r.raw.get("special_price")
    if special is not None:
        if special == "empty":
            out["special_price"] = EMPTY
        else:
            try:
                amount = Decimal(str(special))
            except InvalidOperation:
                amount = Decimal(-1)
            if isinstance(special, bool) or not amount.is_finite() or amount < 0:
                raise r.error(
                    "special_price", f" must be a price or empty (Set To Empty), not {special!r}"
                )
            out["special_price"] = str(amount.quantize(Decimal("0.01")))
    visibility = r.raw.get("visibility")
    if visibility is not None:
        if visibility not in VISIBILITY:
            raise r.error(
                "visibility", f" must be one of {', '.join(VISIBILITY)}, not {visibility!r}"
            )
        out["visibility"] = VISIBILITY[visibility]
    if r.raw.get("max_sale_qty") is not None:
        out["max_sale_qty"] = r.integer("max_sale_qty", 10000, 1, 10000)
    return out


@dataclass(frozen=True)
class PublishSettings:
    """publish_listings: "Update Existing Products", "Create New Products", image handling."""

    KEYS: ClassVar[tuple[str, ...]] = (
        *_COMMON,
        "update_existing",
        "create_new",
        "images",
        "override_images",
        *_RULE_KEYS,
    )

    common: Common
    update_existing: bool
    create_new: bool
    images: str
    override_images: bool
    rule: ListingRule

    @classmethod
    def parse(
        cls,
        raw: Mapping[str, Any],
        integration: str,
        *,
        kind: str = "publish_listings",
        templates: TemplateLookup = no_templates,
    ) -> PublishSettings:
        """`update_existing` (true), `create_new` (true), `images` (dont_map | set_to_empty
        | direct_copy), "Override or Delete Existing Images" (`override_images`, false)."""
        r = _reader(raw, integration)
        return cls(
            common=common(raw, integration),
            update_existing=r.boolean("update_existing", True),
            create_new=r.boolean("create_new", True),
            images=r.choice("images", ("dont_map", "set_to_empty", "direct_copy")),
            override_images=r.boolean("override_images", False),
            rule=r.listing_rule(),
        )
