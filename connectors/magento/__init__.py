"""Magento 2 REST API connector: a channel. This module is its descriptor.

Importing it is cheap: the settings types, the client and the operations load when used.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ..registry import Descriptor, Kind, register, settings_type

if TYPE_CHECKING:
    from ..check import Probe


def _kind(name: str, settings: str) -> Kind:
    return Kind(name=name, load_settings=settings_type(f"{__name__}.settings", settings))


def _url_rule(url: str) -> str | None:
    if "/rest" in urlsplit(url).path:
        return "give the store URL without /rest/V1, e.g. https://store.example"
    return None


def _probe(base_url: str, secrets: Mapping[str, str]) -> Probe:
    from ..check import Probe, json_api
    from .client import REFUSED_HINT, magento_auth

    return Probe(
        path="/rest/V1/products",
        params={"searchCriteria[pageSize]": "1", "searchCriteria[currentPage]": "1"},
        auth=magento_auth(secrets["access_token"]),
        refused_hint=REFUSED_HINT,
        not_the_api=json_api(
            lambda body: isinstance(body, dict) and "items" in body,
            "give the store's base URL (the part before /rest/V1), e.g. https://store.example",
        ),
    )


DESCRIPTOR = register(
    Descriptor(
        system="magento",
        role="channel",
        display_name="Magento",
        secrets=("access_token",),
        url_example="https://store.example",
        url_rule=_url_rule,
        probe=_probe,
        unsupported_kinds={
            "link_listings": "Magento links on SKU in Sync & Link Listings (sync_listings)"
        },
        kinds=(
            _kind("import_listings", "ImportSettings"),
            _kind("sync_listings", "ListingSyncSettings"),
            _kind("publish_listings", "PublishSettings"),
            _kind("get_orders", "OrderSettings"),
            _kind("sync_orders", "SyncOrderSettings"),
        ),
    )
)
