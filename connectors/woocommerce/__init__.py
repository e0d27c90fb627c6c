"""WooCommerce REST API (wc/v3) connector: a channel. This module is its descriptor.

Importing it is cheap: the settings types, the client and the operations load when used.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..registry import Descriptor, Kind, register, settings_type

if TYPE_CHECKING:
    import httpx

    from ..check import Probe


def _kind(name: str, settings: str) -> Kind:
    return Kind(name=name, load_settings=settings_type(f"{__name__}.settings", settings))


def _url_rule(url: str) -> str | None:
    if "/wp-json" in urlsplit(url).path:
        return "give the store URL without /wp-json, e.g. https://shop.example"
    return None


def _not_the_api(response: httpx.Response, body: Any) -> str | None:
    if isinstance(body, dict) and body.get("code") == "rest_no_route":
        return (
            "WordPress answers but /wp-json/wc/v3 is not a WooCommerce REST route; "
            "is WooCommerce active with its REST API on?"
        )
    if body is None:
        kind = response.headers.get("content-type", "no content type").split(";")[0]
        return (
            f"no WordPress REST API at /wp-json (HTTP {response.status_code}, {kind}); "
            "give the store's own URL, e.g. https://shop.example"
        )
    if response.status_code < 300 and not isinstance(body, list):
        return "/wp-json/wc/v3/products did not return a product list"
    return None


def _probe(base_url: str, secrets: Mapping[str, str]) -> Probe:
    from ..check import Probe, WriteCheck
    from .client import woocommerce_auth

    auth = woocommerce_auth(base_url, secrets["consumer_key"], secrets["consumer_secret"])
    return Probe(
        path="/wp-json/wc/v3/products",
        params={"per_page": "1"},
        auth=auth,
        not_the_api=_not_the_api,
        # A batch with nothing in it changes nothing, yet WooCommerce checks the key's
        # write permission first: a Read key is found here, not at the first sync.
        write_check=WriteCheck(
            path="/wp-json/wc/v3/products/batch",
            json={"create": [], "update": [], "delete": []},
            hint="set the key's Permission to Read/Write in WooCommerce → Settings → "
            "Advanced → REST API",
        ),
    )


DESCRIPTOR = register(
    Descriptor(
        system="woocommerce",
        role="channel",
        display_name="WooCommerce",
        secrets=("consumer_key", "consumer_secret"),
        url_example="https://shop.example",
        url_rule=_url_rule,
        probe=_probe,
        kinds=(
            _kind("import_listings", "ImportSettings"),
            _kind("link_listings", "LinkSettings"),
            _kind("sync_listings", "ListingSyncSettings"),
            _kind("publish_listings", "PublishSettings"),
            _kind("get_orders", "OrderSettings"),
            _kind("sync_orders", "SyncOrderSettings"),
        ),
    )
)
