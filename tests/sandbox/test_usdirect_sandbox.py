"""Contract tests for the US Direct sandbox (the assumed contract of api doc §3.3)."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
import pytest

from connectors.sandboxing import BuiltSandbox
from connectors.sandboxing.clock import Clock
from connectors.sandboxing.serve import serve
from connectors.usdirect.sandbox import build
from tests.sandbox.conftest import ClientFactory


@pytest.fixture
def sandbox(clock: Clock) -> BuiltSandbox:
    built = build(seed=4, size=200, clock=clock)
    built.state.settings.requests_per_second = 1000  # most tests are not about the limit
    return built


@pytest.fixture
def api(sandbox: BuiltSandbox, make_client: ClientFactory) -> httpx.Client:
    headers = {
        "X-API-TOKEN": sandbox.credentials["api_token"],
        "X-RESELLER-TOKEN": sandbox.credentials["reseller_token"],
    }
    return make_client(sandbox.app, headers=headers)


@pytest.fixture
def control(sandbox: BuiltSandbox, make_client: ClientFactory) -> httpx.Client:
    return make_client(sandbox.app)


def feed_path(sandbox: BuiltSandbox, key: str = "feed_url") -> str:
    return sandbox.credentials[key].replace("{base_url}", "")


def order(sandbox: BuiltSandbox, po: str = "PO-1", **overrides: Any) -> dict[str, Any]:
    sku = sandbox.state.primary[0]
    return {
        "po_number": po,
        "ship_to": {
            "name": "Jane Rider",
            "address1": "1 Main St",
            "city": "Boise",
            "state": "ID",
            "zip": "83702",
            "country": "US",
        },
        "ship_method": "UPS-GND",
        "items": [{"sku": sku, "quantity": 3}],
        **overrides,
    }


def test_feeds_are_csv_with_quoting_and_blank_quantities(
    sandbox: BuiltSandbox, make_client: ClientFactory
) -> None:
    client = make_client(sandbox.app)  # the feed URL itself carries the token
    response = client.get(feed_path(sandbox))
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert list(rows[0]) == ["sku", "name", "price", "qty"]
    assert len(rows) == 200
    assert any("," in r["name"] and '"' in r["name"] for r in rows)
    assert {r["qty"] for r in rows} >= {"", "0"}
    assert all(r["price"].count(".") == 1 for r in rows)
    secondary = client.get(feed_path(sandbox, "secondary_feed_url")).text.splitlines()
    assert secondary[0] == "sku,name,price,qty" and len(secondary) == 21
    assert client.get("/feeds/wrong/inventory.csv").json() == {"error": "unauthorized"}


def test_stock_and_price_changes_show_in_the_feed(
    sandbox: BuiltSandbox, control: httpx.Client
) -> None:
    sku = sandbox.state.primary[5]
    changed = control.put(f"/_sandbox/products/{sku}", json={"qty": 0, "price": "9.5"})
    assert changed.json()["price"] == "9.50"
    rows = {r["sku"]: r for r in csv.DictReader(io.StringIO(control.get(feed_path(sandbox)).text))}
    assert (rows[sku]["qty"], rows[sku]["price"]) == ("0", "9.50")
    assert control.put("/_sandbox/products/NOPE", json={"qty": 1}).status_code == 404


def test_auth_header_styles(sandbox: BuiltSandbox, make_client: ClientFactory) -> None:
    token = sandbox.credentials["api_token"]
    bearer = make_client(sandbox.app, headers={"Authorization": f"Bearer {token}"})
    assert bearer.get("/shipments").status_code == 200
    anonymous = make_client(sandbox.app)
    assert anonymous.get("/shipments").json() == {"error": "unauthorized"}
    wrong = make_client(sandbox.app, headers={"X-API-TOKEN": "nope"})
    assert wrong.get("/orders/PO-1").status_code == 401


def test_order_lifecycle_and_duplicate_po(
    api: httpx.Client, control: httpx.Client, sandbox: BuiltSandbox
) -> None:
    created = api.post("/orders", json=order(sandbox))
    assert created.status_code == 201
    assert created.json()["status"] == "pending_authorization"
    duplicate = api.post("/orders", json=order(sandbox))
    assert duplicate.status_code == 409 and duplicate.json()["error"] == "duplicate_po"
    assert api.get("/orders/PO-1").json()["order_id"] == created.json()["order_id"]
    assert control.post("/_sandbox/orders/PO-1/authorize").json()["status"] == "authorized"
    assert api.get("/orders/NOPE").json() == {"error": "not_found"}


def test_validation_errors_name_fields(api: httpx.Client, sandbox: BuiltSandbox) -> None:
    bad = order(sandbox, items=[{"sku": "NOPE", "quantity": 0}], ship_method="")
    response = api.post("/orders", json=bad)
    assert response.status_code == 422 and response.json()["error"] == "validation"
    assert set(response.json()["fields"]) == {
        "ship_method",
        "items[0].sku",
        "items[0].quantity",
    }
    assert api.post("/orders", content=b"nope").status_code == 422


def test_partial_shipments_void_and_invoice(
    api: httpx.Client, control: httpx.Client, sandbox: BuiltSandbox, clock: Clock
) -> None:
    api.post("/orders", json=order(sandbox))
    sku = sandbox.state.primary[0]
    assert api.get("/invoices/PO-1").status_code == 404  # not shipped yet
    control.post("/_sandbox/orders/PO-1/authorize")
    first = control.post(
        "/_sandbox/orders/PO-1/ship",
        json={"items": [{"sku": sku, "quantity": 1}], "tracking_number": "1Z1"},
    ).json()
    assert api.get("/orders/PO-1").json()["status"] == "authorized"
    assert api.get("/invoices/PO-1").status_code == 404
    clock.advance(60)
    control.post("/_sandbox/orders/PO-1/ship", json={"tracking_number": "1Z2"})
    assert api.get("/orders/PO-1").json()["status"] == "shipped"
    shipments = api.get("/shipments", params={"po_number": "PO-1"}).json()["shipments"]
    assert [(s["tracking_number"], s["items"][0]["quantity"]) for s in shipments] == [
        ("1Z1", 1),
        ("1Z2", 2),
    ]
    invoice = api.get("/invoices/PO-1").json()
    unit = sandbox.state.products[sku]["price"]
    assert invoice["lines"][0]["extended"] == f"{float(unit) * 3:.2f}"
    assert invoice["total"] == f"{float(invoice['subtotal']) + 7.5:.2f}"
    since = "2026-06-01T12:00:30Z"
    recent = api.get("/shipments", params={"since": since}).json()["shipments"]
    assert [s["tracking_number"] for s in recent] == ["1Z2"]
    clock.advance(60)
    control.post(f"/_sandbox/shipments/{first['shipment_id']}/void")
    recent = api.get("/shipments", params={"since": since}).json()["shipments"]
    assert [(s["tracking_number"], s["voided"]) for s in recent] == [("1Z1", True), ("1Z2", False)]
    assert api.get("/orders/PO-1").json()["status"] == "authorized"  # 1 unit is open again
    assert api.get("/shipments", params={"since": "yesterday"}).status_code == 422


def test_cancel(api: httpx.Client, control: httpx.Client, sandbox: BuiltSandbox) -> None:
    api.post("/orders", json=order(sandbox))
    assert control.post("/_sandbox/orders/PO-1/cancel").json()["status"] == "cancelled"
    assert control.post("/_sandbox/orders/PO-1/ship").status_code == 409
    assert control.post("/_sandbox/orders/NOPE/cancel").status_code == 404


def test_two_requests_per_second(
    api: httpx.Client, control: httpx.Client, clock: Clock, sandbox: BuiltSandbox
) -> None:
    control.put("/_sandbox/settings", json={"requests_per_second": 2})
    assert [api.get("/shipments").status_code for _ in range(2)] == [200, 200]
    limited = api.get("/shipments")
    assert limited.status_code == 429 and limited.headers["retry-after"] == "1"
    assert limited.json()["error"] == "rate_limited"
    clock.advance(1)
    assert api.get("/shipments").status_code == 200


def test_faults_in_usdirect_style(api: httpx.Client, control: httpx.Client) -> None:
    control.put("/_sandbox/faults", json={"expired_credentials": True})
    assert api.get("/shipments").json()["error"] == "unauthorized"
    control.put("/_sandbox/faults", json={"expired_credentials": False, "burst_429": 1})
    burst = api.get("/shipments")
    assert burst.status_code == 429 and burst.headers["retry-after"] == "1"
    control.put("/_sandbox/faults", json={"error_rate": 1.0})
    assert api.get("/shipments").json()["error"] == "server_error"


@pytest.mark.e2e
def test_feed_over_real_http(sandbox: BuiltSandbox) -> None:
    running = serve(sandbox.app)
    try:
        url = sandbox.credentials["feed_url"].replace("{base_url}", running.base_url)
        response = httpx.get(url)
        assert response.status_code == 200 and response.text.startswith("sku,name,price,qty\n")
    finally:
        running.stop()


def test_ship_method_must_be_a_shipping_code(api: httpx.Client, sandbox: BuiltSandbox) -> None:
    refused = api.post("/orders", json=order(sandbox, ship_method="UPS Ground"))
    assert refused.status_code == 422
    assert refused.json()["fields"] == {
        "ship_method": "must be one of UPS-GND, FEDEX-EXP, USPS-PRIORITY"
    }
    assert api.post("/orders", json=order(sandbox, ship_method="FEDEX-EXP")).status_code == 201


def test_shipments_carry_status_and_shipping_code(
    api: httpx.Client, control: httpx.Client, sandbox: BuiltSandbox
) -> None:
    api.post("/orders", json=order(sandbox, ship_method="FEDEX-EXP"))
    shipment = control.post("/_sandbox/orders/PO-1/ship", json={}).json()
    assert (shipment["carrier"], shipment["ship_method"], shipment["status"]) == (
        "FedEx",
        "FEDEX-EXP",
        "In Transit",
    )
    moved = control.put(
        f"/_sandbox/shipments/{shipment['shipment_id']}/status", json={"status": "Delivered"}
    )
    assert moved.json()["status"] == "Delivered"
    listed = api.get("/shipments", params={"po_number": "PO-1"}).json()["shipments"]
    assert listed[0]["status"] == "Delivered"
    bad = control.put(f"/_sandbox/shipments/{shipment['shipment_id']}/status", json={"status": "x"})
    assert bad.status_code == 400


def test_invoices_need_the_reseller_token(
    api: httpx.Client, control: httpx.Client, sandbox: BuiltSandbox, make_client: ClientFactory
) -> None:
    api.post("/orders", json=order(sandbox))
    control.post("/_sandbox/orders/PO-1/ship", json={})
    no_reseller = make_client(
        sandbox.app, headers={"X-API-TOKEN": sandbox.credentials["api_token"]}
    )
    refused = no_reseller.get("/invoices/PO-1")
    assert refused.status_code == 403 and refused.json()["error"] == "reseller_token_required"
    assert api.get("/invoices/PO-1").json()["po_number"] == "PO-1"


def test_an_account_without_integration_access_is_forbidden(
    api: httpx.Client, control: httpx.Client
) -> None:
    control.put("/_sandbox/settings", json={"integration_access": False})
    forbidden = api.get("/shipments")
    assert forbidden.status_code == 403
    assert forbidden.json()["message"] == "Integration access is not enabled for this account."


def test_feed_validators_and_conditional_get(
    sandbox: BuiltSandbox, control: httpx.Client, clock: Clock
) -> None:
    first = control.get(feed_path(sandbox))
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert control.get(feed_path(sandbox), headers={"If-None-Match": etag}).status_code == 304
    same = control.get(feed_path(sandbox), headers={"If-Modified-Since": modified})
    assert same.status_code == 304 and same.content == b""
    clock.advance(5)
    control.put(f"/_sandbox/products/{sandbox.state.primary[0]}", json={"qty": 7})
    changed = control.get(feed_path(sandbox), headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert changed.headers["last-modified"] != modified
    control.put("/_sandbox/feed", json={"modified": "2026-05-01T00:00:00Z"})
    assert control.get(feed_path(sandbox)).headers["last-modified"] == (
        "Fri, 01 May 2026 00:00:00 GMT"
    )
    assert control.put("/_sandbox/feed", json={"modified": "2026-05-01"}).status_code == 400


def test_feed_switches_malformed_rows_and_secondary(
    sandbox: BuiltSandbox, control: httpx.Client
) -> None:
    control.put("/_sandbox/settings", json={"feed_malformed_rows": 4, "secondary_feed": False})
    lines = control.get(feed_path(sandbox)).text.splitlines()
    assert lines[1:5] == [
        ",No SKU,1.00,1",
        "BAD-PRICE,Bad price,twelve,1",
        "BAD-QTY,Bad quantity,1.00,-3",
        "SHORT-ROW,Short row",
    ]
    assert len(lines) == 1 + 4 + 200
    missing = control.get(feed_path(sandbox, "secondary_feed_url"))
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
