"""ShipStation API v1 connector: a channel (not built yet: descriptor and sandbox only)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..registry import Descriptor, register

if TYPE_CHECKING:
    from ..check import Probe


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


DESCRIPTOR = register(
    Descriptor(
        system="shipstation",
        role="channel",
        display_name="ShipStation",
        secrets=("api_key", "api_secret"),
        url_example="https://ssapi.shipstation.com",
        probe=_probe,
        unsupported={
            "publish": "ShipStation has no product catalogue to publish to",
            "overwrite": "ShipStation has no product catalogue to overwrite",
            "delist": "ShipStation has no product catalogue to delist from",
        },
    )
)
