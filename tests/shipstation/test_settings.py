"""ShipStation settings: defaults, one-line refusals, and the descriptor's keys."""

from __future__ import annotations

import pytest

from connectors.registry import descriptor
from connectors.settings import SettingsError, no_templates
from connectors.shipstation.settings import (
    SETTINGS,
    GetOrdersSettings,
    SyncListingsSettings,
    SyncOrdersSettings,
)


def parse(cls: type, raw: dict[str, object]) -> object:
    return cls.parse(raw, integration="ss/get_orders", kind="get_orders", templates=no_templates)


def test_defaults() -> None:
    got = parse(GetOrdersSettings, {})
    assert got == GetOrdersSettings(("awaiting_shipment",), 7, None, None)
    sync = parse(SyncOrdersSettings, {})
    assert sync == SyncOrdersSettings({}, "wait", False, True)


def test_values_are_normalised() -> None:
    got = parse(
        GetOrdersSettings,
        {
            "statuses": "on_hold, awaiting_shipment",
            "days": 30,
            "tag_id": " 8363 ",
            "assign_user_id": "5C7F1B7E-0A5D-4F57-9A53-2F6F2B0A1C01",
        },
    )
    assert got == GetOrdersSettings(
        ("on_hold", "awaiting_shipment"), 30, 8363, "5c7f1b7e-0a5d-4f57-9a53-2f6f2b0a1c01"
    )
    codes = parse(SyncOrdersSettings, {"carrier_codes": {" OnTrac ": " ONTRAC "}})
    assert codes.carrier_codes == {"OnTrac": "ontrac"}  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("cls", "raw", "words"),
    [
        (GetOrdersSettings, {"statuses": ["processing"]}, "statuses must list one or more of"),
        (GetOrdersSettings, {"days": "7"}, "days must be a whole number from 1 to 3650"),
        (GetOrdersSettings, {"tag_id": "Backorder"}, "tag_id (Tag ID) must be the tag's number"),
        (GetOrdersSettings, {"assign_user_id": "sam"}, "(Assign User ID after order Import)"),
        (SyncOrdersSettings, {"partial_shipments": "all"}, "partial_shipments must be 'wait'"),
        (
            SyncListingsSettings,
            {"match_on": "upc"},
            "match_on must be 'sku', not 'upc': Linking listings is supported on the SKU field",
        ),
        (SyncOrdersSettings, {"carrier_codes": {"UPS": "U P S"}}, "carrier_codes must map"),
        (SyncOrdersSettings, {"notify_customer": "yes"}, "notify_customer must be true or false"),
    ],
)
def test_bad_values_are_one_line_naming_the_setting(
    cls: type, raw: dict[str, object], words: str
) -> None:
    with pytest.raises(SettingsError) as info:
        parse(cls, raw)
    message = str(info.value)
    assert words in message
    assert message.startswith("ss/get_orders: invalid setting: ")
    assert "\n" not in message


def test_the_descriptor_names_each_kinds_settings_type() -> None:
    kinds = {k.name: k for k in descriptor("shipstation").kinds}
    assert set(kinds) == set(SETTINGS)
    for name, typed in SETTINGS.items():
        assert kinds[name].load_settings() is typed, name
