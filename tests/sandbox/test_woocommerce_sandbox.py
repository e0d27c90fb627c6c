"""Contract tests for the WooCommerce REST API v3 sandbox."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections import OrderedDict
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from woocommerce import API
from woocommerce.oauth import OAuth

from connectors.sandboxing import BuiltSandbox
from connectors.sandboxing.clock import Clock
from connectors.sandboxing.serve import serve
from connectors.woocommerce.sandbox import build
from connectors.woocommerce.sandbox.auth import signature
from tests.sandbox.conftest import ClientFactory

WC = "/wp-json/wc/v3"
TRACK = "/wp-json/wc-shipment-tracking/v3/orders/{}/shipment-trackings"


@pytest.fixture
def sb(clock: Clock) -> BuiltSandbox:
    return build(seed=3, size=60, clock=clock)


@pytest.fixture
def api(sb: BuiltSandbox, make_client: ClientFactory) -> httpx.Client:
    creds = sb.credentials
    return make_client(sb.app, auth=(creds["consumer_key"], creds["consumer_secret"]))


@pytest.fixture
def anon(sb: BuiltSandbox, make_client: ClientFactory) -> httpx.Client:
    return make_client(sb.app)


def _a_simple(sb: BuiltSandbox) -> dict[str, Any]:
    return next(p for p in sb.state.products.values() if p["type"] == "simple")


def _a_variable(sb: BuiltSandbox) -> dict[str, Any]:
    return next(p for p in sb.state.products.values() if p["children"])


# --- auth -----------------------------------------------------------------------------------


def test_basic_and_query_string_keys_are_accepted(sb: BuiltSandbox, anon: httpx.Client) -> None:
    creds = sb.credentials
    assert anon.get(
        f"{WC}/products", auth=(creds["consumer_key"], creds["consumer_secret"])
    ).is_success
    assert anon.get(f"{WC}/products", params=creds).is_success


def test_wrong_secret_gets_woocommerce_authentication_error(
    sb: BuiltSandbox, anon: httpx.Client
) -> None:
    r = anon.get(f"{WC}/products", auth=(sb.credentials["consumer_key"], "cs_wrong"))
    assert r.status_code == 401
    assert r.json() == {
        "code": "woocommerce_rest_authentication_error",
        "message": "Consumer secret is invalid.",
        "data": {"status": 401},
    }


def test_anonymous_and_unknown_key_get_the_route_permission_error(anon: httpx.Client) -> None:
    r = anon.get(f"{WC}/products")
    assert r.status_code == 401
    assert r.json()["code"] == "woocommerce_rest_cannot_view"
    r = anon.get(f"{WC}/products", auth=("ck_unknown", "cs_unknown"))
    assert r.json()["message"] == "Sorry, you cannot list resources."
    r = anon.post(f"{WC}/products", json={"name": "x"})
    assert (r.status_code, r.json()["code"]) == (401, "woocommerce_rest_cannot_create")
    r = anon.post(f"{WC}/products/batch", json={})
    assert r.json()["code"] == "woocommerce_rest_cannot_batch"


def test_basic_over_plain_http_needs_https_or_forwarded_proto(
    sb: BuiltSandbox, api: httpx.Client
) -> None:
    api.put("/_sandbox/settings", json={"assume_https": False})
    assert api.get(f"{WC}/products").status_code == 401
    assert api.get(f"{WC}/products", headers={"X-Forwarded-Proto": "https"}).is_success


def _sign(url: str, method: str, params: dict[str, Any], secret: str, algo: str) -> str:
    """An independent signer mirroring the official client's algorithm (any hash)."""
    pairs = sorted(params.items())
    norm = [
        (quote(str(k), safe="").replace("%", "%25"), quote(str(v), safe="").replace("%", "%25"))
        for k, v in pairs
    ]
    base = f"{method}&{quote(url, '')}&" + "%26".join(f"{k}%3D{v}" for k, v in norm)
    digest = hmac.new(f"{secret}&".encode(), base.encode(), getattr(hashlib, algo)).digest()
    return base64.b64encode(digest).decode()


def _oauth_params(sb: BuiltSandbox, url: str, extra: dict[str, Any], **over: Any) -> dict[str, Any]:
    params: dict[str, Any] = {
        **extra,
        "oauth_consumer_key": sb.credentials["consumer_key"],
        "oauth_timestamp": int(over.pop("timestamp", time.time())),
        "oauth_nonce": over.pop("nonce", "n" + str(time.monotonic_ns())),
        "oauth_signature_method": over.pop("method", "HMAC-SHA1"),
    }
    algo = "sha1" if params["oauth_signature_method"] == "HMAC-SHA1" else "sha256"
    secret = over.pop("secret", sb.credentials["consumer_secret"])
    params["oauth_signature"] = _sign(url, "GET", params, secret, algo)
    return params


def test_oauth_sha1_nonce_replay_and_timestamp_window(make_client: ClientFactory) -> None:
    sb = build(seed=3, size=20)  # wall clock: OAuth timestamps are real time
    client = make_client(sb.app)
    client.put("/_sandbox/settings", json={"assume_https": False})
    url = f"http://sandbox.test{WC}/products"
    params = _oauth_params(sb, url, {"per_page": 5})
    first = client.get(url, params=params)
    assert first.status_code == 200 and len(first.json()) == 5
    replay = client.get(url, params=params)
    assert replay.json()["message"] == "Invalid nonce - nonce has already been used."
    stale = client.get(url, params=_oauth_params(sb, url, {}, timestamp=time.time() - 3600))
    assert stale.json()["message"] == "Invalid timestamp."
    bad = client.get(url, params=_oauth_params(sb, url, {}, secret="nope"))
    assert bad.json()["message"] == "Invalid signature - provided signature does not match."
    partial = client.get(url, params={"oauth_consumer_key": sb.credentials["consumer_key"]})
    assert partial.json()["code"] == "woocommerce_rest_authentication_missing_parameter"


def test_official_python_client_oauth_over_plain_http() -> None:
    sb = build(seed=5, size=30)
    server = serve(sb.app)
    try:
        key, secret = sb.credentials["consumer_key"], sb.credentials["consumer_secret"]
        wcapi = API(url=server.base_url, consumer_key=key, consumer_secret=secret, version="wc/v3")
        r = wcapi.get("products", params={"per_page": 7, "page": 2})
        assert r.status_code == 200, r.text
        assert len(r.json()) == 7 and r.headers["X-WP-Total"] == "30"
        created = wcapi.post("products", {"name": "Via client", "regular_price": "9.99"})
        assert created.status_code == 201, created.text
        wrong = API(
            url=server.base_url, consumer_key=key, consumer_secret="cs_bad", version="wc/v3"
        )
        refused = wrong.get("products")
        assert refused.status_code == 401
        assert refused.json() == {
            "code": "woocommerce_rest_authentication_error",
            "message": "Invalid signature - provided signature does not match.",
            "data": {"status": 401},
        }
        # The client signs with HMAC-SHA256; the URL it builds carries every OAuth field.
        signed = OAuth(
            f"{server.base_url}{WC}/products", key, secret, version="wc/v3"
        ).get_oauth_url()
        assert "oauth_signature_method=HMAC-SHA256" in signed
    finally:
        server.stop()


# --- pagination -----------------------------------------------------------------------------


def test_pagination_headers_links_and_past_the_end(api: httpx.Client) -> None:
    r = api.get(f"{WC}/products", params={"per_page": 25, "page": 3})
    assert len(r.json()) == 10
    assert (r.headers["X-WP-Total"], r.headers["X-WP-TotalPages"]) == ("60", "3")
    assert 'page=2>; rel="prev"' in r.headers["Link"] and "next" not in r.headers["Link"]
    past = api.get(f"{WC}/products", params={"per_page": 25, "page": 9})
    assert past.status_code == 200 and past.json() == []
    assert past.headers["X-WP-Total"] == "60"
    assert 'page=3>; rel="prev"' in past.headers["Link"]  # prev clamps to the last page
    first = api.get(f"{WC}/products")
    assert len(first.json()) == 10 and 'rel="next"' in first.headers["Link"]
    assert "consumer" not in first.headers["Link"]


def test_pagination_param_errors(api: httpx.Client) -> None:
    r = api.get(f"{WC}/products", params={"per_page": 101})
    assert r.status_code == 400
    assert r.json() == {
        "code": "rest_invalid_param",
        "message": "Invalid parameter(s): per_page",
        "data": {
            "status": 400,
            "params": {"per_page": "per_page must be between 1 (inclusive) and 100 (inclusive)"},
            "details": {
                "per_page": {
                    "code": "rest_out_of_bounds",
                    "message": "per_page must be between 1 (inclusive) and 100 (inclusive)",
                    "data": None,
                }
            },
        },
    }
    bad = api.get(f"{WC}/products", params={"page": "x", "status": "nope"}).json()
    assert set(bad["data"]["params"]) == {"page", "status"}
    assert api.get(f"{WC}/products", params={"after": "yesterday"}).status_code == 400


def test_unknown_route_is_rest_no_route(api: httpx.Client) -> None:
    r = api.get(f"{WC}/nothing-here")
    assert (r.status_code, r.json()["code"]) == (404, "rest_no_route")


# --- products -------------------------------------------------------------------------------


def test_product_filters(sb: BuiltSandbox, api: httpx.Client) -> None:
    simple, variable = _a_simple(sb), _a_variable(sb)
    by_sku = api.get(f"{WC}/products", params={"sku": f"{simple['sku']},{variable['sku']}"}).json()
    assert {p["id"] for p in by_sku} == {simple["id"], variable["id"]}
    assert all(
        p["type"] == "variable"
        for p in api.get(f"{WC}/products", params={"type": "variable"}).json()
    )
    inc = api.get(f"{WC}/products", params={"include": f"{simple['id']}", "orderby": "include"})
    assert [p["id"] for p in inc.json()] == [simple["id"]]
    drafts = api.get(f"{WC}/products", params={"status": "draft", "per_page": 100}).json()
    assert all(p["status"] == "draft" for p in drafts)
    found = api.get(f"{WC}/products", params={"search": simple["name"]}).json()
    assert simple["id"] in {p["id"] for p in found}


def test_modified_after_and_newest_first(api: httpx.Client) -> None:
    everything = api.get(f"{WC}/products", params={"per_page": 100}).json()
    ids = [p["id"] for p in everything]
    assert ids == sorted(ids, reverse=True)  # default orderby=date, order=desc
    cut = sorted(p["date_modified_gmt"] for p in everything)[30]
    newer = api.get(
        f"{WC}/products", params={"modified_after": cut, "dates_are_gmt": "true", "per_page": 100}
    ).json()
    assert newer and all(p["date_modified_gmt"] > cut for p in newer)


def test_product_shape_and_upc_locations(sb: BuiltSandbox, api: httpx.Client) -> None:
    product = api.get(f"{WC}/products/{_a_simple(sb)['id']}").json()
    for field in ("regular_price", "sale_price", "price"):
        assert isinstance(product[field], str)
    assert product["date_created"] != product["date_created_gmt"]  # site is UTC-5
    assert {
        "stock_quantity",
        "manage_stock",
        "stock_status",
        "catalog_visibility",
        "images",
        "categories",
        "meta_data",
        "attributes",
        "global_unique_id",
    } <= set(product)
    everything = [p for p in sb.state.products.values()]
    assert any(m["key"] == "_upc" for p in everything for m in p["meta_data"])
    assert any(a["name"] == "UPC" for p in everything for a in p["attributes"])
    variable = api.get(f"{WC}/products/{_a_variable(sb)['id']}").json()
    assert variable["variations"] and variable["stock_quantity"] is None


def test_product_not_found_bodies(api: httpx.Client) -> None:
    r = api.get(f"{WC}/products/999999")
    assert r.status_code == 404
    assert r.json() == {
        "code": "woocommerce_rest_product_invalid_id",
        "message": "Invalid ID.",
        "data": {"status": 404},
    }
    assert api.put(f"{WC}/products/999999", json={"name": "x"}).status_code == 400


def test_create_update_and_duplicate_sku(sb: BuiltSandbox, api: httpx.Client) -> None:
    body = {
        "name": "New thing",
        "sku": "NEW-1",
        "regular_price": "12.50",
        "manage_stock": True,
        "stock_quantity": 4,
        "meta_data": [{"key": "_upc", "value": "036000291452"}],
    }
    created = api.post(f"{WC}/products", json=body)
    assert created.status_code == 201
    pid = created.json()["id"]
    dup = api.post(f"{WC}/products", json={"name": "again", "sku": "NEW-1"})
    assert dup.status_code == 400
    assert dup.json()["code"] == "product_invalid_sku"
    assert dup.json()["data"]["resource_id"] == pid
    wrong_type = api.post(f"{WC}/products", json={"regular_price": 9.99})
    assert (
        wrong_type.json()["data"]["params"]["regular_price"]
        == "regular_price is not of type string."
    )
    updated = api.put(f"{WC}/products/{pid}", json={"stock_quantity": 0}).json()
    assert (updated["stock_quantity"], updated["stock_status"]) == (0, "outofstock")
    assert updated["meta_data"][0]["value"] == "036000291452"


def test_delete_trash_then_gone_then_force(api: httpx.Client, sb: BuiltSandbox) -> None:
    pid = _a_simple(sb)["id"]
    assert api.delete(f"{WC}/products/{pid}").json()["status"] == "trash"
    again = api.delete(f"{WC}/products/{pid}")
    assert (again.status_code, again.json()["code"]) == (410, "woocommerce_rest_already_trashed")
    assert pid not in {p["id"] for p in api.get(f"{WC}/products", params={"per_page": 100}).json()}
    assert api.delete(f"{WC}/products/{pid}", params={"force": "true"}).status_code == 200
    assert api.get(f"{WC}/products/{pid}").status_code == 404


def test_products_batch_partial_failure_and_limit(sb: BuiltSandbox, api: httpx.Client) -> None:
    existing = _a_simple(sb)
    r = api.post(
        f"{WC}/products/batch",
        json={
            "create": [{"name": "B1", "sku": "B-1"}, {"name": "B2", "sku": existing["sku"]}],
            "update": [
                {"id": existing["id"], "regular_price": "1.00"},
                {"id": 999999, "name": "x"},
            ],
            "delete": [999998],
        },
    )
    assert r.status_code == 200
    out = r.json()
    assert out["create"][0]["sku"] == "B-1"
    assert out["create"][1] == {
        "id": 0,
        "error": {
            "code": "product_invalid_sku",
            "message": "Invalid or duplicated SKU.",
            "data": {
                "status": 400,
                "resource_id": existing["id"],
                "unique_sku": existing["sku"] + "-1",
            },
        },
    }
    assert out["update"][0]["regular_price"] == "1.00"
    assert out["update"][1]["error"]["code"] == "woocommerce_rest_product_invalid_id"
    assert out["delete"][0]["error"]["data"] == {"status": 404}
    too_many = api.post(f"{WC}/products/batch", json={"create": [{"name": "x"}] * 101})
    assert too_many.status_code == 413
    assert too_many.json()["code"] == "woocommerce_rest_request_entity_too_large"


# --- variations -----------------------------------------------------------------------------


def test_variations_crud_and_batch(sb: BuiltSandbox, api: httpx.Client) -> None:
    parent = _a_variable(sb)
    base = f"{WC}/products/{parent['id']}/variations"
    listed = api.get(base)
    assert listed.headers["X-WP-Total"] == str(len(parent["children"]))
    vid = parent["children"][0]
    one = api.get(f"{base}/{vid}").json()
    assert one["parent_id"] == parent["id"] and isinstance(one["regular_price"], str)
    assert api.put(f"{base}/{vid}", json={"stock_quantity": 2}).json()["stock_quantity"] == 2
    made = api.post(
        base,
        json={
            "sku": "VAR-NEW",
            "regular_price": "3.00",
            "attributes": [{"name": "Size", "option": "XXL"}],
        },
    )
    assert made.status_code == 201
    batch = api.post(
        f"{base}/batch",
        json={"update": [{"id": vid, "sale_price": "1.00"}, {"id": 424242, "sale_price": "1.00"}]},
    )
    updates = batch.json()["update"]
    assert updates[0]["on_sale"] is True
    assert updates[1]["error"]["code"] == "woocommerce_rest_product_variation_invalid_id"
    no_trash = api.delete(f"{base}/{vid}")
    assert (no_trash.status_code, no_trash.json()["code"]) == (
        501,
        "woocommerce_rest_trash_not_supported",
    )
    assert api.delete(f"{base}/{vid}", params={"force": True}).is_success
    assert api.get(f"{base}/{vid}").status_code == 404
    assert api.get(f"{WC}/products/999999/variations").status_code == 404


# --- orders, notes, tracking ----------------------------------------------------------------


def test_orders_list_filters_and_get(sb: BuiltSandbox, api: httpx.Client) -> None:
    r = api.get(f"{WC}/orders", params={"status": "processing,completed", "per_page": 100})
    assert r.is_success and {o["status"] for o in r.json()} <= {"processing", "completed"}
    assert r.headers["X-WP-Total"] == str(len(r.json()))
    order = r.json()[0]
    assert {"shipping_lines", "line_items", "billing", "shipping", "date_created_gmt"} <= set(order)
    line = order["line_items"][0]
    assert {"sku", "product_id", "variation_id", "quantity", "price"} <= set(line)
    assert order["shipping_lines"][0]["method_title"]
    newest = api.get(f"{WC}/orders", params={"after": order["date_created"]}).json()
    assert all(o["date_created"] > order["date_created"] for o in newest)
    missing = api.get(f"{WC}/orders/999999")
    assert missing.json()["code"] == "woocommerce_rest_shop_order_invalid_id"


def test_order_create_status_update_and_notes(sb: BuiltSandbox, api: httpx.Client) -> None:
    simple = _a_simple(sb)
    made = api.post(
        f"{WC}/orders",
        json={
            "line_items": [{"product_id": simple["id"], "quantity": 2}],
            "shipping_lines": [
                {"method_id": "flat_rate", "method_title": "Flat rate", "total": "5.00"}
            ],
            "billing": {"email": "a@example.com"},
            "set_paid": True,
        },
    )
    assert made.status_code == 201
    oid = made.json()["id"]
    assert made.json()["status"] == "processing"
    done = api.put(f"{WC}/orders/{oid}", json={"status": "completed"}).json()
    assert done["status"] == "completed" and done["date_completed"]
    notes = api.get(f"{WC}/orders/{oid}/notes").json()
    assert notes[0]["note"] == "Order status changed from Processing to Completed."
    assert notes[0]["author"] == "system"
    added = api.post(
        f"{WC}/orders/{oid}/notes", json={"note": "Shipped via Dropdeck", "customer_note": True}
    )
    assert added.status_code == 201 and added.json()["customer_note"] is True
    assert (
        api.post(f"{WC}/orders/{oid}/notes", json={}).json()["code"]
        == "rest_missing_callback_param"
    )
    gone = api.get(f"{WC}/orders/999999/notes")
    assert (gone.status_code, gone.json()["code"]) == (404, "woocommerce_rest_order_invalid_id")
    bad = api.put(f"{WC}/orders/{oid}", json={"status": "shipped"})
    assert bad.status_code == 400 and "status" in bad.json()["data"]["params"]


def test_shipment_tracking_plugin_endpoints(sb: BuiltSandbox, api: httpx.Client) -> None:
    oid = sb.state.order_ids[0]
    url = TRACK.format(oid)
    made = api.post(
        url,
        json={
            "tracking_provider": "usps",
            "tracking_number": "9400111899560000000000",
            "date_shipped": "2026-05-30",
        },
    )
    assert made.status_code == 201
    item = made.json()
    assert item["tracking_provider"] == "USPS"
    assert item["tracking_link"].endswith("9400111899560000000000")
    custom = api.post(
        url,
        json={
            "tracking_number": "Z1",
            "custom_tracking_provider": "Acme",
            "custom_tracking_link": "https://acme.example/t/%1$s",
        },
    ).json()
    assert custom["tracking_link"] == "https://acme.example/t/Z1"
    assert custom["date_shipped"] == "2026-06-01"
    assert len(api.get(url).json()) == 2
    assert (
        api.get(f"{url}/{item['tracking_id']}").json()["tracking_number"] == item["tracking_number"]
    )
    assert api.delete(f"{url}/{item['tracking_id']}").is_success
    assert api.get(f"{url}/{item['tracking_id']}").status_code == 404
    missing = api.post(url, json={"tracking_provider": "UPS"})
    assert (missing.status_code, missing.json()["code"]) == (400, "rest_missing_callback_param")
    assert api.get(TRACK.format(999999)).status_code == 404


# --- control surface ------------------------------------------------------------------------


def test_control_place_order_reduces_stock_and_peeks(sb: BuiltSandbox, api: httpx.Client) -> None:
    simple = next(
        p
        for p in sb.state.products.values()
        if p["type"] == "simple" and (p["stock_quantity"] or 0) > 3
    )
    before = simple["stock_quantity"]
    r = api.post(
        "/_sandbox/orders",
        json={
            "line_items": [{"sku": simple["sku"], "quantity": 2}],
            "shipping_method_title": "Express",
            "email": "buyer@example.com",
        },
    )
    assert r.status_code == 201
    order = r.json()
    assert order["billing"]["email"] == "buyer@example.com"
    assert order["shipping_lines"][0]["method_title"] == "Express"
    assert api.get(f"{WC}/products/{simple['id']}").json()["stock_quantity"] == before - 2
    notes = api.get(f"/_sandbox/orders/{order['id']}/notes").json()
    assert notes[0]["note"].startswith("Stock levels reduced")
    status = api.post(f"/_sandbox/orders/{order['id']}/status", json={"status": "cancelled"})
    assert status.json()["status"] == "cancelled"
    assert api.get(f"/_sandbox/orders/{order['id']}/trackings").json() == []
    unknown = api.post("/_sandbox/orders", json={"line_items": [{"sku": "NOPE"}]})
    assert unknown.status_code == 400
    # An order from earlier in the day (the demo spreads its orders over the last day).
    line = [{"sku": simple["sku"], "quantity": 1}]
    earlier = api.post("/_sandbox/orders", json={"line_items": line, "seconds_ago": 7200})
    now = api.post("/_sandbox/orders", json={"line_items": line})
    placed = [datetime.fromisoformat(o.json()["date_created_gmt"]) for o in (earlier, now)]
    assert placed[1] - placed[0] == timedelta(hours=2)
    bad = api.post("/_sandbox/orders", json={"line_items": line, "seconds_ago": -5})
    assert bad.status_code == 400 and "seconds_ago" in bad.text


def test_control_delete_product_behind_our_back(sb: BuiltSandbox, api: httpx.Client) -> None:
    variable = _a_variable(sb)
    assert api.delete(f"/_sandbox/products/{variable['id']}").is_success
    assert api.get(f"{WC}/products/{variable['id']}").status_code == 404
    assert api.get(f"{WC}/products", params={"sku": variable["sku"]}).json() == []


def test_reset_restores_the_seeded_catalogue(sb: BuiltSandbox, api: httpx.Client) -> None:
    api.post(f"{WC}/products", json={"name": "temp"})
    api.post("/_sandbox/reset")
    assert api.get(f"{WC}/products").headers["X-WP-Total"] == "60"


# --- faults ---------------------------------------------------------------------------------


def test_burst_429_then_recovers(api: httpx.Client) -> None:
    api.put("/_sandbox/faults", json={"burst_429": 2})
    for _ in range(2):
        r = api.get(f"{WC}/products")
        assert r.status_code == 429 and r.headers["Retry-After"] == "2"
        assert r.json()["code"] == "rate_limit_exceeded"
    assert api.get(f"{WC}/products").is_success


def test_error_malformed_expired_and_dropped(api: httpx.Client) -> None:
    api.put("/_sandbox/faults", json={"error_rate": 1.0})
    assert api.get(f"{WC}/products").status_code in (500, 502, 503)
    api.put("/_sandbox/faults", json={"error_rate": 0.0, "malformed": 1.0})
    with pytest.raises(json.JSONDecodeError):
        json.loads(api.get(f"{WC}/products").content)
    api.put("/_sandbox/faults", json={"malformed": 0.0, "expired_credentials": True})
    assert api.get(f"{WC}/products").json()["code"] == "woocommerce_rest_cannot_view"
    api.put("/_sandbox/faults", json={"expired_credentials": False, "drop_connection": 1.0})
    with pytest.raises(httpx.RemoteProtocolError):
        api.get(f"{WC}/products")


def test_seed_is_deterministic() -> None:
    a, b = build(seed=9, size=40), build(seed=9, size=40)
    assert [p["sku"] for p in a.state.products.values()] == [
        p["sku"] for p in b.state.products.values()
    ]
    assert a.credentials == b.credentials
    assert build(seed=10, size=40).credentials != a.credentials


def test_oauth_signature_matches_the_official_client_algorithm() -> None:
    """Our base string equals the official client's for dates, spaces and OAuth fields."""
    url = "http://127.0.0.1:9/wp-json/wc/v3/products"
    params = {"search": "blue mug", "oauth_nonce": "abc", "after": "2026-01-01T00:00:00"}
    client = OAuth(url, "ck", "cs", version="wc/v3", method="GET")
    expected = client.generate_oauth_signature(OrderedDict(params), url)
    assert signature("GET", url, params, "cs", "sha256") == expected
