"""The descriptors: one per system, cheap to import, and in step with the operations."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from connectors.errors import FatalError
from connectors.registry import (
    SYSTEMS,
    descriptor,
    descriptors,
    load_operations,
    parse_settings,
    registered,
    unsupported_actions,
)
from connectors.settings import no_templates


def test_every_system_has_a_descriptor_with_role_and_secrets() -> None:
    found = descriptors()
    assert list(found) == list(SYSTEMS)
    roles = {s: d.role for s, d in found.items()}
    assert roles == {
        "woocommerce": "channel",
        "magento": "channel",
        "shipstation": "channel",
        "wps": "source",
        "usdirect": "source",
    }
    assert all(d.secrets for d in found.values())
    assert descriptor("usdirect").optional_secrets == ("secondary_feed_url",)


def test_descriptor_kinds_are_exactly_the_registered_operations() -> None:
    load_operations()
    operations = {(s, k) for s, k in registered() if s in SYSTEMS}
    kinds = {(s, k.name) for s, d in descriptors().items() for k in d.kinds}
    assert kinds == operations
    for d in descriptors().values():
        for kind in d.kinds:  # each settings type loads and says which keys it reads
            assert kind.load_settings().KEYS, (d.system, kind.name)


def test_importing_the_descriptors_loads_no_http_client_store_or_sandbox() -> None:
    code = (
        "import json, sys; from connectors.registry import descriptors; descriptors(); "
        "print(json.dumps(sorted(m for m in ('httpx', 'sqlalchemy', 'sqlmodel', 'starlette', "
        "'connectors.wps.operations', 'connectors.woocommerce.settings') if m in sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_settings_go_through_the_kinds_settings_type() -> None:
    parsed = parse_settings(
        "woocommerce", "get_orders", {"days": 3}, integration="w/get_orders", templates=no_templates
    )
    assert getattr(parsed, "days", None) == 3
    with pytest.raises(FatalError, match="unknown setting dayz; get_orders takes"):
        parse_settings(
            "woocommerce", "get_orders", {"dayz": 3}, integration="w", templates=no_templates
        )
    with pytest.raises(FatalError, match="overwrite must be true or false"):
        parse_settings(
            "woocommerce",
            "publish_listings",
            {"overwrite": "yes"},
            integration="w",
            templates=no_templates,
        )


def test_shipping_codes_and_unsupported_actions_come_from_descriptors() -> None:
    assert "BEST" in descriptor("wps").shipping_codes
    assert descriptor("woocommerce").shipping_codes == ()
    reasons = unsupported_actions()
    assert reasons[("shipstation", "publish")] == (
        "Publishing new listings to ShipStation is not currently supported."  # the guide's words
    )
    assert not any(system == "woocommerce" for system, _ in reasons)


def test_roles_match_the_stores_source_and_channel_kinds() -> None:
    from store.models.catalog import ChannelKind, SourceKind

    by_role: dict[str, list[str]] = {"source": [], "channel": []}
    for system, d in descriptors().items():
        by_role[d.role].append(system)
    assert by_role["source"] == [k.value for k in SourceKind]
    assert by_role["channel"] == [k.value for k in ChannelKind]
