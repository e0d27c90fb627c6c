"""US Direct supplier connector: a source. This module is its descriptor; importing it is
cheap (settings, client and operations load when used).

Little of US Direct's API is public: the endpoints, feed columns and bodies this connector
uses are the assumed contract of docs/usdirect.md, kept configurable where it may differ.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from ..registry import Descriptor, Kind, register, settings_type
from .shipping import SHIPPING_CODES

if TYPE_CHECKING:
    from ..check import Probe

# The guide's troubleshooting causes, said where Test Connection fails.
REFUSED = (
    "a credential (API Token, Feed URL, or Reseller Token) may be incorrect, expired, or "
    "rotated by US Direct: re-enter it and retry"
)
NO_ACCESS = (
    "your US Direct account may not have integration access enabled: if the credentials "
    "worked before, contact US Direct support to confirm access is still active"
)


def _kind(name: str, settings: str) -> Kind:
    return Kind(name=name, load_settings=settings_type(f"{__name__}.settings", settings))


def _probe(base_url: str, secrets: Mapping[str, str]) -> Probe:
    from ..auth import HeaderTokenAuth
    from ..check import Probe, json_api

    # Shipments since now: an empty list, the cheapest authenticated answer.
    since = datetime.now(UTC).replace(microsecond=0).isoformat()
    return Probe(
        path="/shipments",
        params={"since": since},
        auth=HeaderTokenAuth("X-API-TOKEN", secrets["api_token"].strip()),
        not_the_api=json_api(
            lambda body: isinstance(body, dict) and "shipments" in body,
            "give the API's base URL, e.g. https://usdirect.example/api",
        ),
        refused_hint=f"{REFUSED}; or {NO_ACCESS}",
    )


DESCRIPTOR = register(
    Descriptor(
        system="usdirect",
        role="source",
        display_name="US Direct",
        # The feed URLs carry their own token, so they are secrets too.
        secrets=("api_token", "reseller_token", "feed_url"),
        optional_secrets=("secondary_feed_url",),
        url_example="https://usdirect.example/api",
        probe=_probe,
        shipping_codes=SHIPPING_CODES,
        kinds=(
            _kind("get_inventory", "InventorySettings"),
            _kind("send_orders", "SendSettings"),
            _kind("get_shipments", "ShipmentSettings"),
            _kind("get_invoice", "InvoiceSettings"),
        ),
    )
)
