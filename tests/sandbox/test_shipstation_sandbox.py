"""Contract tests for the ShipStation API v1 sandbox."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from connectors.sandboxing import BuiltSandbox
from connectors.sandboxing.clock import Clock
from connectors.sandboxing.serve import serve
from connectors.shipstation.sandbox import TAGS, USERS, build
from tests.sandbox.conftest import ClientFactory


@pytest.fixture
def sandbox(clock: Clock) -> BuiltSandbox:
    return build(seed=2, size=400, clock=clock)


@pytest.fixture
def api(sandbox: BuiltSandbox, make_client: ClientFactory) -> httpx.Client:
    client = make_client(sandbox.app)
    client.auth = (sandbox.credentials["api_key"], sandbox.credentials["api_secret"])
    return client


@pytest.fixture
def control(sandbox: BuiltSandbox, make_client: ClientFactory) -> httpx.Client:
    return make_client(sandbox.app)


def new_order(**overrides: Any) -> dict[str, Any]:
    address = {"name": "Jane Rider", "street1": "1 Main St", "city": "Boise", "country": "US"}
    return {
        "orderNumber": "WEB-1",
        "orderKey": "wc-1",
        "orderDate": "2026-06-01 08:00:00",
        "orderStatus": "awaiting_shipment",
        "billTo": address,
        "shipTo": address,
        "items": [{"sku": "SS-000001", "quantity": 2, "lineItemKey": "a"}],
        **overrides,
    }


# -- auth and rate limits -----------------------------------------------------------------------


def test_docs_test_vector_and_bad_credentials(
    sandbox: BuiltSandbox, make_client: ClientFactory, control: httpx.Client
) -> None:
    client = make_client(sandbox.app, headers={"Authorization": "Basic U2hpcFN0YXRpb246Um9ja3M="})
    assert client.get("/orders").json() == {"message": "Invalid API credentials"}
    wrong = make_client(sandbox.app)
    wrong.auth = (sandbox.credentials["api_key"], "nope")
    assert wrong.get("/orders").status_code == 401
    control.put("/_sandbox/settings", json={"empty_401_body": True})
    empty = wrong.get("/orders")
    assert empty.status_code == 401 and empty.content == b""


def test_rate_limit_40_per_minute_with_headers(
    api: httpx.Client, control: httpx.Client, clock: Clock
) -> None:
    first = api.get("/users")
    assert first.headers["x-rate-limit-limit"] == "40"
    assert first.headers["x-rate-limit-remaining"] == "39"
    assert first.headers["x-rate-limit-reset"] == "60"  # the frozen clock sits on a boundary
    for _ in range(39):
        assert api.get("/users").status_code == 200
    limited = api.get("/users")
    assert limited.status_code == 429
    assert limited.json() == {"message": "Too Many Requests"}
    assert limited.headers["x-rate-limit-remaining"] == "0"
    assert "retry-after" not in limited.headers
    control.put("/_sandbox/settings", json={"send_reset_header": False, "send_retry_after": True})
    again = api.get("/users")
    assert "x-rate-limit-reset" not in again.headers and again.headers["retry-after"] == "60"
    clock.advance(60)
    assert api.get("/users").status_code == 200


def test_bad_credentials_do_not_spend_the_budget(
    api: httpx.Client, sandbox: BuiltSandbox, make_client: ClientFactory
) -> None:
    wrong = make_client(sandbox.app, headers={"Authorization": "Basic bm86cGU="})
    for _ in range(45):
        wrong.get("/users")
    assert api.get("/users").headers["x-rate-limit-remaining"] == "39"


# -- paging -------------------------------------------------------------------------------------


def test_pages_and_past_the_end(api: httpx.Client) -> None:
    first = api.get("/products", params={"pageSize": 100}).json()
    assert (first["total"], first["page"], first["pages"]) == (383, 1, 4)  # every 23rd is inactive
    last = api.get("/products", params={"pageSize": 100, "page": 4}).json()
    assert len(last["products"]) == 83
    past = api.get("/products", params={"pageSize": 100, "page": 9}).json()
    assert past == {"products": [], "total": 383, "page": 9, "pages": 4}
    assert api.get("/products", params={"pageSize": 501}).status_code == 400
    assert api.get("/products", params={"page": 0}).json()["message"]
    everything = api.get("/products", params={"showInactive": "true", "pageSize": 500}).json()
    assert everything["total"] == 400


def test_products_sku_filter_trims_and_404(api: httpx.Client, control: httpx.Client) -> None:
    padded = api.get("/products", params={"sku": "SS-000097"}).json()["products"]
    assert [p["sku"] for p in padded] == [" SS-000097"]  # stored with a stray space
    assert api.get("/products/5").json()["productId"] == 5
    assert control.delete("/_sandbox/products/5").status_code == 204
    assert api.get("/products/5").status_code == 404
    assert api.get("/products", params={"sku": "SS-000005"}).json()["products"] == []


# -- orders -------------------------------------------------------------------------------------


def test_orders_filters_and_sort(api: httpx.Client, sandbox: BuiltSandbox) -> None:
    orders = api.get("/orders", params={"pageSize": 500}).json()["orders"]
    ids = [o["orderId"] for o in orders]
    assert ids == sorted(ids) and orders[0]["tagIds"] is None and orders[0]["userId"] is None
    number = orders[0]["orderNumber"]
    by_number = api.get("/orders", params={"orderNumber": number[:-1]}).json()["orders"]
    assert all(o["orderNumber"].startswith(number[:-1]) for o in by_number)
    shipped = api.get("/orders", params={"orderStatus": "shipped"}).json()["orders"]
    assert shipped and {o["orderStatus"] for o in shipped} == {"shipped"}
    newest = api.get("/orders", params={"sortBy": "OrderDate", "sortDir": "DESC"}).json()
    dates = [o["orderDate"] for o in newest["orders"]]
    assert dates == sorted(dates, reverse=True)
    assert api.get("/orders", params={"sortBy": "Nope"}).status_code == 400
    assert api.get("/orders", params={"createDateStart": "yesterday"}).status_code == 400


def test_modify_date_filter_sees_changes(
    api: httpx.Client, control: httpx.Client, clock: Clock
) -> None:
    clock.advance(3600)
    since = "2026-06-01 05:30:00"  # Pacific: 12:30 UTC, after the seeded orders
    assert api.get("/orders", params={"modifyDateStart": since}).json()["total"] == 0
    order = control.post("/_sandbox/orders", json={"items": [{"sku": "SS-000003"}]}).json()
    found = api.get("/orders", params={"modifyDateStart": since}).json()["orders"]
    assert [o["orderId"] for o in found] == [order["orderId"]]
    assert found[0]["modifyDate"] == "2026-06-01T06:00:00.0000000"  # Pacific, no offset


def test_one_order_and_404(api: httpx.Client) -> None:
    order = api.get("/orders").json()["orders"][0]
    assert api.get(f"/orders/{order['orderId']}").json() == order
    assert api.get("/orders/1").status_code == 404


def test_tags_and_listbytag(api: httpx.Client) -> None:
    order = api.get("/orders", params={"orderStatus": "awaiting_shipment"}).json()["orders"][0]
    tag = TAGS[0]["tagId"]
    assert api.get("/orders/listbytag", params={"tagId": tag}).status_code == 400
    assert api.get("/orders/listbytag", params={"orderStatus": "shipped"}).status_code == 400
    added = api.post("/orders/addtag", json={"orderId": order["orderId"], "tagId": tag})
    assert added.json()["success"] is True
    listed = api.get(
        "/orders/listbytag", params={"orderStatus": "awaiting_shipment", "tagId": tag}
    ).json()
    assert [o["orderId"] for o in listed["orders"]] == [order["orderId"]]
    assert listed["orders"][0]["tagIds"] == [tag]
    api.post("/orders/removetag", json={"orderId": order["orderId"], "tagId": tag})
    assert api.get(f"/orders/{order['orderId']}").json()["tagIds"] is None
    assert api.post("/orders/addtag", json={"orderId": 1, "tagId": tag}).status_code == 400


def test_assignuser_is_all_or_nothing(api: httpx.Client, sandbox: BuiltSandbox) -> None:
    ids = [o["orderId"] for o in api.get("/orders", params={"pageSize": 2}).json()["orders"]]
    user = USERS[0]["userId"]
    refused = api.post("/orders/assignuser", json={"orderIds": [*ids, 1], "userId": user})
    assert refused.status_code == 400 and "1" in refused.json()["message"]
    assert all(api.get(f"/orders/{i}").json()["userId"] is None for i in ids)
    ok = api.post("/orders/assignuser", json={"orderIds": ids, "userId": user})
    assert ok.json() == {"success": True, "message": "User assigned successfully."}
    assert sandbox.state.assign_calls == [(ids, user)]  # one batch, the refused one not counted
    assert {api.get(f"/orders/{i}").json()["userId"] for i in ids} == {user}


def test_markasshipped_creates_a_fulfillment_not_a_shipment(
    api: httpx.Client, clock: Clock
) -> None:
    order = api.get("/orders", params={"orderStatus": "awaiting_shipment"}).json()["orders"][0]
    before = api.get("/shipments").json()["total"]
    clock.advance(120)
    body = {"orderId": order["orderId"], "carrierCode": "usps", "trackingNumber": "9400"}
    shipped = api.post("/orders/markasshipped", json={**body, "shipDate": "2026-06-01"})
    assert shipped.json() == {"orderId": order["orderId"], "orderNumber": order["orderNumber"]}
    after = api.get(f"/orders/{order['orderId']}").json()
    assert after["orderStatus"] == "shipped" and after["modifyDate"] > order["modifyDate"]
    assert api.get("/shipments").json()["total"] == before
    fulfillments = api.get("/fulfillments", params={"orderId": order["orderId"]}).json()
    assert [f["trackingNumber"] for f in fulfillments["fulfillments"]] == ["9400"]
    again = api.post("/orders/markasshipped", json=body)
    assert again.status_code == 400 and "already shipped" in again.json()["message"]
    assert api.post("/orders/markasshipped", json={"orderId": order["orderId"]}).status_code == 400


def test_carriers_list_codes_and_markasshipped_refuses_others(
    api: httpx.Client, control: httpx.Client, sandbox: BuiltSandbox
) -> None:
    carriers = api.get("/carriers").json()
    assert {c["code"] for c in carriers} == {"stamps_com", "usps", "ups", "fedex"}
    assert all({"name", "code", "accountNumber", "primary"} <= set(c) for c in carriers)
    order = api.get("/orders", params={"orderStatus": "awaiting_shipment"}).json()["orders"][0]
    body = {"orderId": order["orderId"], "carrierCode": "ontrac", "trackingNumber": "C1"}
    refused = api.post("/orders/markasshipped", json=body)
    assert refused.status_code == 400
    assert refused.json()["ExceptionMessage"] == "Invalid carrierCode: ontrac"
    assert refused.json()["Message"] == "The request is invalid."
    control.put("/_sandbox/carriers", json={"codes": ["ontrac"]})
    assert [c["code"] for c in api.get("/carriers").json()] == ["ontrac"]
    assert api.post("/orders/markasshipped", json=body).status_code == 200
    assert [c["carrierCode"] for c in sandbox.state.mark_calls] == ["ontrac"]


def test_markasshipped_on_an_unknown_order(api: httpx.Client) -> None:
    body = {"orderId": 42, "carrierCode": "ups", "trackingNumber": "1Z"}
    refused = api.post("/orders/markasshipped", json=body)
    assert refused.status_code == 400
    assert refused.json()["ExceptionMessage"] == "Order not found. OrderId: 42"


def test_placed_orders_carry_shipping_text_tags_and_creation_time(
    api: httpx.Client, control: httpx.Client
) -> None:
    tag = TAGS[1]["tagId"]
    placed = control.post(
        "/_sandbox/orders",
        json={
            "items": [{"sku": "SS-000001", "quantity": 2}],
            "requestedShippingService": "Next Day Air",
            "tagIds": [tag],
            "orderStatus": "on_hold",
            "createDate": "2026-05-01 08:00:00",
            "shipTo": {"name": 'Zoë "Quotes" O\'Neil'},
        },
    ).json()
    assert placed["requestedShippingService"] == "Next Day Air"
    assert placed["createDate"].startswith("2026-05-01T08:00:00")
    assert placed["shipTo"]["name"] == 'Zoë "Quotes" O\'Neil'
    listed = api.get("/orders/listbytag", params={"orderStatus": "on_hold", "tagId": tag}).json()
    assert [o["orderId"] for o in listed["orders"]] == [placed["orderId"]]
    recent = api.get("/orders", params={"createDateStart": "2026-05-02 00:00:00"}).json()
    assert placed["orderId"] not in {o["orderId"] for o in recent["orders"]}
    bad = control.post("/_sandbox/orders", json={"tagIds": [999]})
    assert bad.status_code == 400 and "tagIds" in bad.json()["error"]


def test_createorder_upserts_on_order_key(api: httpx.Client) -> None:
    created = api.post("/orders/createorder", json=new_order()).json()
    assert created["orderKey"] == "wc-1" and created["orderStatus"] == "awaiting_shipment"
    updated = api.post("/orders/createorder", json=new_order(orderStatus="on_hold")).json()
    assert updated["orderId"] == created["orderId"] and updated["orderStatus"] == "on_hold"
    api.post("/orders/markasshipped", json={"orderId": created["orderId"], "carrierCode": "ups"})
    refused = api.post("/orders/createorder", json=new_order())
    assert refused.status_code == 400 and "cannot be updated" in refused.json()["message"]
    assert api.post("/orders/createorder", json={"orderNumber": "x"}).status_code == 400


def test_createorders_reports_per_item_errors(api: httpx.Client) -> None:
    batch = [new_order(), new_order(orderKey="wc-2", orderStatus="bogus"), "not an order"]
    result = api.post("/orders/createorders", json=batch).json()
    assert result["hasErrors"] is True
    assert [r["success"] for r in result["results"]] == [True, False, False]
    assert result["results"][1]["errorMessage"] and result["results"][1]["orderKey"] == "wc-2"
    assert api.post("/orders/createorders", json=[new_order()] * 101).status_code == 400


# -- shipments ----------------------------------------------------------------------------------


def test_partial_and_voided_shipments(api: httpx.Client, control: httpx.Client) -> None:
    order = control.post(
        "/_sandbox/orders",
        json={"items": [{"sku": "SS-000001", "quantity": 1}, {"sku": "SS-000002", "quantity": 2}]},
    ).json()
    first = control.post(
        f"/_sandbox/orders/{order['orderId']}/shipments", json={"items": [{"sku": "SS-000001"}]}
    ).json()
    assert api.get(f"/orders/{order['orderId']}").json()["orderStatus"] == "awaiting_shipment"
    control.post(
        f"/_sandbox/orders/{order['orderId']}/shipments", json={"items": [{"sku": "SS-000002"}]}
    )
    assert api.get(f"/orders/{order['orderId']}").json()["orderStatus"] == "shipped"
    listed = api.get(
        "/shipments", params={"orderId": order["orderId"], "includeShipmentItems": "true"}
    ).json()["shipments"]
    assert [[i["sku"] for i in s["shipmentItems"]] for s in listed] == [
        ["SS-000001"],
        ["SS-000002"],
    ]
    plain = api.get("/shipments", params={"orderId": order["orderId"]}).json()["shipments"]
    assert {s["shipmentItems"] is None for s in plain} == {True}
    control.post(f"/_sandbox/shipments/{first['shipmentId']}/void")
    voided = api.get(
        "/shipments", params={"voidDateStart": "2026-06-01 00:00:00", "orderId": order["orderId"]}
    ).json()["shipments"]
    assert [(s["shipmentId"], s["voided"]) for s in voided] == [(first["shipmentId"], True)]
    assert voided[0]["voidDate"].startswith("2026-06-01T05:00:00")


def test_seeded_data_has_voided_and_multi_label_orders(api: httpx.Client) -> None:
    shipments = api.get("/shipments", params={"pageSize": 500}).json()["shipments"]
    assert any(s["voided"] and s["voidDate"] for s in shipments)
    per_order: dict[int, int] = {}
    for s in shipments:
        per_order[s["orderId"]] = per_order.get(s["orderId"], 0) + 1
    assert max(per_order.values()) >= 2


# -- faults -------------------------------------------------------------------------------------


def test_fault_bodies_in_shipstation_styles(api: httpx.Client, control: httpx.Client) -> None:
    control.put("/_sandbox/faults", json={"error_rate": 1.0, "seed": 3})
    bodies = [api.get("/users").json() for _ in range(8)]
    assert {"message" in b for b in bodies} == {True, False}  # both styles turn up
    assert any(b.get("ExceptionMessage") for b in bodies)
    control.put("/_sandbox/faults", json={"error_rate": 0.0, "burst_429": 1})
    limited = api.get("/users")
    assert limited.json() == {"message": "Too Many Requests"}
    assert limited.headers["x-rate-limit-remaining"] == "0"
    control.put("/_sandbox/faults", json={"expired_credentials": True})
    assert api.get("/users").json() == {"message": "Invalid API credentials"}
    control.put("/_sandbox/faults", json={"expired_credentials": False, "malformed": 1.0})
    with pytest.raises(json.JSONDecodeError):
        api.get("/users").json()


@pytest.mark.e2e
def test_served_over_real_http_with_basic_auth(sandbox: BuiltSandbox) -> None:
    running = serve(sandbox.app)
    try:
        auth = (sandbox.credentials["api_key"], sandbox.credentials["api_secret"])
        with httpx.Client(base_url=running.base_url, auth=auth) as client:
            response = client.get("/orders", params={"pageSize": 5})
            assert response.status_code == 200 and len(response.json()["orders"]) == 5
            assert response.headers["x-rate-limit-limit"] == "40"
            client.put("/_sandbox/faults", json={"drop_connection": 1.0})
            with pytest.raises(httpx.RemoteProtocolError):
                client.get("/orders")
    finally:
        running.stop()


def test_control_adds_a_product_by_sku(api: httpx.Client, control: httpx.Client) -> None:
    added = control.post("/_sandbox/products", json={"sku": "WPS-123", "name": "Grips"})
    assert added.status_code == 201
    found = api.get("/products", params={"sku": "wps-123"}).json()["products"]
    assert [(p["sku"], p["name"], p["active"]) for p in found] == [("WPS-123", "Grips", True)]
    assert control.post("/_sandbox/products", json={"sku": "WPS-123"}).status_code == 409
