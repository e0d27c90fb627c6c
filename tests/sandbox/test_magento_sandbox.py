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


def _child(sb: BuiltSandbox) -> tuple[dict[str, Any], dict[str, Any]]:
    parent = next(p for p in sb.state.products.values() if p["type_id"] == "configurable")
    child_id = parent["extension_attributes"]["configurable_product_links"][0]
    return parent, sb.state.products[sb.state.by_id[child_id]]


def test_trailing_slash_paths_are_the_same_route(sb: BuiltSandbox, api: httpx.Client) -> None:
    page = {"searchCriteria[pageSize]": 5}
    plain = api.get(f"{V1}/products", params=page).json()
    slashed = api.get(f"{V1}/products/", params=page)
    assert slashed.status_code == 200 and slashed.json() == plain
    sku = _simple(sb)["sku"]
    assert api.get(f"/rest/all/V1/products/{sku}/").json()["sku"] == sku


def test_list_has_no_stock_item_and_source_items_carry_quantities(
    sb: BuiltSandbox, api: httpx.Client
) -> None:
    listed = api.get(f"{V1}/products", params={"searchCriteria[pageSize]": 40}).json()["items"]
    assert all("stock_item" not in p["extension_attributes"] for p in listed)
    simple = _simple(sb)
    rows = api.get(
        f"{V1}/inventory/source-items",
        params={f"{F}[field]": "sku", f"{F}[value]": simple["sku"]},
    ).json()["items"]
    assert rows == [
        {
            "sku": simple["sku"],
            "source_code": "default",
            "quantity": simple["extension_attributes"]["stock_item"]["qty"],
            "status": int(simple["extension_attributes"]["stock_item"]["is_in_stock"]),
        }
    ]


def test_products_have_descriptions_categories_images_special_prices(
    sb: BuiltSandbox, api: httpx.Client
) -> None:
    products = [p for p in sb.state.products.values() if p["visibility"] != 1]
    codes = [{a["attribute_code"] for a in p["custom_attributes"]} for p in products]
    assert all({"description", "short_description"} <= c for c in codes)
    assert any("special_price" in c for c in codes)
    assert any(p["media_gallery_entries"] for p in products)
    links = [p["extension_attributes"]["category_links"] for p in products]
    assert all(1 <= len(link) <= 3 for link in links)
    tree = api.get(f"{V1}/categories").json()
    assert tree["name"] == "Default Category"
    assert {c["name"] for c in tree["children_data"]} == {"Apparel", "Tools", "Outdoor"}
    one = api.get(f"{V1}/categories/5").json()
    assert (one["name"], one["path"], one["level"]) == ("Men's", "1/2/3/4/5", 4)
    listing = api.get(f"{V1}/categories/list", params={"searchCriteria": ""}).json()
    assert listing["total_count"] == 11  # with the outlet store's root, "Outlet Catalog"
    assert api.get(f"{V1}/categories/99").status_code == 404


def test_store_views_and_groups_name_each_stores_root_category(api: httpx.Client) -> None:
    views = {v["code"]: v for v in api.get(f"{V1}/store/storeViews").json()}
    assert (views["admin"]["id"], views["default"]["store_group_id"]) == (0, 1)
    assert views["outlet"]["store_group_id"] == 2
    groups = {g["id"]: g for g in api.get("/rest/all/V1/store/storeGroups/").json()}
    assert [groups[n]["root_category_id"] for n in (0, 1, 2)] == [0, 2, 11]
    assert api.get(f"{V1}/categories/11").json()["parent_id"] == 1


def test_page_past_the_end_23_repeats_and_24_is_empty(api: httpx.Client) -> None:
    past = {"searchCriteria[pageSize]": 15, "searchCriteria[currentPage]": 9}
    assert api.get(f"{V1}/products", params=past).json()["items"]
    assert api.put("/_sandbox/settings", json={"version": "2.4"}).json()["version"] == "2.4"
    empty = api.get(f"{V1}/products", params=past).json()
    assert empty["items"] == [] and empty["total_count"] == 40
    api.post("/_sandbox/reset")
    assert api.get(f"{V1}/products", params=past).json()["items"]


def test_integration_token_refused_when_bearer_is_not_allowed(api: httpx.Client) -> None:
    api.put("/_sandbox/settings", json={"integration_as_bearer": False})
    refused = api.get(f"{V1}/products", params={"searchCriteria": ""})
    assert refused.status_code == 401
    assert refused.json()["message"] == "The consumer isn't authorized to access %resources."


def test_media_list_add_remove_and_gallery_replace(sb: BuiltSandbox, api: httpx.Client) -> None:
    sku = _simple(sb)["sku"]
    before = api.get(f"{V1}/products/{sku}/media").json()
    entry = {
        "media_type": "image",
        "label": "Front",
        "types": ["image"],
        "content": {"base64_encoded_data": "aGVsbG8=", "type": "image/jpeg", "name": "front.jpg"},
    }
    made = api.post(f"{V1}/products/{sku}/media/", json={"entry": entry})
    assert made.status_code == 200 and isinstance(made.json(), str)
    again = api.post(f"{V1}/products/{sku}/media", json={"entry": entry}).json()
    files = [e["file"] for e in api.get(f"{V1}/products/{sku}/media").json()]
    assert len(files) == len(before) + 2 and "/f/r/front.jpg" in files
    assert "/f/r/front_1.jpg" in files  # a clashing name is renamed, not replaced
    bad = api.post(
        f"{V1}/products/{sku}/media",
        json={"entry": {**entry, "content": {**entry["content"], "type": "text/plain"}}},
    )
    assert bad.status_code == 400 and "MIME type" in bad.json()["message"]
    assert api.get(f"{V1}/products/{sku}/media/{made.json()}").json()["label"] == "Front"
    assert api.delete(f"{V1}/products/{sku}/media/{made.json()}").json() is True
    assert api.get(f"{V1}/products/{sku}/media/{made.json()}").status_code == 404
    kept = api.put(
        f"{V1}/products/{sku}", json={"product": {"media_gallery_entries": [{"id": int(again)}]}}
    ).json()
    assert [e["id"] for e in kept["media_gallery_entries"]] == [int(again)]


def test_configurable_options_and_child_links(sb: BuiltSandbox, api: httpx.Client) -> None:
    parent, child = _child(sb)
    options = api.get(f"{V1}/configurable-products/{parent['sku']}/options/all").json()
    assert options[0]["label"] == "Color"
    assert (
        api.delete(f"{V1}/configurable-products/{parent['sku']}/children/{child['sku']}").json()
        is True
    )
    kids = api.get(f"{V1}/configurable-products/{parent['sku']}/children").json()
    assert child["sku"] not in {k["sku"] for k in kids}
    body = {"childSku": child["sku"]}
    assert api.post(f"{V1}/configurable-products/{parent['sku']}/child", json=body).json() is True
    dup = api.post(f"{V1}/configurable-products/{parent['sku']}/child", json=body)
    assert dup.status_code == 400 and dup.json()["message"] == "The product is already attached."
    api.post(
        f"{V1}/products",
        json={"product": {"sku": "CFG-NEW", "name": "Cfg New", "type_id": "configurable"}},
    )
    no_opts = api.post(f"{V1}/configurable-products/CFG-NEW/child", json=body)
    assert "configurable product options" in no_opts.json()["message"]
    option = {"attribute_id": "93", "label": "Color", "values": [{"value_index": 50}]}
    oid = api.post(f"{V1}/configurable-products/CFG-NEW/options", json={"option": option}).json()
    assert isinstance(oid, int)
    assert api.post(f"{V1}/configurable-products/CFG-NEW/child", json=body).json() is True


def test_product_save_fields_and_duplicate_url_key(sb: BuiltSandbox, api: httpx.Client) -> None:
    sku = _simple(sb)["sku"]
    saved = api.put(
        f"{V1}/products/{sku}",
        json={
            "product": {
                "custom_attributes": [{"attribute_code": "special_price", "value": "1.50"}],
                "extension_attributes": {
                    "stock_item": {"qty": 7, "max_sale_qty": 3},
                    "category_links": [{"position": 0, "category_id": "6"}],
                },
            }
        },
    ).json()
    stock = api.get(f"{V1}/stockItems/{sku}").json()
    assert (stock["qty"], stock["max_sale_qty"], stock["use_config_max_sale_qty"]) == (7, 3, False)
    assert saved["extension_attributes"]["category_links"] == [{"position": 0, "category_id": "6"}]
    name = sb.state.products[sku]["name"]
    dup = api.post(f"{V1}/products", json={"product": {"sku": "OTHER", "name": name}})
    assert dup.status_code == 400
    assert dup.json()["message"] == "URL key for specified store already exists."
    bad = api.put(f"{V1}/products/{sku}", json={"product": {"price": "abc"}})
    assert bad.status_code == 400


def _order(api: httpx.Client, **body: Any) -> dict[str, Any]:
    placed = api.post("/_sandbox/orders", json=body)
    assert placed.status_code == 201, placed.text
    return placed.json()


def test_configurable_order_rows_coupon_note_invoice(sb: BuiltSandbox, api: httpx.Client) -> None:
    parent, child = _child(sb)
    order = _order(
        api,
        items=[{"sku": child["sku"], "qty": 2}],
        coupon_code="SAVE10",
        customer_note="after 2 PM",
    )
    top, sub = order["items"]
    assert (top["product_type"], top["sku"], top["name"]) == (
        "configurable",
        child["sku"],
        parent["name"],
    )
    assert (sub["parent_item_id"], sub["price"], top["price"]) == (
        top["item_id"],
        0.0,
        child["price"],
    )
    assert order["coupon_code"] == "SAVE10" and order["customer_note"] == "after 2 PM"
    assert top["discount_amount"] > 0
    invoices = api.get(
        f"{V1}/invoices", params={f"{F}[field]": "order_id", f"{F}[value]": order["entity_id"]}
    ).json()
    assert invoices["total_count"] == 1
    bare = _order(api, items=[{"sku": _simple(sb)["sku"]}], no_shipping=True)
    assert bare["extension_attributes"]["shipping_assignments"] == []


def test_comments_and_status_control(sb: BuiltSandbox, api: httpx.Client) -> None:
    oid = _order(api, items=[{"sku": _simple(sb)["sku"]}])["entity_id"]
    body = {"statusHistory": {"comment": "Imported", "is_customer_notified": 0}}
    assert api.post(f"{V1}/orders/{oid}/comments", json=body).json() is True
    listed = api.get(f"{V1}/orders/{oid}/comments").json()
    assert [c["comment"] for c in listed["items"]] == ["Imported"]
    assert api.post(f"{V1}/orders/{oid}/comments", json={}).status_code == 400
    held = api.put(f"/_sandbox/orders/{oid}/status", json={"status": "holded"}).json()
    assert held["status"] == "holded"
    refused = api.post(f"{V1}/order/{oid}/ship", json={})
    assert refused.status_code == 400
    assert refused.json() == {
        "message": "A shipment cannot be created when an order has a status of %1",
        "parameters": ["holded"],
    }
    assert api.put(f"/_sandbox/orders/{oid}/status", json={"status": "x"}).status_code == 400


def test_ship_partial_parent_item_tracks_notify_and_read_back(
    sb: BuiltSandbox, api: httpx.Client
) -> None:
    _, child = _child(sb)
    order = _order(api, items=[{"sku": child["sku"], "qty": 3}, {"sku": _simple(sb)["sku"]}])
    oid, (top, sub, _) = order["entity_id"], order["items"]
    alone = api.post(
        f"{V1}/order/{oid}/ship", json={"items": [{"order_item_id": sub["item_id"], "qty": 1}]}
    )
    assert alone.status_code == 400
    assert alone.json()["message"].endswith("You can't create a shipment without products.")
    unknown = api.post(f"{V1}/order/{oid}/ship", json={"items": [{"order_item_id": 999, "qty": 1}]})
    assert unknown.json()["message"] == (
        'Shipment Document Validation Error(s):\nWe can not found item "999" in order.'
    )
    no_number = api.post(
        f"{V1}/order/{oid}/ship",
        json={
            "items": [{"order_item_id": top["item_id"], "qty": 1}],
            "tracks": [{"carrier_code": "ups"}],
        },
    )
    assert no_number.status_code == 400 and "track_number" in no_number.json()["message"]
    first = api.post(
        f"{V1}/order/{oid}/ship",
        json={
            "items": [{"order_item_id": top["item_id"], "qty": 1}],
            "tracks": [{"track_number": "1Z1", "title": "UPS", "carrier_code": "ups"}],
            "notify": True,
            "appendComment": True,
            "comment": {"comment": "On its way", "is_visible_on_front": 1},
            "arguments": {"extension_attributes": {"source_code": "default"}},
        },
    ).json()
    state_after = api.get(f"{V1}/orders/{oid}").json()
    assert state_after["status"] == "processing"
    assert [i["qty_shipped"] for i in state_after["items"]] == [1, 1, 0]
    rest = api.post(
        f"{V1}/order/{oid}/ship", json={"items": [{"order_item_id": top["item_id"], "qty": 50}]}
    ).json()
    assert api.get(f"{V1}/orders/{oid}").json()["items"][0]["qty_shipped"] == 3  # clamped
    api.post(f"{V1}/order/{oid}/ship", json={})
    assert api.get(f"{V1}/orders/{oid}").json()["status"] == "complete"
    found = api.get(
        f"{V1}/shipments/", params={f"{F}[field]": "order_id", f"{F}[value]": oid}
    ).json()
    assert [s["entity_id"] for s in found["items"]][:2] == [first, rest]
    shipped = api.get(f"{V1}/shipment/{first}").json()
    assert shipped["tracks"][0]["track_number"] == "1Z1"
    assert shipped["comments"][0]["is_visible_on_front"] == 1
    assert shipped["notification"] == {"sent": True, "comment": "On its way"}
    assert shipped["extension_attributes"] == {"source_code": "default"}
    assert api.get(f"{V1}/shipment/999").status_code == 404


def test_async_bulk_put_202_and_operation_statuses(sb: BuiltSandbox, api: httpx.Client) -> None:
    sku = _simple(sb)["sku"]
    accepted = api.put(
        "/rest/all/async/bulk/V1/products/bySku",
        json=[{"product": {"sku": sku, "price": 9.99}}, {"product": {"sku": "NEW-X"}}],
    )
    assert accepted.status_code == 202
    body = accepted.json()
    assert body["errors"] is False and [i["status"] for i in body["request_items"]] == [
        "accepted",
        "accepted",
    ]
    status = api.get(f"{V1}/bulk/{body['bulk_uuid']}/status").json()
    ops = status["operations_list"]
    assert [o["status"] for o in ops] == [1, 3]
    assert ops[1]["result_message"] == (
        'The "name" attribute value is empty. Set the attribute and try again.'
    )
    assert sb.state.products[sku]["price"] == 9.99
    assert api.get(f"{V1}/bulk/nope/status").status_code == 404
