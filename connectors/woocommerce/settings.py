"""Integration settings of the WooCommerce operations, validated with one-line errors.

Defaults and meanings are documented in docs/woocommerce.md. A bad value raises
`SettingsError` (a `FatalError`): the run fails before any request, saying what to fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from store.commands.pricing import ListingRule

from ..errors import FatalError

ORDER_STATUSES = (
    "pending",
    "processing",
    "on-hold",
    "completed",
    "cancelled",
    "refunded",
    "failed",
)


class SettingsError(FatalError):
    """An integration setting is missing or invalid."""


def _fail(integration: str, message: str) -> SettingsError:
    return SettingsError(f"{integration}: invalid setting: {message}; fix it in the integration")


def _bool(raw: dict[str, Any], name: str, default: bool, integration: str) -> bool:
    value = raw.get(name, default)
    if not isinstance(value, bool):
        raise _fail(integration, f"{name} must be true or false, not {value!r}")
    return value


def _int(raw: dict[str, Any], name: str, default: int, low: int, high: int, who: str) -> int:
    value = raw.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _fail(who, f"{name} must be a whole number from {low} to {high}, not {value!r}")
    return value


def _choice(raw: dict[str, Any], name: str, options: tuple[str, ...], who: str) -> str:
    value = raw.get(name, options[0])
    if value not in options:
        raise _fail(who, f"{name} must be {' or '.join(repr(o) for o in options)}, not {value!r}")
    return str(value)


def api_version(raw: dict[str, Any], integration: str) -> str:
    """`api_version`: `wc/v3` (default) or `wc/v2`."""
    return _choice(raw, "api_version", ("wc/v3", "wc/v2"), integration)


@dataclass(frozen=True)
class ImportSettings:
    mode: Literal["create_only", "create_and_overwrite"]
    new_listings_paused: bool

    @classmethod
    def parse(cls, raw: dict[str, Any], integration: str) -> ImportSettings:
        """`mode` (create_only | create_and_overwrite), `new_listings_paused` (false)."""
        mode = _choice(raw, "mode", ("create_only", "create_and_overwrite"), integration)
        paused = _bool(raw, "new_listings_paused", False, integration)
        return cls(mode=mode, new_listings_paused=paused)  # type: ignore[arg-type]


@dataclass(frozen=True)
class LinkSettings:
    match_on: Literal["sku", "upc"]

    @classmethod
    def parse(cls, raw: dict[str, Any], integration: str) -> LinkSettings:
        """`match_on`: sku (default) or upc."""
        return cls(match_on=_choice(raw, "match_on", ("sku", "upc"), integration))  # type: ignore[arg-type]


def listing_rule(raw: dict[str, Any], integration: str) -> ListingRule:
    """The listing rule (`price_from`, `markup_percent`, `safety_buffer`)."""
    try:
        return ListingRule.from_settings(raw)
    except ValueError as exc:
        raise _fail(integration, str(exc)) from None


@dataclass(frozen=True)
class OrderSettings:
    statuses: tuple[str, ...]
    days: int

    @classmethod
    def parse(cls, raw: dict[str, Any], integration: str) -> OrderSettings:
        """`statuses` (["processing"]), `days` (7, 1..365)."""
        statuses = raw.get("statuses", ["processing"])
        if (
            not isinstance(statuses, list)
            or not statuses
            or any(s not in ORDER_STATUSES for s in statuses)
        ):
            raise _fail(
                integration,
                f"statuses must be a non-empty list of {', '.join(ORDER_STATUSES)}, "
                f"not {statuses!r}",
            )
        days = _int(raw, "days", 7, 1, 365, integration)
        return cls(statuses=tuple(statuses), days=days)


@dataclass(frozen=True)
class SyncOrderSettings:
    use_shipment_tracking: bool
    complete_when_shipped: bool
    customer_note: bool

    @classmethod
    def parse(cls, raw: dict[str, Any], integration: str) -> SyncOrderSettings:
        """`use_shipment_tracking` (false), `complete_when_shipped` (true), `customer_note`
        (true: the note is emailed to the shopper)."""
        return cls(
            use_shipment_tracking=_bool(raw, "use_shipment_tracking", False, integration),
            complete_when_shipped=_bool(raw, "complete_when_shipped", True, integration),
            customer_note=_bool(raw, "customer_note", True, integration),
        )
