"""Western Power Sports (WPS Data Depot API v4) connector: a source. This module is its
descriptor; importing it is cheap (settings, client and operations load when used)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..registry import Descriptor, Kind, register, settings_type
from .shipping import SHIP_VIA

if TYPE_CHECKING:
    from ..check import Probe


def _kind(name: str, settings: str) -> Kind:
    return Kind(name=name, load_settings=settings_type(f"{__name__}.settings", settings))


def _probe(base_url: str, secrets: Mapping[str, str]) -> Probe:
    from ..auth import BearerAuth
    from ..check import Probe, json_api

    return Probe(
        path="/items",
        params={"page[size]": "1"},
        auth=BearerAuth(secrets["api_token"].strip()),
        not_the_api=json_api(
            lambda body: isinstance(body, dict) and "data" in body,
            "give the API's base URL, e.g. https://api.wps-inc.com",
        ),
    )


DESCRIPTOR = register(
    Descriptor(
        system="wps",
        role="source",
        display_name="WPS",
        secrets=("api_token",),
        url_example="https://api.wps-inc.com",
        probe=_probe,
        shipping_codes=SHIP_VIA,
        kinds=(
            _kind("get_inventory", "InventorySettings"),
            _kind("get_pqs", "InventorySettings"),
            _kind("send_orders", "SendSettings"),
            _kind("get_shipments", "ShipmentSettings"),
            _kind("get_invoice", "TrackSettings"),
        ),
    )
)
