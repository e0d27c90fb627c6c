"""ShipStation API v1 connector: a channel. This module is its descriptor; importing it is
cheap (settings, client and operations load when used). docs/shipstation.md has the
settings and errors in the integration guide's words."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..registry import Descriptor, Kind, register, settings_type

if TYPE_CHECKING:
    from ..check import Probe


def _kind(name: str, settings: str) -> Kind:
    return Kind(name=name, load_settings=settings_type(f"{__name__}.settings", settings))


def _probe(base_url: str, secrets: Mapping[str, str]) -> Probe:
    from ..auth import BasicAuth
    from ..check import Probe, json_api

    return Probe(
        path="/users",
        auth=BasicAuth(secrets["api_key"].strip(), secrets["api_secret"].strip()),
        not_the_api=json_api(
            lambda body: isinstance(body, list),
            "give the API's base URL, e.g. https://ssapi.shipstation.com",
        ),
    )


# The integration guide's own words (shared/guides/002): Sync Listings only links.
UPDATE_NOT_SUPPORTED = (
    "Updating product data is not currently supported. ShipStation's Sync Listings only "
    "links listings to an existing store (on SKU)"
)
PUBLISH_NOT_SUPPORTED = "Publishing new listings to ShipStation is not currently supported."
LINK_BY_SYNC = (
    "Linking listings is supported on the SKU field. This operation runs by configuring a "
    "Sync Listings operation in the channel: add sync_listings instead"
)

DESCRIPTOR = register(
    Descriptor(
        system="shipstation",
        role="channel",
        display_name="ShipStation",
        secrets=("api_key", "api_secret"),
        url_example="https://ssapi.shipstation.com",
        probe=_probe,
        kinds=(
            _kind("sync_listings", "SyncListingsSettings"),
            _kind("get_orders", "GetOrdersSettings"),
            _kind("sync_orders", "SyncOrdersSettings"),
        ),
        unsupported={
            "publish": PUBLISH_NOT_SUPPORTED,
            "overwrite": UPDATE_NOT_SUPPORTED,
            "delist": UPDATE_NOT_SUPPORTED,
            "hide": UPDATE_NOT_SUPPORTED,
            "unhide": UPDATE_NOT_SUPPORTED,
        },
        unsupported_kinds={
            "publish_listings": PUBLISH_NOT_SUPPORTED,
            "import_listings": LINK_BY_SYNC,
            "link_listings": LINK_BY_SYNC,
        },
    )
)
