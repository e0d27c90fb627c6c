"""US Direct supplier connector: a source (not built yet: descriptor and sandbox only)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from ..registry import Descriptor, register

if TYPE_CHECKING:
    from ..check import Probe


def _probe(base_url: str, secrets: Mapping[str, str]) -> Probe:
    from ..auth import HeaderTokenAuth
    from ..check import Probe, json_api

    # Shipments since now: an empty list, the cheapest authenticated answer.
    since = datetime.now(UTC).replace(microsecond=0).isoformat()
    return Probe(
        path="/shipments",
        params={"since": since},
        auth=HeaderTokenAuth("X-API-TOKEN", secrets["reseller_token"].strip()),
        not_the_api=json_api(
            lambda body: isinstance(body, dict) and "shipments" in body,
            "give the API's base URL, e.g. https://usdirect.example/api",
        ),
    )


DESCRIPTOR = register(
    Descriptor(
        system="usdirect",
        role="source",
        display_name="US Direct",
        # The feed URLs carry their own token, so they are secrets too.
        secrets=("reseller_token", "feed_url"),
        optional_secrets=("secondary_feed_url",),
        url_example="https://usdirect.example/api",
        probe=_probe,
    )
)
