"""Contract tests for the Magento 2 REST sandbox."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from connectors.magento.sandbox import build
from connectors.sandboxing import BuiltSandbox
from connectors.sandboxing.clock import Clock
from tests.sandbox.conftest import ClientFactory

V1 = "/rest/V1"
F = "searchCriteria[filterGroups][0][filters][0]"


@pytest.fixture
def sb(clock: Clock) -> BuiltSandbox:
    return build(seed=4, size=40, clock=clock)


@pytest.fixture
def api(sb: BuiltSandbox, make_client: ClientFactory) -> httpx.Client:
    return make_client(
        sb.app, headers={"Authorization": f"Bearer {sb.credentials['access_token']}"}
    )


def _simple(sb: BuiltSandbox) -> dict[str, Any]:
    return next(p for p in sb.state.products.values() if p["type_id"] == "simple")


def test_bearer_auth_and_401_body(make_client: ClientFactory, sb: BuiltSandbox) -> None:
    client = make_client(sb.app, headers={"Authorization": "Bearer wrong"})
    r = client.get(f"{V1}/products", params={"searchCriteria": ""})
    assert r.status_code == 401
    assert r.json() == {
        "message": "The consumer isn't authorized to access %resources.",
        "parameters": {"resources": "Magento_Catalog::products"},
    }
    assert make_client(sb.app).get(f"{V1}/orders/1").status_code == 401


def test_products_search_paging_and_last_page_clamp(api: httpx.Client) -> None:
    page = {"searchCriteria[pageSize]": 15, "searchCriteria[currentPage]": 1}
    first = api.get(f"{V1}/products", params=page).json()
    assert first["total_count"] == 40 and len(first["items"]) == 15
    assert first["search_criteria"] == {"filter_groups": [], "page_size": 15, "current_page": 1}
    last = api.get(f"{V1}/products", params={**page, "searchCriteria[currentPage]": 3}).json()
    past = api.get(f"{V1}/products", params={**page, "searchCriteria[currentPage]": 9}).json()
    assert len(last["items"]) == 10
    assert past["items"] == last["items"]  # Magento repeats the last page
    assert past["search_criteria"]["current_page"] == 9
    everything = api.get(f"{V1}/products", params={"searchCriteria": ""}).json()
    assert len(everything["items"]) == 40  # no pageSize: no paging at all
    missing = api.get(f"{V1}/products")
    assert missing.status_code == 400
    assert missing.json()["parameters"] == {"fieldName": "searchCriteria"}


def test_products_filters(sb: BuiltSandbox, api: httpx.Client) -> None:
    simple = _simple(sb)
    eq = api.get(f"{V1}/products", params={f"{F}[field]": "sku", f"{F}[value]": simple["sku"]})
    assert [p["sku"] for p in eq.json()["items"]] == [simple["sku"]]
    like = api.get(
        "/rest/default/V1/products",
        params={
            f"{F}[field]": "sku",
            f"{F}[value]": "MG-004-00000%",
            f"{F}[condition_type]": "like",
        },
    )
    assert like.json()["total_count"] == 9
    gt = api.get(
        f"{V1}/products",
        params={f"{F}[field]": "price", f"{F}[value]": "150", f"{F}[conditionType]": "gt"},
    ).json()
    assert all(p["price"] > 150 for p in gt["items"])
    configurable = api.get(
        f"{V1}/products", params={f"{F}[field]": "type_id", f"{F}[value]": "configurable"}
    ).json()
    assert configurable["items"]


def test_product_get_create_update_delete(sb: BuiltSandbox, api: httpx.Client) -> None:
    r = api.get(f"{V1}/products/NOPE")
    assert r.status_code == 404
    assert r.json() == {
        "message": "The product that was requested doesn't exist. Verify the product and try again."
    }
    made = api.post(
        f"{V1}/products",
        json={"product": {"sku": "NEW-1", "name": "New", "price": 3, "type_id": "simple"}},
    )
    assert made.status_code == 200 and made.json()["sku"] == "NEW-1"
    upd = api.put(
        f"{V1}/products/NEW-1",
        json={
            "product": {
                "price": 4.5,
                "custom_attributes": [{"attribute_code": "upc", "value": "036000291452"}],
            }
        },
    ).json()
    assert upd["price"] == 4.5
    assert {"attribute_code": "upc", "value": "036000291452"} in upd["custom_attributes"]
    assert api.delete(f"{V1}/products/NEW-1").json() is True
    assert api.get(f"{V1}/products/NEW-1").status_code == 404


def test_stock_items_and_configurable_children(sb: BuiltSandbox, api: httpx.Client) -> None:
    simple = _simple(sb)
    item = api.get(f"{V1}/stockItems/{simple['sku']}").json()
    assert item["product_id"] == simple["id"]
    r = api.put(
        f"{V1}/products/{simple['sku']}/stockItems/{item['item_id']}",
        json={"stockItem": {"qty": 0}},
    )
    assert r.json() == item["item_id"]
    after = api.get(f"{V1}/stockItems/{simple['sku']}").json()
    assert (after["qty"], after["is_in_stock"]) == (0, False)
    parent = next(p for p in sb.state.products.values() if p["type_id"] == "configurable")
    kids = api.get(f"{V1}/configurable-products/{parent['sku']}/children").json()
    assert len(kids) == 3 and all(k["type_id"] == "simple" for k in kids)


def test_orders_and_ship(sb: BuiltSandbox, api: httpx.Client) -> None:
    simple = _simple(sb)
    placed = api.post(
        "/_sandbox/orders",
        json={"items": [{"sku": simple["sku"], "qty": 2}], "email": "b@example.com"},
    )
    assert placed.status_code == 201
    oid = placed.json()["entity_id"]
    listed = api.get(
        f"{V1}/orders",
        params={
            "searchCriteria[filterGroups][0][filters][0][field]": "status",
            F + "[value]": "processing",
        },
    ).json()
    assert oid in {o["entity_id"] for o in listed["items"]}
    order = api.get(f"{V1}/orders/{oid}").json()
    item_id = order["items"][0]["item_id"]
    shipped = api.post(
        f"{V1}/order/{oid}/ship",
        json={
            "items": [{"order_item_id": item_id, "qty": 2}],
            "tracks": [
                {"track_number": "1Z999", "title": "United Parcel Service", "carrier_code": "ups"}
            ],
        },
    )
    assert shipped.status_code == 200 and isinstance(shipped.json(), int)
    assert api.get(f"{V1}/orders/{oid}").json()["status"] == "complete"
    again = api.post(f"{V1}/order/{oid}/ship", json={})
    assert again.status_code == 400 and "Shipment Document Validation" in again.json()["message"]
    assert api.get(f"{V1}/orders/999").json()["message"].startswith("The entity that was")


def test_control_delete_product_and_unknown_route(sb: BuiltSandbox, api: httpx.Client) -> None:
    sku = _simple(sb)["sku"]
    assert api.delete(f"/_sandbox/products/{sku}").is_success
    assert api.get(f"{V1}/products/{sku}").status_code == 404
    assert api.get(f"{V1}/nothing").json() == {"message": "Request does not match any route."}


def test_faults_429_and_5xx(api: httpx.Client) -> None:
    api.put("/_sandbox/faults", json={"burst_429": 1})
    r = api.get(f"{V1}/orders", params={"searchCriteria": ""})
    assert r.status_code == 429 and r.headers["Retry-After"] == "1"
    assert api.get(f"{V1}/orders", params={"searchCriteria": ""}).is_success
    api.put("/_sandbox/faults", json={"error_rate": 1.0})
    assert api.get(f"{V1}/orders", params={"searchCriteria": ""}).status_code in (500, 503)
    api.put("/_sandbox/faults", json={"error_rate": 0.0, "expired_credentials": True})
    assert api.get(f"{V1}/orders/1").status_code == 401
