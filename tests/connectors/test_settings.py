"""The shared settings parsers: typed values, both error styles, templates by name or inline."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from connectors.mapping import Template
from connectors.settings import (
    KindSettings,
    SettingsError,
    SettingsReader,
    StoredTemplate,
    TemplateSpec,
    integration_style,
    kind_style,
    no_templates,
    stored_templates,
)
from connectors.woocommerce import settings as woo
from connectors.wps import settings as wps
from store.db import Database
from store.models import MappingTemplate


def wps_reader(**raw: Any) -> SettingsReader:
    return SettingsReader(raw, kind_style("get_inventory"))


def woo_reader(**raw: Any) -> SettingsReader:
    return SettingsReader(raw, integration_style("woo/get_orders"))


def refused(reader_call: Any) -> str:
    with pytest.raises(SettingsError) as caught:
        reader_call()
    return str(caught.value)


def test_defaults_apply_when_a_setting_is_absent() -> None:
    r = wps_reader()
    assert r.boolean("pqs_focus", False) is False
    assert r.integer("page_size", 5000, 1, 10_000) == 5000
    assert r.choice("mode", ("create_only", "create_and_overwrite")) == "create_only"
    assert r.days("within_days", 30) == 30
    assert r.days("modified_within_days", None) is None
    assert r.codes("warehouses", ("CA", "TX"), ("CA", "TX")) == ("CA", "TX")


def test_values_are_read_and_codes_normalised() -> None:
    r = wps_reader(flag=True, size=7, mode="b", days=3, codes=" ca, tx ")
    assert r.boolean("flag", False) is True
    assert r.integer("size", 1, 1, 10) == 7
    assert r.choice("mode", ("a", "b")) == "b"
    assert r.days("days", None) == 3
    assert r.codes("codes", ("CA", "TX"), ()) == ("CA", "TX")
    assert wps_reader(codes=["tx"]).codes("codes", ("CA", "TX"), ()) == ("TX",)


def test_kind_style_messages_name_the_setting() -> None:
    assert refused(lambda: wps_reader(x="yes").boolean("x", False)) == (
        "get_inventory setting 'x' must be true or false, not 'yes'"
    )
    assert refused(lambda: wps_reader(d=0).days("d", None)) == (
        "get_inventory setting 'd' must be a whole number of days >= 1 (or null), not 0"
    )
    assert refused(lambda: wps_reader(w=["FL"]).codes("w", ("CA", "TX"), ())) == (
        "get_inventory setting 'w': unknown FL; use CA, TX"
    )
    assert refused(lambda: wps_reader(w=[]).codes("w", ("CA", "TX"), ())) == (
        "get_inventory setting 'w' must list one or more of CA, TX"
    )


def test_integration_style_messages_say_where_to_fix_it() -> None:
    assert refused(lambda: woo_reader(days=0).integer("days", 7, 1, 365)) == (
        "woo/get_orders: invalid setting: days must be a whole number from 1 to 365, not 0; "
        "fix it in the integration"
    )
    assert refused(lambda: woo_reader(m="x").choice("m", ("sku", "upc"))) == (
        "woo/get_orders: invalid setting: m must be 'sku' or 'upc', not 'x'; "
        "fix it in the integration"
    )


@pytest.mark.parametrize("bad", [True, 1.5, "3", -1, 11])
def test_integer_refuses_non_integers_bools_and_out_of_range(bad: Any) -> None:
    with pytest.raises(SettingsError, match="must be a whole number from 0 to 10"):
        woo_reader(n=bad).integer("n", 1, 0, 10)


def test_days_refuses_bools() -> None:
    with pytest.raises(SettingsError, match="whole number of days"):
        wps_reader(d=True).days("d", None)


def test_listing_rule_is_read_and_its_errors_framed() -> None:
    rule = woo_reader(price_from="msrp", markup_percent="12.5").listing_rule()
    assert rule.price_from == "msrp" and rule.markup_percent == Decimal("12.5")
    assert refused(lambda: woo_reader(safety_buffer=-2).listing_rule()) == (
        "woo/get_orders: invalid setting: safety_buffer must be 0 or more; "
        "fix it in the integration"
    )


BASE = Template.from_settings({"sku": "field:sku", "qty": "field:quantity"})


SPEC = TemplateSpec.of(
    "inventory", {"sku": "field:sku", "qty": "field:quantity"}, ("sku", "qty"), ("title",)
)


def _template(raw: dict[str, Any], lookup: Any = no_templates) -> Template:
    return SettingsReader(raw, kind_style("get_inventory")).template(
        SPEC, base=BASE, purpose="inventory sync", templates=lookup
    )


def test_template_inline_overrides_the_base_and_keeps_its_defaults() -> None:
    t = _template({"mapping_template": {"rules": {"title": "field:name"}}})
    assert set(t.rules) == {"sku", "qty", "title"}
    assert t.rules["title"].arg == "name"
    assert _template({}).rules == BASE.rules


def test_template_by_name_comes_from_the_lookup() -> None:
    saved = StoredTemplate("inventory", {"qty": "field:stock"}, {"s": {"a": "b"}})
    t = _template({"mapping_template": "mine"}, lambda name: saved if name == "mine" else None)
    assert t.rules["qty"].arg == "stock" and t.mapping_sets == {"s": {"a": "b"}}


def test_template_refusals() -> None:
    assert refused(lambda: _template({"mapping_template": "nope"})) == (
        "get_inventory setting 'mapping_template': no mapping template named 'nope'; "
        "create it or clear the setting"
    )
    other = StoredTemplate("order", {}, {})
    assert refused(lambda: _template({"mapping_template": "o"}, lambda _: other)) == (
        "get_inventory setting 'mapping_template': 'o' maps 'order', not 'inventory'"
    )
    assert refused(lambda: _template({"mapping_template": 3})) == (
        "get_inventory setting 'mapping_template' must be a template name"
    )
    assert refused(lambda: _template({"mapping_template": {"qty": "none"}})) == (
        "Invalid request: Missing required field 'qty' for inventory sync"
    )
    assert "unknown mapping rule 'bogus'" in refused(
        lambda: _template({"mapping_template": {"qty": "bogus:x"}})
    )
    assert refused(lambda: _template({"mapping_template": {"colour": "field:c"}})) == (
        "get_inventory setting 'mapping_template': cannot map colour; targets are sku, qty, title"
    )


def test_stored_templates_reads_the_mapping_template_table(db: Database) -> None:
    with db.write() as s:
        s.add(MappingTemplate(name="inv", target="inventory", rules={"qty": "field:q"}))
    lookup = stored_templates(db)
    found = lookup("inv")
    assert found is not None and found.target == "inventory" and found.rules == {"qty": "field:q"}
    assert lookup("missing") is None


KINDS: list[tuple[type[KindSettings], str, str]] = [
    (wps.InventorySettings, "wps/get_inventory", "get_inventory"),
    (wps.InventorySettings, "wps/get_pqs", "get_pqs"),
    (wps.SendSettings, "wps/send_orders", "send_orders"),
    (wps.TrackSettings, "wps/get_shipments", "get_shipments"),
    (wps.TrackSettings, "wps/get_invoice", "get_invoice"),
    (woo.ImportSettings, "woo/import_listings", "import_listings"),
    (woo.LinkSettings, "woo/link_listings", "link_listings"),
    (woo.ListingSyncSettings, "woo/sync_listings", "sync_listings"),
    (woo.PublishSettings, "woo/publish_listings", "publish_listings"),
    (woo.OrderSettings, "woo/get_orders", "get_orders"),
    (woo.SyncOrderSettings, "woo/sync_orders", "sync_orders"),
]


@pytest.mark.parametrize(("settings_type", "integration", "kind"), KINDS)
def test_every_kind_parses_empty_settings_through_the_one_entry_point(
    settings_type: type[KindSettings], integration: str, kind: str
) -> None:
    parsed = settings_type.parse({}, integration=integration, kind=kind, templates=no_templates)
    assert isinstance(parsed, settings_type)
    assert settings_type.KEYS


def test_kind_decides_what_the_wps_types_default_to() -> None:
    how: dict[str, Any] = {"integration": "wps/x", "templates": no_templates}
    assert wps.InventorySettings.parse({}, kind="get_pqs", **how).pqs_focus is True
    assert wps.InventorySettings.parse({}, kind="get_inventory", **how).pqs_focus is False
    shipments = wps.TrackSettings.parse({}, kind="get_shipments", **how)
    invoices = wps.TrackSettings.parse({}, kind="get_invoice", **how)
    assert shipments.statuses == ("sent", "partially_shipped")
    assert set(shipments.statuses) < set(invoices.statuses)


def test_woocommerce_kinds_refuse_a_bad_api_version() -> None:
    with pytest.raises(SettingsError, match="api_version must be 'wc/v3' or 'wc/v2'"):
        woo.OrderSettings.parse(
            {"api_version": "v1"}, integration="woo/get_orders", kind="get_orders",
            templates=no_templates,
        )  # fmt: skip
