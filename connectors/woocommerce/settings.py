"""Integration settings of the WooCommerce operations, validated with one-line errors.

Defaults and meanings are documented in docs/woocommerce.md. Each kind's type is a
`connectors.settings.KindSettings`; a bad value raises `SettingsError` (a `FatalError`):
the run fails before any request, saying what to fix
(`woo/get_orders: invalid setting: days must be …; fix it in the integration`).
Every kind reads `api_version`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, cast

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
    "LinkSettings",
    "ListingSyncSettings",
    "OrderSettings",
    "PublishSettings",
    "SettingsError",
    "SyncOrderSettings",
    "api_version",
    "listing_rule",
]

ORDER_STATUSES = (
    "pending",
    "processing",
    "on-hold",
    "completed",
    "cancelled",
    "refunded",
    "failed",
)
API_VERSIONS = ("wc/v3", "wc/v2")
_RULE_KEYS = ("price_from", "markup_percent", "safety_buffer")


def _reader(raw: Mapping[str, Any], integration: str) -> SettingsReader:
    return SettingsReader(raw, integration_style(integration))


def api_version(raw: Mapping[str, Any], integration: str) -> str:
    """`api_version`: `wc/v3` (default) or `wc/v2`."""
    return _reader(raw, integration).choice("api_version", API_VERSIONS)


def listing_rule(raw: Mapping[str, Any], integration: str) -> ListingRule:
    """The listing rule (`price_from`, `markup_percent`, `safety_buffer`)."""
    return _reader(raw, integration).listing_rule()


@dataclass(frozen=True)
class ImportSettings:
    """import_listings: `mode` (create_only | create_and_overwrite), `new_listings_paused`."""

    KEYS: ClassVar[tuple[str, ...]] = ("api_version", "mode", "new_listings_paused")

    mode: Literal["create_only", "create_and_overwrite"]
    new_listings_paused: bool
    api_version: str = API_VERSIONS[0]

    @classmethod
    def parse(
        cls,
        raw: Mapping[str, Any],
        integration: str,
        *,
        kind: str = "import_listings",
        templates: TemplateLookup = no_templates,
    ) -> ImportSettings:
        """`mode` (create_only), `new_listings_paused` (false)."""
        r = _reader(raw, integration)
        version = r.choice("api_version", API_VERSIONS)
        mode = r.choice("mode", ("create_only", "create_and_overwrite"))
        paused = r.boolean("new_listings_paused", False)
        return cls(
            mode=cast(Literal["create_only", "create_and_overwrite"], mode),
            new_listings_paused=paused,
            api_version=version,
        )


@dataclass(frozen=True)
class LinkSettings:
    """link_listings: `match_on`."""

    KEYS: ClassVar[tuple[str, ...]] = ("api_version", "match_on")

    match_on: Literal["sku", "upc"]
    api_version: str = API_VERSIONS[0]

    @classmethod
    def parse(
        cls,
        raw: Mapping[str, Any],
        integration: str,
        *,
        kind: str = "link_listings",
        templates: TemplateLookup = no_templates,
    ) -> LinkSettings:
        """`match_on`: sku (default) or upc."""
        r = _reader(raw, integration)
        version = r.choice("api_version", API_VERSIONS)
        match_on = cast(Literal["sku", "upc"], r.choice("match_on", ("sku", "upc")))
        return cls(match_on=match_on, api_version=version)


@dataclass(frozen=True)
class ListingSyncSettings:
    """sync_listings: the listing rule."""

    KEYS: ClassVar[tuple[str, ...]] = ("api_version", *_RULE_KEYS)

    rule: ListingRule
    api_version: str = API_VERSIONS[0]

    @classmethod
    def parse(
        cls,
        raw: Mapping[str, Any],
        integration: str,
        *,
        kind: str = "sync_listings",
        templates: TemplateLookup = no_templates,
    ) -> ListingSyncSettings:
        """`price_from` (cost), `markup_percent` (30), `safety_buffer` (0)."""
        r = _reader(raw, integration)
        version = r.choice("api_version", API_VERSIONS)
        return cls(rule=r.listing_rule(), api_version=version)


@dataclass(frozen=True)
class PublishSettings:
    """publish_listings: the listing rule and `overwrite`."""

    KEYS: ClassVar[tuple[str, ...]] = ("api_version", "overwrite", *_RULE_KEYS)

    rule: ListingRule
    overwrite: bool
    api_version: str = API_VERSIONS[0]

    @classmethod
    def parse(
        cls,
        raw: Mapping[str, Any],
        integration: str,
        *,
        kind: str = "publish_listings",
        templates: TemplateLookup = no_templates,
    ) -> PublishSettings:
        """The listing rule, `overwrite` (false: only pending overwrites refresh content)."""
        r = _reader(raw, integration)
        version = r.choice("api_version", API_VERSIONS)
        rule = r.listing_rule()
        return cls(rule=rule, overwrite=r.boolean("overwrite", False), api_version=version)


@dataclass(frozen=True)
class OrderSettings:
    """get_orders: which orders to import."""

    KEYS: ClassVar[tuple[str, ...]] = ("api_version", "statuses", "days")

    statuses: tuple[str, ...]
    days: int
    api_version: str = API_VERSIONS[0]

    @classmethod
    def parse(
        cls,
        raw: Mapping[str, Any],
        integration: str,
        *,
        kind: str = "get_orders",
        templates: TemplateLookup = no_templates,
    ) -> OrderSettings:
        """`statuses` (["processing"]), `days` (7, 1..365)."""
        r = _reader(raw, integration)
        version = r.choice("api_version", API_VERSIONS)
        statuses = raw.get("statuses", ["processing"])
        if (
            not isinstance(statuses, list)
            or not statuses
            or any(s not in ORDER_STATUSES for s in statuses)
        ):
            raise r.error(
                "statuses",
                f" must be a non-empty list of {', '.join(ORDER_STATUSES)}, not {statuses!r}",
            )
        days = r.integer("days", 7, 1, 365)
        return cls(statuses=tuple(statuses), days=days, api_version=version)


@dataclass(frozen=True)
class SyncOrderSettings:
    """sync_orders: how shipments are pushed to the store."""

    KEYS: ClassVar[tuple[str, ...]] = (
        "api_version",
        "use_shipment_tracking",
        "complete_when_shipped",
        "customer_note",
    )

    use_shipment_tracking: bool
    complete_when_shipped: bool
    customer_note: bool
    api_version: str = API_VERSIONS[0]

    @classmethod
    def parse(
        cls,
        raw: Mapping[str, Any],
        integration: str,
        *,
        kind: str = "sync_orders",
        templates: TemplateLookup = no_templates,
    ) -> SyncOrderSettings:
        """`use_shipment_tracking` (false), `complete_when_shipped` (true), `customer_note`
        (true: the note is emailed to the shopper)."""
        r = _reader(raw, integration)
        version = r.choice("api_version", API_VERSIONS)
        return cls(
            use_shipment_tracking=r.boolean("use_shipment_tracking", False),
            complete_when_shipped=r.boolean("complete_when_shipped", True),
            customer_note=r.boolean("customer_note", True),
            api_version=version,
        )
