"""Magento mapping: orders (configurable rows, missing prices, the guide's fields), the ship
body, error messages with their parameters, the store's root category. Tracking numbers:
tests/connectors/test_tracking.py."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from connectors.errors import MappingError
from connectors.magento import mapping
from connectors.magento.client import criteria, magento_message


def _order(**over: Any) -> dict[str, Any]:
    address = {
        "firstname": "Ann",
        "lastname": "Lee",
        "company": "Lee Co",
        "street": ["1 Main St", "Apt 4B"],
        "city": "Los Angeles",
        "region": "California",
        "region_code": "CA",
        "postcode": "90210",
        "country_id": "US",
        "telephone": "555-123-4567",
        "email": "ann@example.com",
    }
    order = {
        "entity_id": 7,
        "increment_id": "000000007",
        "status": "processing",
        "created_at": "2026-05-01 10:00:00",
        "grand_total": 150,
        "shipping_amount": 15,
        "coupon_code": "SAVE10",
        "customer_note": "Please deliver after 2 PM",
        "customer_email": "ann@example.com",
        "order_currency_code": "USD",
        "shipping_description": "Flat Rate - Fixed",
        "billing_address": address,
        "items": [
            {
                "item_id": 10,
                "sku": "TEE-S",
                "name": "Tee",
                "product_type": "configurable",
                "qty_ordered": 3,
                "price": 29.99,
                "discount_amount": 5,
                "weight": 0.5,
            },
            {
                "item_id": 11,
                "parent_item_id": 10,
                "sku": "TEE-S",
                "name": "Tee-S",
                "product_type": "simple",
                "qty_ordered": 3,
                "price": 0,
                "discount_amount": 0,
                "weight": 0.5,
            },
            {
                "item_id": 12,
                "sku": "MUG",
                "name": "Mug",
                "qty_ordered": 1,
                "price": 9.5,
                "weight": 1.0,
            },
        ],
        "extension_attributes": {
            "shipping_assignments": [
                {"shipping": {"address": address, "method": "flatrate_flatrate"}}
            ]
        },
    }
    order.update(over)
    return order


def test_order_fields_of_the_guide_and_configurable_lines() -> None:
    row, lines = mapping.order_to_rows(
        _order(),
        use_parent_item_id=False,
        invoices=[{"entity_id": 3, "increment_id": "000000003", "state": 2, "grand_total": 150}],
    )
    assert (row["external_id"], row["number"], row["total"]) == (
        "7",
        "000000007",
        Decimal("150.00"),
    )
    assert row["details"]["status"] == "processing"
    assert row["details"]["shipping_amount"] == "15.00"
    assert row["details"]["coupon_code"] == "SAVE10"
    assert row["details"]["customer_note"] == "Please deliver after 2 PM"
    assert row["details"]["invoices"][0]["number"] == "000000003"
    assert row["placed_at"].isoformat() == "2026-05-01T10:00:00+00:00"
    assert row["shipping_address"]["address_2"] == "Apt 4B"
    assert row["shipping_address"]["state"] == "CA"
    tee, mug = lines
    assert (tee["sku"], tee["external_id"], tee["quantity"]) == ("TEE-S", "11", 3)
    assert tee["price"] == Decimal("29.99")  # the child's 0 filled from the parent line
    assert tee["details"]["discount_amount"] == "5.00"
    assert tee["details"]["weight"] == 0.5
    assert (mug["external_id"], mug["details"]["parent_item_id"]) == ("12", None)


def test_use_parent_item_id_identifies_configurable_lines_by_the_parent_row() -> None:
    _, lines = mapping.order_to_rows(_order(), use_parent_item_id=True)
    assert [line["external_id"] for line in lines] == ["10", "12"]


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"entity_id": None}, "Order ID"),
        ({"status": ""}, "Status"),
        ({"created_at": "yesterday"}, "Date Created"),
        ({"items": [{"item_id": 1, "sku": "", "qty_ordered": 1}]}, "no SKU"),
        ({"items": [{"item_id": 1, "sku": "A", "qty_ordered": "x"}]}, "Quantity Ordered"),
        ({"grand_total": "lots"}, "Grand Total"),
    ],
)
def test_an_unreadable_order_names_the_field(change: dict[str, Any], words: str) -> None:
    with pytest.raises(MappingError) as raised:
        mapping.order_to_rows(_order(**change), use_parent_item_id=False)
    assert words in str(raised.value)


def test_missing_shipping_information_is_named() -> None:
    assert mapping.missing_shipping(_order()) is None
    bare = _order(extension_attributes={"shipping_assignments": []})
    assert "no shipping address" in str(mapping.missing_shipping(bare))
    partial = _order()
    partial["extension_attributes"]["shipping_assignments"][0]["shipping"]["address"] = {
        "street": ["x"],
        "city": "",
        "postcode": "1",
        "country_id": "US",
    }
    assert mapping.missing_shipping(partial) == (
        "Missing shipping information: the shipping address has no city"
    )


def test_ship_body_carries_the_switches() -> None:
    body = mapping.ship_body(
        items=[(10, 2)],
        carrier="UPS",
        service="Ground",
        tracking=" 1Z9 ",
        notify=True,
        append_comment=True,
        comment="Shipped",
        visible_on_front=True,
        source_code="default",
    )
    assert body == {
        "items": [{"order_item_id": 10, "qty": 2}],
        "tracks": [
            {"track_number": "1Z9", "title": "United Parcel Service", "carrier_code": "ups"}
        ],
        "notify": True,
        "appendComment": True,
        "comment": {"comment": "Shipped", "is_visible_on_front": 1},
        "arguments": {"extension_attributes": {"source_code": "default"}},
    }
    plain = mapping.ship_body(
        items=[(1, 1)],
        carrier="Acme Freight",
        service="",
        tracking="AB12",
        notify=False,
        append_comment=False,
        comment="",
        visible_on_front=False,
        source_code=None,
    )
    assert plain["tracks"][0]["carrier_code"] == "custom" and "comment" not in plain
    assert "arguments" not in plain


def test_error_messages_fill_parameters_and_criteria_build_groups() -> None:
    body = {
        "message": "The consumer isn't authorized to access %resources.",
        "parameters": {"resources": "Magento_Sales::ship"},
    }
    assert magento_message(body) == "The consumer isn't authorized to access Magento_Sales::ship."
    assert magento_message({"message": 'A "%1" of %2', "parameters": ["x", "y"]}) == 'A "x" of y'
    params = criteria(page=2, size=50, filters=[("status", "a,b", "in")], sort=("entity_id", "ASC"))
    assert params["searchCriteria[filterGroups][0][filters][0][conditionType]"] == "in"
    assert params["searchCriteria[currentPage]"] == "2"
    assert criteria() == {"searchCriteria": ""}


VIEWS = [
    {"id": 0, "code": "admin", "store_group_id": 0},
    {"id": 1, "code": "default", "store_group_id": 1},
    {"id": 2, "code": "outlet", "store_group_id": 2},
]
GROUPS = [
    {"id": 0, "root_category_id": 0},
    {"id": 1, "root_category_id": 2},
    {"id": 2, "root_category_id": 41},
]


@pytest.mark.parametrize(
    ("views", "groups", "code", "root"),
    [
        (VIEWS, GROUPS, "all", 2),  # the admin's own group has no root: the default view's
        (VIEWS, GROUPS, "default", 2),
        (VIEWS, GROUPS, "outlet", 41),
        (VIEWS[:1] + VIEWS[2:], GROUPS, "all", 2),  # no `default` view: the first group
        (VIEWS, GROUPS, "admin", None),  # the admin group has no root category
        (VIEWS, GROUPS, "nowhere", None),
        (VIEWS, [], "default", None),
        ([{"code": "default"}], GROUPS, "default", None),  # a view without a group
    ],
)
def test_root_category_is_the_store_groups(
    views: list[dict[str, Any]], groups: list[dict[str, Any]], code: str, root: int | None
) -> None:
    assert mapping.root_category_id(views, groups, code) == root
