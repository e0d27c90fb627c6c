"""Contract tests for the WPS Data Depot v4 sandbox."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from connectors.sandboxing import BuiltSandbox
from connectors.sandboxing.clock import Clock
from connectors.sandboxing.paging import encode_cursor
from connectors.sandboxing.serve import serve
from connectors.wps.sandbox import build
from tests.sandbox.conftest import ClientFactory

CART = {
    "po_number": "PO-1001",
    "default_warehouse": "CA",
    "ship_via": "BEST",
    "ship_name": "Jane Rider",
    "ship_address1": "1 Main St",
    "ship_city": "Boise",
    "ship_state": "ID",
    "ship_zip": "83702",
}


@pytest.fixture
def sandbox(clock: Clock) -> BuiltSandbox:
    return build(seed=3, size=300, clock=clock)


@pytest.fixture
def api(sandbox: BuiltSandbox, make_client: ClientFactory) -> httpx.Client:
    token = sandbox.credentials["api_token"]
    return make_client(sandbox.app, headers={"Authorization": f"Bearer {token}"})


def stocked_sku(sandbox: BuiltSandbox, warehouse: str = "CA", at_least: int = 3) -> str:
    """An orderable sku with stock at `warehouse`, set explicitly so tests do not guess."""
    state = sandbox.state
    item_id = next(i for i in state.item_ids if state.items[i]["status"] == "STK")
    state.stock[item_id] = [0] * 7
    state.stock[item_id][("ca", "ga", "id", "in", "pa", "pa2", "tx").index(warehouse.lower())] = (
        at_least
    )
    sku: str = state.items[item_id]["sku"]
    return sku


def place_order(api: httpx.Client, sku: str, quantity: int, **cart: Any) -> dict[str, Any]:
    assert api.post("/carts", json={**CART, **cart}).status_code == 200
    po = cart.get("po_number", CART["po_number"])
    added = api.post(f"/carts/{po}/items", json={"item_sku": sku, "quantity": quantity})
    assert added.status_code == 200, added.text
    submitted = api.post("/orders", json={"po_number": po})
    assert submitted.status_code == 200
    body: dict[str, Any] = submitted.json()
    return body


# -- auth ------------------------------------------------------------------------------------


def test_missing_and_wrong_token_are_401(sandbox: BuiltSandbox, make_client: ClientFactory) -> None:
    anonymous = make_client(sandbox.app)
    assert anonymous.get("/items").json() == {"message": "Unauthenticated.", "status_code": 401}
    wrong = make_client(sandbox.app, headers={"Authorization": "Bearer nope"})
    assert wrong.get("/items").status_code == 401
    spaced = make_client(
        sandbox.app, headers={"Authorization": f"Bearer  {sandbox.credentials['api_token']}"}
    )
    assert spaced.get("/items").status_code == 401


def test_restricted_token_reads_catalogue_but_gets_403_on_orders(
    sandbox: BuiltSandbox, make_client: ClientFactory
) -> None:
    client = make_client(
        sandbox.app, headers={"Authorization": f"Bearer {sandbox.state.restricted_token}"}
    )
    assert client.get("/items").status_code == 200
    forbidden = client.post("/carts", json=CART)
    assert forbidden.status_code == 403
    assert forbidden.json()["status_code"] == 403


# -- catalogue, paging, filters ----------------------------------------------------------------


def test_cursor_pages_walk_the_whole_catalogue(api: httpx.Client) -> None:
    seen: list[int] = []
    cursor: str | None = None
    pages = 0
    while True:
        params = {"page[size]": 100, **({"page[cursor]": cursor} if cursor else {})}
        body = api.get("/items", params=params).json()
        meta = body["meta"]["cursor"]
        assert meta["count"] == len(body["data"])
        assert (meta["prev"] is None) == (pages == 0)
        seen += [item["id"] for item in body["data"]]
        pages += 1
        cursor = meta["next"]
        if cursor is None:
            break
    assert seen == list(range(1, 301)) and pages == 3


def test_default_page_size_is_10_and_prev_points_back(api: httpx.Client) -> None:
    first = api.get("/items").json()
    assert len(first["data"]) == 10
    second = api.get("/items", params={"page[cursor]": first["meta"]["cursor"]["next"]}).json()
    back = api.get("/items", params={"page[cursor]": second["meta"]["cursor"]["prev"]}).json()
    assert back["data"] == first["data"]


def test_empty_result_and_invalid_cursor(api: httpx.Client) -> None:
    empty = api.get("/items", params={"filter[sku]": "NO-SUCH"}).json()
    assert empty["data"] == [] and empty["meta"]["cursor"]["next"] is None
    assert empty["meta"]["cursor"]["count"] == 0
    bad = api.get("/items", params={"page[cursor]": "garbage!!"})
    assert bad.status_code == 400 and bad.json()["status_code"] == 400
    foreign = api.get("/products", params={"page[size]": 1}).json()["meta"]["cursor"]["next"]
    assert api.get("/items", params={"page[cursor]": foreign}).status_code == 400


def test_filters_by_operator(api: httpx.Client, sandbox: BuiltSandbox) -> None:
    cheap = api.get("/items", params={"filter[list_price][lt]": "50", "page[size]": 500}).json()
    assert cheap["data"] and all(float(i["list_price"]) < 50 for i in cheap["data"])
    sku = sandbox.state.items[7]["sku"]
    exact = api.get("/items", params={"filter[sku]": sku}).json()["data"]
    assert [i["id"] for i in exact] == [7]
    prefix = sku.split("-")[0] + "-"
    pre = api.get("/items", params={"filter[sku][pre]": prefix, "page[size]": 500}).json()
    assert pre["data"] and all(i["sku"].startswith(prefix) for i in pre["data"])
    brand = api.get("/items", params={"filter[brand_id][ne]": "1", "page[size]": 500}).json()
    assert all(i["brand_id"] != 1 for i in brand["data"])
    assert api.get("/items", params={"filter[nope]": "1"}).status_code == 400
    assert api.get("/items", params={"filter[sku][like]": "x"}).status_code == 400


def test_updated_at_filter_finds_changes(
    api: httpx.Client, sandbox: BuiltSandbox, make_client: ClientFactory, clock: Clock
) -> None:
    since = clock.now().strftime("%Y-%m-%d %H:%M:%S")
    assert api.get("/items", params={"filter[updated_at][gt]": since}).json()["data"] == []
    clock.advance(60)
    sku = sandbox.state.items[42]["sku"]
    control = make_client(sandbox.app)
    assert control.put(f"/_sandbox/items/{sku}", json={"list_price": "12.5"}).status_code == 200
    changed = api.get("/items", params={"filter[updated_at][gt]": since}).json()["data"]
    assert [(i["id"], i["list_price"]) for i in changed] == [(42, "12.50")]


def test_includes_nest_under_data(api: httpx.Client, sandbox: BuiltSandbox) -> None:
    state = sandbox.state
    variant = next(i for i in state.item_ids if state.item_attrs[i])
    item = api.get(
        f"/items/{variant}", params={"include": "inventory,images,attributevalues"}
    ).json()["data"]
    assert isinstance(item["inventory"]["data"], dict)
    assert item["inventory"]["data"]["item_id"] == variant
    assert isinstance(item["images"]["data"], list)
    values = sorted(item["attributevalues"]["data"], key=lambda v: v["attributekey_id"])
    assert [v["attributekey_id"] for v in values] == [1, 2]  # Size, Color
    assert item["name"].endswith(f"{values[0]['name']} {values[1]['name']}")
    standalone = next(i for i in state.item_ids if not state.item_attrs[i])
    plain = api.get(f"/items/{standalone}", params={"include": "attributevalues"}).json()
    assert plain["data"]["attributevalues"] == {"data": []}
    product_id = state.items[variant]["product_id"]
    product = api.get(f"/products/{product_id}", params={"include": "items.inventory"}).json()
    items = product["data"]["items"]["data"]
    assert len(items) == len(state.product_items[product_id]) >= 2
    assert all("inventory" in i for i in items)


def test_sparse_fields_and_id_lists(api: httpx.Client) -> None:
    body = api.get("/items", params={"fields[items]": "id,sku", "page[size]": 2}).json()
    assert [set(i) for i in body["data"]] == [{"id", "sku"}, {"id", "sku"}]
    many = api.get("/items/1,2,999").json()["data"]
    assert [i["id"] for i in many] == [1, 2]
    assert api.get("/items/999").json() == {"message": "Item not found.", "status_code": 404}
    assert isinstance(api.get("/items/1").json()["data"]["list_price"], str)


def test_inventory_is_capped_and_filterable(
    api: httpx.Client, sandbox: BuiltSandbox, make_client: ClientFactory
) -> None:
    sku = stocked_sku(sandbox, "TX", at_least=80)
    item_id = sandbox.state.sku_index[sku]
    record = api.get("/inventory", params={"filter[item_id]": item_id}).json()["data"][0]
    assert record["tx_warehouse"] == 25 and record["total"] == 25
    assert set(record) >= {f"{w}_warehouse" for w in ("ca", "ga", "id", "in", "pa", "pa2", "tx")}
    make_client(sandbox.app).put("/_sandbox/settings", json={"inventory_cap": 9})
    again = api.get(f"/inventory/{item_id}", params={"include": "item"}).json()["data"]
    assert again["tx_warehouse"] == 9 and again["item"]["data"]["sku"] == sku


def test_deleted_item_disappears(
    api: httpx.Client, sandbox: BuiltSandbox, make_client: ClientFactory
) -> None:
    sku = sandbox.state.items[5]["sku"]
    assert make_client(sandbox.app).delete(f"/_sandbox/items/{sku}").status_code == 204
    assert api.get("/items/5").status_code == 404
    assert api.get("/items", params={"filter[sku]": sku}).json()["data"] == []
    ids = [i["id"] for i in api.get("/items").json()["data"]]
    assert 5 not in ids and len(ids) == 10


# -- carts and orders --------------------------------------------------------------------------


def test_cart_validation_is_422_with_field_messages(api: httpx.Client) -> None:
    response = api.post(
        "/carts",
        json={**CART, "ship_city": "A" * 18, "ship_state": "Idaho", "ship_via": "ZZZ"},
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"ship_city", "ship_state", "ship_via"}
    assert "17" in errors["ship_city"][0]
    assert api.post("/carts", json={"ship_name": "x"}).json()["errors"]["po_number"]


def test_cart_to_order_happy_path(api: httpx.Client, sandbox: BuiltSandbox) -> None:
    sku = stocked_sku(sandbox)
    cart = api.post("/carts", json=CART).json()["data"]
    assert cart["po_number"] == "PO-1001" and cart["cart_number"]
    added = api.post("/carts/PO-1001/items", json={"item_sku": sku, "quantity": 2})
    assert added.status_code == 200
    assert api.get("/carts/PO-1001").json()["data"]["items"] == [{"item_sku": sku, "quantity": 2}]
    submitted = api.post("/orders", json={"po_number": "PO-1001"}).json()
    assert submitted["order_number"].isdigit()
    assert api.get("/carts/PO-1001").status_code == 404  # the cart is consumed
    po = api.get("/orders/PO-1001").json()["data"]
    (detail,) = po["order_details"]
    assert detail["order_status"] == "OPEN" and detail["warehouse"] == "CA"
    assert detail["items"][0]["quantity"] == 2 and detail["tracking_numbers"] == []
    assert sandbox.state.stock[sandbox.state.sku_index[sku]][0] == 1


def test_cart_item_errors(api: httpx.Client, sandbox: BuiltSandbox) -> None:
    sku = stocked_sku(sandbox, at_least=1)
    unknown_cart = api.post("/carts/NOPE/items", json={"item_sku": sku, "quantity": 1})
    assert unknown_cart.status_code == 404
    api.post("/carts", json=CART)
    bad_sku = api.post("/carts/PO-1001/items", json={"item_sku": "NO-SUCH", "quantity": 1})
    assert bad_sku.status_code == 422 and "item_sku" in bad_sku.json()["errors"]
    too_many = api.post("/carts/PO-1001/items", json={"item_sku": sku, "quantity": 5})
    assert too_many.status_code == 422 and "quantity" in too_many.json()["errors"]
    assert api.post("/orders", json={"po_number": "PO-1001"}).status_code == 422  # empty cart
    assert api.post("/orders", json={"po_number": "NOPE"}).status_code == 404
    assert api.delete("/carts/PO-1001").status_code == 204
    assert api.delete("/carts/PO-1001").status_code == 404


def test_backorder_allowed_splits_into_backordered_detail(
    api: httpx.Client, sandbox: BuiltSandbox
) -> None:
    sku = stocked_sku(sandbox, at_least=1)
    place_order(api, sku, 3, allow_backorder=True)
    details = api.get("/orders/PO-1001").json()["data"]["order_details"]
    assert [(d["order_status"], d["items"][0]["quantity"]) for d in details] == [
        ("OPEN", 1),
        ("BACKORDERED", 2),
    ]


def test_duplicate_po_rejected_by_default_and_found_by_lookup(
    api: httpx.Client, sandbox: BuiltSandbox, make_client: ClientFactory
) -> None:
    sku = stocked_sku(sandbox, at_least=5)
    first = place_order(api, sku, 1)
    again = api.post("/carts", json=CART)
    assert again.status_code == 422
    assert again.json()["errors"]["po_number"] == ["The po number has already been taken."]
    found = api.get("/orders/PO-1001").json()["data"]["order_details"][0]
    assert found["order_number"] == first["order_number"]
    make_client(sandbox.app).put("/_sandbox/settings", json={"duplicate_po": "allow"})
    place_order(api, sku, 1)
    assert len(api.get("/orders/PO-1001").json()["data"]["order_details"]) == 2


def test_partial_ship_then_backorder_fill(
    api: httpx.Client, sandbox: BuiltSandbox, make_client: ClientFactory
) -> None:
    sku = stocked_sku(sandbox, at_least=5)
    place_order(api, sku, 3)
    control = make_client(sandbox.app)
    partial = control.post(
        "/_sandbox/orders/PO-1001/ship",
        json={"lines": [{"sku": sku, "quantity": 1}], "tracking_number": "1Z001"},
    )
    assert partial.status_code == 200
    details = api.get("/orders/PO-1001").json()["data"]["order_details"]
    assert [(d["order_status"], d["items"][0]["quantity"]) for d in details] == [
        ("SHIPPED", 1),
        ("BACKORDERED", 2),
    ]
    assert details[0]["tracking_numbers"] == ["1Z001"] and details[0]["invoice_number"]
    assert details[1]["order_number"] != details[0]["order_number"]
    control.post("/_sandbox/orders/PO-1001/ship", json={})  # tracking arrives later
    control.post("/_sandbox/orders/PO-1001/tracking", json={"tracking_number": "1Z002"})
    details = api.get("/orders/PO-1001").json()["data"]["order_details"]
    assert [d["tracking_numbers"] for d in details] == [["1Z001"], ["1Z002"]]
    assert control.post("/_sandbox/orders/PO-1001/ship", json={}).status_code == 409


def test_cancel_and_order_lookups(
    api: httpx.Client, sandbox: BuiltSandbox, make_client: ClientFactory
) -> None:
    place_order(api, stocked_sku(sandbox), 1)
    control = make_client(sandbox.app)
    assert control.post("/_sandbox/orders/PO-1001/cancel").status_code == 200
    details = api.get("/orders/PO-1001").json()["data"]["order_details"]
    assert {d["order_status"] for d in details} == {"CANCELLED"}
    assert api.get("/orders/NOPE").json() == {"message": "Order not found.", "status_code": 404}
    assert control.post("/_sandbox/orders/NOPE/cancel").status_code == 404
    listed = api.get("/orders", params={"from_date": "20260601", "to_date": "20260601"})
    assert [po["po_number"] for po in listed.json()["data"]] == ["PO-1001"]
    missing = api.get("/orders", params={"from_date": "20260601"})
    assert missing.status_code == 422 and "to_date" in missing.json()["errors"]


# -- faults ------------------------------------------------------------------------------------


def test_faults_use_wps_error_bodies(
    api: httpx.Client, sandbox: BuiltSandbox, make_client: ClientFactory
) -> None:
    control = make_client(sandbox.app)
    control.put("/_sandbox/faults", json={"expired_credentials": True})
    assert api.get("/items").json() == {"message": "Unauthenticated.", "status_code": 401}
    control.put("/_sandbox/faults", json={"expired_credentials": False, "burst_429": 1})
    limited = api.get("/items")
    assert limited.status_code == 429 and limited.json()["status_code"] == 429
    assert "retry-after" not in limited.headers  # WPS documents no rate headers
    control.put("/_sandbox/faults", json={"error_rate": 1.0})
    assert api.get("/items").json()["message"] == "Server Error"


def test_reset_restores_seeded_catalogue(
    api: httpx.Client, sandbox: BuiltSandbox, make_client: ClientFactory
) -> None:
    before = api.get("/items/3").json()
    control = make_client(sandbox.app)
    control.delete(f"/_sandbox/items/{before['data']['sku']}")
    control.post("/_sandbox/reset")
    assert api.get("/items/3").json() == before
    assert control.post("/_sandbox/seed", json={"seed": 9, "size": 20}).status_code == 200
    assert api.get("/items/21").status_code == 404
    assert api.get("/items/3").json() != before  # a new seed, a new catalogue


@pytest.mark.e2e
def test_served_over_real_http(sandbox: BuiltSandbox) -> None:
    running = serve(sandbox.app)
    try:
        token = sandbox.credentials["api_token"]
        with httpx.Client(base_url=running.base_url) as client:
            ok = client.get("/items", headers={"Authorization": f"Bearer {token}"})
            assert ok.status_code == 200 and ok.json()["meta"]["cursor"]["count"] == 10
            assert client.get("/items").status_code == 401
    finally:
        running.stop()


def test_large_catalogue_serves_deep_pages_and_sku_lookups(make_client: ClientFactory) -> None:
    # Speed is measured by bench/, not asserted here: this checks deep cursors and the
    # SKU index answer correctly on a large catalogue.
    sandbox = build(seed=1, size=40_000)
    token = sandbox.credentials["api_token"]
    client = make_client(sandbox.app, headers={"Authorization": f"Bearer {token}"})
    deep_cursor = encode_cursor("items", 35_001)
    deep = client.get("/items", params={"page[size]": 500, "page[cursor]": deep_cursor}).json()
    by_sku = client.get("/items", params={"filter[sku]": sandbox.state.items[39_999]["sku"]})
    assert deep["data"][0]["id"] == 35_001 and len(deep["data"]) == 500
    assert deep["meta"]["cursor"]["prev"] is not None
    assert [i["id"] for i in by_sku.json()["data"]] == [39_999]
