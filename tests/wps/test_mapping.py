"""WPS mapping from fixture JSON: items → inventory rows, request → cart, PO → shipments."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from connectors.errors import MappingError
from connectors.mapping import Template
from connectors.wps import mapping as m

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "wps"
NOW = datetime(2026, 8, 5, tzinfo=UTC)
KEYS = {1: "Size", 2: "Color"}


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def how(**kwargs: Any) -> m.InventoryMapping:
    defaults: dict[str, Any] = {
        "source_id": 3,
        "sku_prefix": "WPS-",
        "attribute_keys": KEYS,
        "template": m.inventory_template(None, None),
        "now": NOW,
    }
    return m.InventoryMapping(**{**defaults, **kwargs})


def test_variant_item_row() -> None:
    item = load("items_page.json")["data"][0]
    row = m.item_to_row(item, how())
    assert row["sku"] == "87-4410L" and row["master_sku"] == "WPS-87-4410L"
    assert row["parent_sku"] == "P7" and m.is_variant(row)
    assert (row["size"], row["color"]) == ("L", "Red")
    assert row["cost"] == Decimal("27.17") and row["list_price"] == Decimal("39.95")
    assert row["map_price"] == Decimal("37.95")
    assert row["quantity"] == 38 and row["warehouse_quantities"]["ID"] == 25
    assert row["stock_status"] == "in_stock"
    assert row["remote_updated_at"] == datetime(2026, 8, 1, 10, 11, 12, tzinfo=UTC)


def test_standalone_item_is_its_own_parent() -> None:
    item = load("items_page.json")["data"][1]
    row = m.item_to_row(item, how())
    assert row["parent_sku"] == row["sku"] == "15-0141" and not m.is_variant(row)
    assert row["size"] is None and row["color"] is None and row["map_price"] is None
    assert row["stock_status"] == "discontinued"


def test_enabled_warehouses_count_only_those() -> None:
    item = load("items_page.json")["data"][0]
    assert m.item_to_row(item, how(warehouses=("CA", "TX")))["quantity"] == 12


def test_pqs_only_maps_price_and_quantity() -> None:
    item = load("items_page.json")["data"][0]
    row = m.item_to_row(item, how(), pqs_only=True)
    assert set(row) == {"source_id", "sku", "updated_at", *m.PQS_COLUMNS}


def test_malformed_item_names_it() -> None:
    item = load("items_page.json")["data"][2]
    with pytest.raises(MappingError) as err:
        m.item_to_row(item, how())
    assert err.value.record_ref == "WPS item 103 (SKU 99-BAD)"
    assert "list_price 'call us' is not a price" in str(err.value)
    with pytest.raises(MappingError, match="not a JSON object"):
        m.item_to_row(["x"], how())


def test_template_maps_and_requires() -> None:
    item = load("items_page.json")["data"][0]
    template = m.inventory_template({"sku": "field:supplier_product_id"}, None)
    assert m.item_to_row(item, how(template=template))["sku"] == "SP0000101"
    missing = m.inventory_template({"inventory_level": "field:nope"}, None)
    with pytest.raises(MappingError) as err:
        m.item_to_row(item, how(template=missing))
    assert err.value.reason == (
        "Invalid request: Missing required field 'inventory_level' for inventory sync"
    )


def plan(**kwargs: Any) -> m.CartPlan:
    args: dict[str, Any] = {
        "po_number": "DD0000042S1",
        "ship_via": "UP2D",
        "order": {"customer_email": "ada@example.com"},
        "address": {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "address_1": "1 Main St",
            "city": "Boise",
            "state": "id",
            "postcode": "83702",
        },
        "lines": [{"sku": "87-4410L", "quantity": 2}],
        "options": {"default_warehouse": "ID"},
    }
    args.update(kwargs)
    return m.cart_plan(m.order_template(None, None), **args)


def test_cart_plan() -> None:
    got = plan()
    assert got.lines == [("87-4410L", 2)]
    assert got.body == {
        "po_number": "DD0000042S1",
        "ship_via": "UP2D",
        "email": "ada@example.com",
        "ship_name": "Ada Lovelace",
        "ship_address1": "1 Main St",
        "ship_city": "Boise",
        "ship_zip": "83702",
        "ship_state": "ID",
        # No billing address: the buyer's names come from the shipping address.
        "customer_first_name": "Ada",
        "customer_last_name": "Lovelace",
        "default_warehouse": "ID",
        "multiple_warehouse": True,
        "allow_backorder": False,
        "hold_order": False,
    }


def test_cart_plan_refusals() -> None:
    with pytest.raises(MappingError) as err:
        plan(order={})
    assert str(err.value) == (
        "PO DD0000042S1: Invalid request: Missing required field 'customer_email' for "
        "order creation"
    )
    with pytest.raises(MappingError, match="'line_item_quantity' for order creation"):
        plan(lines=[{"sku": "X"}])
    with pytest.raises(MappingError, match="shipping method 'FDXG' is not supported by WPS"):
        plan(ship_via="FDXG")
    with pytest.raises(MappingError, match="ship_city 'Rancho Santa Margarita' is longer"):
        plan(address={"name": "A", "city": "Rancho Santa Margarita"})
    template = Template.from_settings({"customer_email": "value:orders@shop.example"})
    merged = template.with_defaults(m.DEFAULT_ORDER_RULES)
    got = m.cart_plan(
        merged,
        po_number="P",
        ship_via="best",
        order={},
        address={},
        lines=[{"sku": "A", "quantity": 1}],
        options={},
    )
    assert got.body["email"] == "orders@shop.example" and got.body["ship_via"] == "BEST"


def test_shipments_of_partial_po() -> None:
    po = load("po_partial.json")["data"]
    records = m.shipments_of(po, now=NOW)
    shipped = [r for r in records if isinstance(r, m.ShipmentRecord)]
    errors = [r for r in records if isinstance(r, MappingError)]
    assert [(s.external_id, s.tracking_number, s.carrier) for s in shipped] == [
        ("5000001", "1Z999AA10123456784", "UPS")
    ]
    assert shipped[0].lines == [("87-4410L", 2)]
    assert shipped[0].shipped_at == datetime(2026, 8, 3, tzinfo=UTC)
    assert [e.record_ref for e in errors] == ["PO DD0000042S1 order 5000002"]
    assert "tracking number" in errors[0].reason
    assert m.order_numbers(po) == ["5000001", "5000002", "5000003"]
    assert not m.all_cancelled(po)
    invoices = m.invoices_of(po)
    assert [(i.external_id, i.total) for i in invoices] == [("90000001", Decimal("54.34"))]


def _variations(item: dict[str, Any]) -> list[Any]:
    """The fixture item and odd versions of it, each one field off the well-formed path."""
    out: list[Any] = [item]
    inv = item["inventory"]["data"]
    for change in (
        {"sku": "  87-4410L  "},
        {"sku": ""},
        {"sku": 123},
        {"list_price": 39.95},
        {"list_price": "NaN"},
        {"list_price": ""},
        {"mapp_price": "oops", "has_map_policy": False},
        {"has_map_policy": False},
        {"weight": "2.5"},
        {"weight": ""},
        {"weight": True},
        {"height": 3},
        {"product_id": "7"},
        {"upc": 12345},
        {"name": None},
        {"status": "NLA", "inventory": {"data": {**inv, **dict.fromkeys(inv, 0)}}},
        {"inventory": {"data": {**inv, "ca_warehouse": -1}}},
        {"inventory": {"data": {**inv, "ca_warehouse": True}}},
        {"inventory": {"data": None}},
        {"inventory": []},
        {"attributevalues": {"data": "x"}},
        {"attributevalues": {"data": [{"attributekey_id": 1, "name": 42}]}},
        {"attributevalues": {"data": [{"attributekey_id": 9, "name": "L"}]}},
        {"attributevalues": {"data": ["x"]}},
        {"attributevalues": None},
    ):
        out.append({**item, **change})
    return out


@pytest.mark.parametrize("warehouses", [m.WAREHOUSES, ("CA", "TX")])
@pytest.mark.parametrize("pqs_only", [False, True])
def test_plain_path_matches_checked_path(warehouses: tuple[str, ...], pqs_only: bool) -> None:
    # item_to_row takes a straight-line path for well-formed items; it must give the checked
    # path's row, key order and error for every record.
    mapping = how(warehouses=warehouses)
    items = [*load("items_page.json")["data"], ["x"]]
    for item in [v for i in items if isinstance(i, dict) for v in _variations(i)] + items:
        try:
            expected: Any = m._checked_item_row(item, mapping, pqs_only=pqs_only)
        except Exception as exc:
            expected = (type(exc), str(exc))
        try:
            got: Any = m.item_to_row(item, mapping, pqs_only=pqs_only)
        except Exception as exc:
            got = (type(exc), str(exc))
        assert got == expected, item
        if isinstance(got, dict):
            assert list(got) == list(expected)
            assert [type(v) for v in got.values()] == [type(v) for v in expected.values()]
