"""get_inventory against the US Direct sandbox: the feed streamed into inventory, the
guide's switches, the template's required fields, late, unchanged and malformed feeds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from connectors.errors import RetryBudgetExhausted
from connectors.settings import SettingsError, no_templates
from connectors.usdirect.settings import InventorySettings
from store.models import InventoryItem
from tests.usdirect.conftest import UsDirect
from tests.wps.conftest import run_direct, run_job

pytestmark = pytest.mark.e2e


def items(usd: UsDirect) -> dict[str, InventoryItem]:
    with usd.db.read() as session:
        rows = session.scalars(
            sa.select(InventoryItem).where(InventoryItem.source_id == usd.source_id)
        )
        return {r.sku: r for r in rows}


async def test_the_feed_becomes_inventory_with_prefix_price_and_blank_quantities(
    usd: UsDirect,
) -> None:
    run = await run_job(usd.db, usd.integration("get_inventory"))
    assert run.status == "succeeded", run.error
    stored = items(usd)
    assert set(stored) == set(usd.state.primary)
    assert run.counters["parents_created"] == len(usd.state.primary)
    for sku in usd.state.primary:
        product, item = usd.state.products[sku], stored[sku]
        assert item.master_sku == f"USD-{sku}" and item.title == product["name"]
        assert item.cost == Decimal(product["price"])
        assert item.quantity == (product["qty"] or 0)
        assert item.stock_status == ("in_stock" if product["qty"] else "out_of_stock")
    # Names with commas and quotes came through the CSV whole.
    assert any("," in i.title and '"' in i.title for i in stored.values())


async def test_an_unchanged_feed_imports_nothing_and_says_so(usd: UsDirect) -> None:
    an_hour_ago = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    usd.control.put("/_sandbox/feed", json={"modified": an_hour_ago}).raise_for_status()
    integration = usd.integration("get_inventory")
    assert (await run_job(usd.db, integration)).status == "succeeded"
    again = await run_job(usd.db, integration)
    assert again.status == "succeeded"
    assert again.counters.get("feed_unchanged") == 1
    assert "parents_updated" not in again.counters and "unchanged" not in again.counters
    sku = usd.state.primary[3]
    usd.control.put(f"/_sandbox/products/{sku}", json={"qty": 77}).raise_for_status()
    changed = await run_job(usd.db, integration)
    assert changed.counters["parents_updated"] == 1
    assert items(usd)[sku].quantity == 77


async def test_a_late_feed_is_imported_and_reported(usd: UsDirect) -> None:
    usd.control.put("/_sandbox/feed", json={"modified": "2020-01-01T00:00:00Z"})
    ctx = await run_direct(usd.db, usd.integration("get_inventory", {"feed_max_age_hours": 6}))
    assert ctx.counters["parents_created"] == len(usd.state.primary)
    [error] = ctx.record_errors
    assert error["record"] == "US Direct primary feed"
    assert error["error"].startswith("the feed is late: last updated 2020-01-01 00:00 UTC")
    assert error["error"].endswith("check for any delays in the US Direct feed")


async def test_malformed_rows_are_reported_and_skipped(usd: UsDirect) -> None:
    usd.settings(feed_malformed_rows=4)
    ctx = await run_direct(usd.db, usd.integration("get_inventory"))
    assert ctx.counters["parents_created"] == len(usd.state.primary)
    assert ctx.counters["failed"] == 4
    errors = {e["record"]: e["error"] for e in ctx.record_errors}
    assert errors == {
        "US Direct SKU (no SKU)": "Invalid request: Missing required field 'Product SKU' "
        "for inventory sync",
        "US Direct SKU BAD-PRICE": "Pricing 'twelve' is not an amount",
        "US Direct SKU BAD-QTY": "Quantity -3 is below zero",
        "US Direct feed line 5": "2 columns, the header has 4",
    }


async def test_sync_pricing_alone_updates_prices_of_known_skus_only(usd: UsDirect) -> None:
    integration = usd.integration("get_inventory")
    await run_job(usd.db, integration)
    sku = usd.state.primary[0]
    before = items(usd)[sku].quantity
    usd.control.put(f"/_sandbox/products/{sku}", json={"qty": before + 5, "price": "1.25"})
    usd.integration("get_inventory", {"sync_inventory": False, "sync_quantity": False})
    run = await run_job(usd.db, integration)
    assert run.status == "succeeded", run.error
    item = items(usd)[sku]
    assert (item.cost, item.quantity) == (Decimal("1.25"), before)
    assert run.counters["parents_updated"] == 1


async def test_the_secondary_feed_and_its_switch(usd: UsDirect) -> None:
    integration = usd.integration("get_inventory", {"feed": "secondary"})
    run = await run_job(usd.db, integration)
    assert run.status == "succeeded", run.error
    assert set(items(usd)) == set(usd.state.secondary)
    usd.settings(secondary_feed=False)
    usd.control.put(f"/_sandbox/products/{usd.state.secondary[0]}", json={"qty": 1})
    failed = await run_job(usd.db, integration)
    assert failed.status == "failed" and "HTTP 404" in (failed.error or "")
    assert usd.sandbox.credentials["feed_url"].split("/")[-2] not in (failed.error or "")


def test_required_fields_and_switches_are_checked_before_any_request() -> None:
    def parse(raw: dict[str, object]) -> InventorySettings:
        return InventorySettings.parse(
            raw, integration="usd/get_inventory", kind="get_inventory", templates=no_templates
        )

    for target in ("Product SKU", "Product Name", "Pricing", "Quantity"):
        with pytest.raises(SettingsError) as caught:
            parse({"mapping_template": {target: "none"}})
        assert str(caught.value) == (
            f"Invalid request: Missing required field '{target}' for inventory sync"
        )
    with pytest.raises(SettingsError, match="are all off; turn one on"):
        parse({"sync_inventory": False, "sync_pricing": False, "sync_quantity": False})
    with pytest.raises(SettingsError, match="get_inventory setting 'feed' must be"):
        parse({"feed": "tertiary"})
    custom = parse({"mapping_template": {"Pricing": "field:msrp", "Master SKU": "field:upc"}})
    assert custom.template.rules["Pricing"].arg == "msrp"


async def test_a_slow_feed_behind_a_429_imports_and_a_failing_feed_changes_nothing(
    usd: UsDirect,
) -> None:
    usd.settings(feed_delay_ms=200)
    usd.faults(burst_429=1)
    integration = usd.integration("get_inventory")
    ctx = await run_direct(usd.db, integration)
    assert ctx.counters["parents_created"] == len(usd.state.primary)
    sku = usd.state.primary[0]
    before = items(usd)[sku].quantity
    usd.control.put(f"/_sandbox/products/{sku}", json={"qty": before + 7})
    usd.faults(error_rate=1.0)
    with pytest.raises(RetryBudgetExhausted, match="gave up after 5 attempts"):
        await run_direct(usd.db, integration)
    assert items(usd)[sku].quantity == before
