"""Settings of the ShipStation integration kinds, each a frozen type (docs/shipstation.md).

A bad value raises `SettingsError` before any request, in one line naming the setting (and
the guide's label for it) and what to fix. Values that only ShipStation can confirm (the
Tag ID exists, the user is on the account, a carrier code is connected) are checked
against the account at the start of a run.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, Self

from ..settings import SettingsReader, TemplateLookup, integration_style
from .mapping import ORDER_STATUSES

_CODE = re.compile(r"^[a-z0-9_]+$")


@dataclass(frozen=True)
class SyncListingsSettings:
    """sync_listings links listings and never writes product data ("Updating product data
    is not currently supported"); "Linking listings is supported on the SKU field"."""

    KEYS: ClassVar[tuple[str, ...]] = ("match_on",)
    match_on: Literal["sku"] = "sku"

    @classmethod
    def parse(
        cls, raw: Mapping[str, Any], *, integration: str, kind: str, templates: TemplateLookup
    ) -> Self:
        """`match_on`: sku, the only field ShipStation links on."""
        value = raw.get("match_on", "sku")
        if value != "sku":
            r = SettingsReader(raw, integration_style(integration))
            raise r.error(
                "match_on",
                f" must be 'sku', not {value!r}: Linking listings is supported on the SKU field",
            )
        return cls()


@dataclass(frozen=True)
class GetOrdersSettings:
    """Which ShipStation orders get_orders imports, and what it does after."""

    KEYS: ClassVar[tuple[str, ...]] = ("statuses", "days", "tag_id", "assign_user_id")
    statuses: tuple[str, ...] = ("awaiting_shipment",)
    days: int = 7
    """"Get Orders Created within the last X Days"."""
    tag_id: int | None = None
    """"Tag ID": only orders carrying this tag (numeric, as ShipStation shows it)."""
    assign_user_id: str | None = None
    """"Assign User ID after order Import": a ShipStation user's GUID."""

    @classmethod
    def parse(
        cls, raw: Mapping[str, Any], *, integration: str, kind: str, templates: TemplateLookup
    ) -> Self:
        """`statuses` (["awaiting_shipment"]), `days` (7), `tag_id`, `assign_user_id`."""
        r = SettingsReader(raw, integration_style(integration))
        statuses = raw.get("statuses", list(cls.statuses))
        if isinstance(statuses, str):
            statuses = [s for s in statuses.replace(" ", ",").split(",") if s]
        if (
            not isinstance(statuses, list)
            or not statuses
            or any(s not in ORDER_STATUSES for s in statuses)
        ):
            raise r.error(
                "statuses",
                f" must list one or more of {', '.join(ORDER_STATUSES)}, not {statuses!r}",
            )
        return cls(
            statuses=tuple(dict.fromkeys(statuses)),
            days=r.integer("days", cls.days, 1, 3650),
            tag_id=_tag_id(r, raw.get("tag_id")),
            assign_user_id=_user_id(r, raw.get("assign_user_id")),
        )


def _tag_id(r: SettingsReader, value: object) -> int | None:
    if value is None or value == "":
        return None
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdigit() or int(text) <= 0:
        raise r.error(
            "tag_id",
            f" (Tag ID) must be the tag's number as ShipStation shows it, not {value!r}",
        )
    return int(text)


def _user_id(r: SettingsReader, value: object) -> str | None:
    if value is None or value == "":
        return None
    try:
        return str(uuid.UUID(str(value).strip()))
    except ValueError:
        raise r.error(
            "assign_user_id",
            f" (Assign User ID after order Import) must be a ShipStation user ID "
            f"such as 5c7f1b7e-0a5d-4f57-9a53-2f6f2b0a1c01, not {value!r}",
        ) from None


@dataclass(frozen=True)
class SyncOrdersSettings:
    """How shipments go back to ShipStation (markasshipped)."""

    KEYS: ClassVar[tuple[str, ...]] = (
        "carrier_codes",
        "partial_shipments",
        "notify_customer",
        "notify_sales_channel",
    )
    carrier_codes: Mapping[str, str] = field(default_factory=dict)
    """Supplier carrier name -> ShipStation carrier code (over the built-in names)."""
    partial_shipments: Literal["wait", "first"] = "wait"
    notify_customer: bool = False
    notify_sales_channel: bool = True

    @classmethod
    def parse(
        cls, raw: Mapping[str, Any], *, integration: str, kind: str, templates: TemplateLookup
    ) -> Self:
        """`carrier_codes` ({}), `partial_shipments` (wait | first), `notify_customer`
        (false), `notify_sales_channel` (true)."""
        r = SettingsReader(raw, integration_style(integration))
        codes = raw.get("carrier_codes") or {}
        if not isinstance(codes, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) and _CODE.match(v.strip().lower())
            for k, v in codes.items()
        ):
            raise r.error(
                "carrier_codes",
                ' must map carrier names to ShipStation carrier codes, e.g. {"USPS": '
                f'"stamps_com"}}, not {codes!r}',
            )
        return cls(
            carrier_codes={k.strip(): v.strip().lower() for k, v in codes.items()},
            # choice() returns one of these two, as a plain str: the Literal is ours to assert.
            partial_shipments=r.choice("partial_shipments", ("wait", "first")),  # type: ignore[arg-type]
            notify_customer=r.boolean("notify_customer", False),
            notify_sales_channel=r.boolean("notify_sales_channel", True),
        )


SETTINGS: dict[str, type[Any]] = {
    "sync_listings": SyncListingsSettings,
    "get_orders": GetOrdersSettings,
    "sync_orders": SyncOrdersSettings,
}
