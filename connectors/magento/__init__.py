"""Magento 2 REST API connector: a channel (not built yet: descriptor and sandbox only)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..registry import Descriptor, register

if TYPE_CHECKING:
    from ..check import Probe


def _probe(base_url: str, secrets: Mapping[str, str]) -> Probe:
    from ..auth import BearerAuth
    from ..check import Probe, json_api

    return Probe(
        path="/rest/V1/products",
        params={"searchCriteria[pageSize]": "1", "searchCriteria[currentPage]": "1"},
        auth=BearerAuth(secrets["access_token"].strip()),
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
        probe=_probe,
    )
)
