"""API version wc/v2 works against the sandbox's v2 routes, and a read-only key is found
by the connection check (issue 9, B9)."""

from __future__ import annotations

import httpx
import sqlalchemy as sa

from connectors.check import Problem
from connectors.registry import check_connection
from store.models import Order
from tests.woocommerce.conftest import Shop, Woo
from tests.woocommerce.test_sync import _store_record


async def test_a_read_only_key_is_found_by_the_connection_check(woo: Woo) -> None:
    creds = dict(woo.sandbox.credentials)
    ok = await check_connection("woocommerce", woo.url, creds)
    assert ok.ok, ok.detail
    woo.control("PUT", "settings", json={"key_permissions": "read"})
    result = await check_connection("woocommerce", woo.url, creds)
    assert not result.ok and result.problem is Problem.KEY_REFUSED
    assert "The API key provided does not have write permissions." in result.detail
    assert "Read/Write" in result.detail
    assert creds["consumer_secret"] not in result.detail
    woo.control("PUT", "settings", json={"key_permissions": "write"})
    write_only = await check_connection("woocommerce", woo.url, creds)
    assert write_only.problem is Problem.KEY_REFUSED
    assert "does not have read permissions" in write_only.detail


async def test_the_sandbox_answers_v2_where_it_differs(woo: Woo) -> None:
    woo.control("PUT", "settings", json={"assume_https": True})
    creds = woo.sandbox.credentials
    auth = (creds["consumer_key"], creds["consumer_secret"])
    v2 = httpx.get(
        f"{woo.url}/wp-json/wc/v2/orders",
        params={"status": "processing,on-hold"},
        auth=auth,
        timeout=10,
    )
    assert v2.status_code == 400 and v2.json()["code"] == "rest_invalid_param"
    v3 = httpx.get(
        f"{woo.url}/wp-json/wc/v3/orders",
        params={"status": "processing,on-hold"},
        auth=auth,
        timeout=10,
    )
    assert v3.status_code == 200
    product = httpx.get(f"{woo.url}/wp-json/wc/v2/products", auth=auth, timeout=10).json()[0]
    assert "global_unique_id" not in product
    assert "/wc/v2/" in product["_links"]["self"][0]["href"]


async def test_wc_v2_imports_syncs_and_gets_orders_of_several_statuses(shop: Shop) -> None:
    v2 = {"api_version": "wc/v2"}
    run = await shop.run("import_listings", **v2)
    assert run.status == "succeeded", run.error
    skus = sorted(shop.variants())
    shop.add_inventory([{"sku": s, "cost": "10.00", "quantity": 3} for s in skus])
    await shop.run("import_listings", **v2)
    run = await shop.run("sync_listings", markup_percent=20, **v2)
    assert run.status == "succeeded", run.error
    row = shop.variants()[skus[0]]
    assert _store_record(shop, row.external_id or "")["regular_price"] == "12.00"
    placed = [
        shop.woo.control(
            "POST", "orders", json={"line_items": [{"sku": skus[0]}], "status": status}
        )
        for status in ("processing", "on-hold", "completed")
    ]
    run = await shop.run("get_orders", statuses=["processing", "on-hold"], **v2)
    assert run.status == "succeeded", run.error
    with shop.db.read() as session:
        imported = set(session.scalars(sa.select(Order.external_id)))
    assert str(placed[0]["id"]) in imported and str(placed[1]["id"]) in imported
    assert str(placed[2]["id"]) not in imported
