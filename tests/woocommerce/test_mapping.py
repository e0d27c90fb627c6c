"""Pure mapping of WooCommerce JSON (fixtures captured from the sandbox) to store rows."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from connectors.errors import MappingError
from connectors.woocommerce import mapping
from store.commands.shipping import shipping_key

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "woocommerce"


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def test_simple_product_is_a_listing_with_one_variant_and_its_upc_attribute() -> None:
    product = load("product_simple.json")
    listing = mapping.product_to_listing(product)
    assert listing == {
        "master_sku": "WC-009-000017",
        "external_id": "52",
        "title": product["name"],
        "description": "",
        "images": ["https://img.example/p/52.jpg"],
        "category_one": "Apparel",
        "category_two": None,
    }
    [variant] = mapping.product_variants(product)
    assert (variant["sku"], variant["external_id"], variant["upc"]) == (
        "WC-009-000017",
        "52",
        "026231748009",
    )
    assert (variant["price"], variant["quantity"], variant["hidden"]) == (
        Decimal("24.87"),
        91,
        False,
    )
    assert (variant["synced_price"], variant["synced_quantity"]) == (Decimal("24.87"), 91)


def test_variable_product_variants_come_from_its_variations() -> None:
    rows = mapping.product_variants(load("product_variable.json"), load("variations.json"))
    assert [(r["sku"], r["external_id"], r["quantity"]) for r in rows] == [
        ("WC-009-000026-4", "71", 53),
        ("WC-009-000026-3", "70", 5),
        ("WC-009-000026-2", "69", 53),
        ("WC-009-000026-1", "68", 21),
    ]
    # UPC from global_unique_id, or from the `_upc` meta field.
    assert rows[0]["upc"] == "237319451623" and rows[1]["upc"]


def test_malformed_products_name_the_product() -> None:
    product = load("product_simple.json")
    no_sku = {**product, "sku": ""}
    with pytest.raises(MappingError, match=r"^product 52: has no SKU"):
        mapping.product_to_listing(no_sku)
    bad_price = {**product, "regular_price": "abc"}
    with pytest.raises(MappingError, match=r"product 52 \(SKU WC-009-000017\): regular_price"):
        mapping.product_variants(bad_price)
    with pytest.raises(MappingError, match="missing or invalid id"):
        mapping.product_to_listing({**product, "id": "x"})


def test_order_maps_to_rows_and_shipping_key() -> None:
    order = load("order.json")
    row, lines = mapping.order_to_rows(order)
    assert row["external_id"] == "80" and row["number"] == "80"
    assert row["placed_at"] == datetime(2026, 11, 13, 16, 19, 44, tzinfo=UTC)
    assert row["shipping_text"] == "Free shipping"
    assert row["total"] == Decimal("121.83")
    assert [(li["sku"], li["quantity"], li["price"]) for li in lines] == [
        ("WC-009-000005", 3, Decimal("40.61"))
    ]
    assert shipping_key(row["shipping_text"]) == "free_shipping"
    assert shipping_key("  Flat   Rate ") == "flat_rate"
    # The shopper's checkout note is kept (a supplier's order may carry it).
    noted, _ = mapping.order_to_rows({**order, "customer_note": "Leave it at the door"})
    assert noted["details"] == {"customer_note": "Leave it at the door"}
    assert mapping.order_to_rows({**order, "customer_note": ""})[0]["details"] == {
        "customer_note": None
    }


def test_malformed_orders_name_the_order() -> None:
    order = load("order.json")
    broken = copy.deepcopy(order)
    broken["line_items"][0]["sku"] = ""
    with pytest.raises(MappingError, match=r"^order 80: line .* has no SKU"):
        mapping.order_to_rows(broken)
    with pytest.raises(MappingError, match=r"^order 80: invalid date_created_gmt"):
        mapping.order_to_rows({**order, "date_created_gmt": None})


def test_outbound_payloads() -> None:
    assert mapping.stock_update("5", Decimal("9.5"), 3, hidden=True) == {
        "id": 5,
        "manage_stock": True,
        "stock_quantity": 0,
        "regular_price": "9.50",
    }
    note = mapping.shipment_note("UPS", "Ground", "1Z9", [("A", 1), ("B", 2)])
    assert note == "Shipped via UPS Ground, tracking number 1Z9: A x1, B x2"
    item = mapping.tracking_item("Acme Freight", "77", datetime(2026, 1, 2, tzinfo=UTC))
    assert item == {
        "tracking_number": "77",
        "date_shipped": "2026-01-02",
        "custom_tracking_provider": "Acme Freight",
    }
