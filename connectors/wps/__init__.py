"""Western Power Sports (WPS Data Depot API v4) connector: a source. This module is its
descriptor; importing it is cheap (settings, client and operations load when used)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ..registry import Descriptor, Kind, SettingsType, register
from .shipping import SHIP_VIA

if TYPE_CHECKING:
    from ..check import Probe


_INVENTORY = (
    "include_variants",
    "modified_within_days",
    "pqs_focus",
    "warehouses",
    "page_size",
    "mapping_template",
)


def _settings(kind: str) -> Callable[[], type[SettingsType]]:
    """The kind's settings type from `settings` (docs/wps.md); `templates` is the store
    that holds saved mapping templates."""

    def load() -> type[SettingsType]:
        from ..settings import stored_templates
        from . import settings as s

        typed: Any = s.TrackSettings
        if kind in ("get_inventory", "get_pqs"):
            typed = s.InventorySettings
        elif kind == "send_orders":
            typed = s.SendSettings

        class KindSettings:
            @classmethod
            def parse(cls, raw: Mapping[str, Any], *, integration: str, templates: Any) -> object:
                lookup = stored_templates(templates)
                return typed.parse(raw, integration=integration, kind=kind, templates=lookup)

        return KindSettings

    return load


def _kind(name: str, *keys: str) -> Kind:
    return Kind(name=name, keys=keys, load_settings=_settings(name))


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
            _kind("get_inventory", *_INVENTORY),
            _kind("get_pqs", *_INVENTORY),
            _kind(
                "send_orders",
                "mapping_template",
                "default_warehouse",
                "multiple_warehouse",
                "allow_backorder",
            ),
            _kind("get_shipments", "statuses", "within_days"),
            _kind("get_invoice", "statuses", "within_days"),
        ),
    )
)
