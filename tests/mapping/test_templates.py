from __future__ import annotations

import pytest

from connectors.errors import MappingError
from connectors.mapping import Rule, RuleKind, Template, lookup

ORDER = {
    "number": "1001",
    "billing": {"email": "ada@example.com"},
    "shipping_lines": [{"method_id": "flat_rate"}],
    "lines": [{"sku": "A", "quantity": 2}],
}


def test_every_rule_kind() -> None:
    template = Template.from_settings(
        {
            "customer_email": "field:billing.email",
            "ship_via": "set:methods:shipping_lines.0.method_id",
            "warehouse": "value:TX",
            "comment": "empty",
            "ignored": "none",
        },
        {"methods": {"flat_rate": "BEST"}},
    )
    out = template.apply(ORDER, required=["customer_email"], purpose="order creation", ref="#1")
    assert out == {
        "customer_email": "ada@example.com",
        "ship_via": "BEST",
        "warehouse": "TX",
        "comment": "",
    }


def test_missing_required_field_names_it_and_the_purpose() -> None:
    template = Template.from_settings({"customer_email": "field:customer.email"})
    with pytest.raises(MappingError) as err:
        template.apply(ORDER, required=["customer_email"], purpose="order creation", ref="#1001")
    assert str(err.value) == (
        "#1001: Invalid request: Missing required field 'customer_email' for order creation"
    )
    assert err.value.record_ref == "#1001"


def test_defaults_fill_unmentioned_fields_only() -> None:
    template = Template.from_settings({"sku": "field:item_sku"}).with_defaults(
        {"sku": "field:sku", "inventory_level": "field:qty"}
    )
    assert template.rules["sku"] == Rule(RuleKind.FIELD, "item_sku")
    assert template.rules["inventory_level"] == Rule(RuleKind.FIELD, "qty")


def test_bad_rule_and_paths() -> None:
    with pytest.raises(ValueError, match="unknown mapping rule 'fld'"):
        Rule.parse("fld:x")
    assert lookup(ORDER, "lines.0.sku") == "A"
    assert lookup(ORDER, "lines.5.sku") is None
    assert lookup(ORDER, "billing.email.x") is None
