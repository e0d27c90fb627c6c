"""ShipStation mapping from fixture JSON: orders to rows, Pacific times, carrier codes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from connectors.errors import MappingError
from connectors.shipstation import mapping

FIXTURE = Path(__file__).parent.parent / "fixtures" / "shipstation" / "order.json"


@pytest.fixture
def order() -> dict[str, Any]:
    return json.loads(FIXTURE.read_text())


def test_order_rows_keep_the_exact_shipping_text_and_skip_adjustments(
    order: dict[str, Any],
) -> None:
    row, lines = mapping.order_to_rows(order)
    assert row["external_id"] == str(order["orderId"])
    assert row["number"] == order["orderNumber"]
    assert row["shipping_text"] == "USPS Priority Mail"
    assert row["shipping_address"]["postcode"] == order["shipTo"]["postalCode"]
    assert row["shipping_address"]["address_1"] == order["shipTo"]["street1"]
    assert row["placed_at"].tzinfo is not None
    assert [line["sku"] for line in lines] == [
        i["sku"] for i in order["items"] if not i["adjustment"]
    ]


def test_order_without_sku_or_quantity_is_a_mapping_error_naming_the_order(
    order: dict[str, Any],
) -> None:
    order["items"][0]["sku"] = "  "
    with pytest.raises(MappingError) as info:
        mapping.order_to_rows(order)
    assert info.value.record_ref == f"order {order['orderNumber']}"
    order["items"][0]["sku"] = "A"
    order["items"][0]["quantity"] = "2"
    with pytest.raises(MappingError, match="quantity"):
        mapping.order_to_rows(order)


def test_pacific_times_both_ways() -> None:
    # 08:46 in Los Angeles on a June day is 15:46 UTC (PDT, UTC-7).
    assert mapping.parse_time("2015-06-29T08:46:27.0000000") == datetime(
        2015, 6, 29, 15, 46, 27, tzinfo=UTC
    )
    assert mapping.filter_time(datetime(2015, 1, 1, 8, tzinfo=UTC)) == "2015-01-01 00:00:00"
    assert mapping.parse_time("not a date") is None


def test_carrier_codes_only_from_the_account() -> None:
    account = ["stamps_com", "ups", "fedex"]
    assert mapping.carrier_code("USPS", account, {}) == "stamps_com"
    assert mapping.carrier_code("UPS", account, {}) == "ups"
    assert mapping.carrier_code("OnTrac", account, {}) is None
    assert mapping.carrier_code("OnTrac", account, {"ontrac": "fedex"}) == "fedex"
    assert mapping.carrier_code("OnTrac", account, {"OnTrac": "ontrac"}) is None
    assert mapping.carrier_code("fedex", account, {}) == "fedex"
