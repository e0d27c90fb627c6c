"""get_inventory / get_pqs against the WPS sandbox over real HTTP, through the job engine."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from store.db import Database
from store.models import InventoryItem, MappingTemplate

from .conftest import Wps, run_direct, run_job


def items(db: Database) -> dict[str, InventoryItem]:
    with db.read() as session:
        return {i.sku: i for i in session.scalars(sa.select(InventoryItem))}


async def test_import_maps_parents_variants_and_counts(wps: Wps) -> None:
    iid = wps.integration("get_inventory", {"page_size": 50})
    run = await run_job(wps.db, iid)
    assert run.status == "succeeded", run.error
    stored = items(wps.db)
    state = wps.state
    assert len(stored) == len(state.items) == 240
    variants = [i for i in stored.values() if i.parent_sku != i.sku]
    alone = [i for i in stored.values() if i.parent_sku == i.sku]
    assert variants and alone
    for item in variants:
        assert item.size or item.color
        assert item.parent_sku == f"P{state.items[int(item.external_id)]['product_id']}"
    for item in alone:
        assert item.size is None and item.color is None
    some = next(iter(stored.values()))
    raw = state.items[int(some.external_id)]
    assert some.master_sku == "WPS-" + some.sku
    assert some.cost == Decimal(raw["standard_dealer_price"])
    assert some.list_price == Decimal(raw["list_price"])
    inv = state.inventory(int(some.external_id))
    assert some.quantity == inv["total"]
    assert some.warehouse_quantities["CA"] == inv["ca_warehouse"]
    products = {i.parent_sku for i in stored.values()}
    assert run.counters["variants_created"] == len(variants)
    assert run.counters["parents_created"] == len(products)
    # attribute keys + the parent SKU walk (one page of 10000) + 240 items in pages of 50
    assert run.counters["requests"] == 1 + 1 + 5
    # Idempotent: a second run changes nothing.
    again = await run_job(wps.db, iid)
    assert again.status == "succeeded"
    assert again.counters.get("unchanged") == 240
    assert "variants_updated" not in again.counters and "parents_created" not in again.counters


async def test_enabled_warehouses_and_exclude_variants(wps_sqlite: Wps) -> None:
    wps = wps_sqlite
    iid = wps.integration(
        "get_inventory", {"warehouses": ["TX"], "include_variants": False, "page_size": 100}
    )
    run = await run_job(wps.db, iid)
    assert run.status == "succeeded", run.error
    stored = items(wps.db)
    assert stored and all(i.parent_sku == i.sku for i in stored.values())
    assert run.counters["skipped"] == len(wps.state.items) - len(stored)
    for item in stored.values():
        assert item.quantity == wps.state.inventory(int(item.external_id))["tx_warehouse"]


async def test_modified_within_days_uses_updated_at_filter(wps_sqlite: Wps) -> None:
    wps = wps_sqlite
    sku = next(iter(wps.state.items.values()))["sku"]
    wps.control.put(f"/_sandbox/items/{sku}", json={"list_price": "77.00"}).raise_for_status()
    run = await run_job(wps.db, wps.integration("get_inventory", {"modified_within_days": 1}))
    assert run.status == "succeeded", run.error
    assert list(items(wps.db)) == [sku]


async def test_pqs_updates_only_price_and_quantity(wps_sqlite: Wps) -> None:
    wps = wps_sqlite
    await run_job(wps.db, wps.integration("get_inventory", {"page_size": 500}))
    first = next(iter(wps.state.items.values()))
    sku = first["sku"]
    with wps.db.write() as session:
        session.execute(
            sa.update(InventoryItem).where(InventoryItem.sku == sku).values(title="Operator title")
        )
    wps.control.put(
        f"/_sandbox/items/{sku}",
        json={"standard_dealer_price": "12.34", "name": "Renamed", "stock": {"CA": 7, "GA": 0}},
    ).raise_for_status()
    run = await run_job(wps.db, wps.integration("get_pqs"))
    assert run.status == "succeeded", run.error
    assert run.counters["unchanged"] == 239
    item = items(wps.db)[sku]
    assert item.cost == Decimal("12.34")
    assert item.title == "Operator title"  # not a PQS column
    assert item.warehouse_quantities["CA"] == 7


async def test_unmapped_inventory_level_is_refused(wps_sqlite: Wps) -> None:
    wps = wps_sqlite
    with wps.db.write() as session:
        session.add(
            MappingTemplate(name="no-qty", target="inventory", rules={"inventory_level": "none"})
        )
    run = await run_job(wps.db, wps.integration("get_inventory", {"mapping_template": "no-qty"}))
    assert run.status == "failed"
    assert run.error == (
        "Invalid request: Missing required field 'inventory_level' for inventory sync"
    )
    assert items(wps.db) == {}


async def test_bad_setting_is_one_line_error(wps_sqlite: Wps) -> None:
    wps = wps_sqlite
    run = await run_job(wps.db, wps.integration("get_inventory", {"warehouses": ["CA", "FL"]}))
    assert run.status == "failed"
    assert run.error == (
        "get_inventory setting 'warehouses': unknown FL; use CA, GA, ID, IN, PA, PA2, TX"
    )


async def test_faults_5xx_429_drops_and_malformed_pages_lose_nothing(wps_sqlite: Wps) -> None:
    wps = wps_sqlite
    iid = wps.integration("get_inventory", {"page_size": 20})
    wps.faults(seed=11, error_rate=0.2, drop_connection=0.1, malformed=0.1, burst_429=3)
    ctx = await run_direct(wps.db, iid)
    wps.faults(error_rate=0.0, drop_connection=0.0, malformed=0.0)
    assert "failed" not in ctx.counters
    assert len(items(wps.db)) == 240
    faults = wps.control.get("/_sandbox/faults").json()
    assert faults["burst_429"] == 0  # the burst was met and waited out


async def test_expired_credentials_pause_the_integration(wps_sqlite: Wps) -> None:
    wps = wps_sqlite
    iid = wps.integration("get_inventory")
    wps.faults(expired_credentials=True)
    run = await run_job(wps.db, iid)
    wps.faults(expired_credentials=False)
    assert run.status == "failed"
    assert "rejected the credentials" in (run.error or "")
    from .conftest import integration_row

    assert integration_row(wps.db, iid).paused_reason
    assert wps.sandbox.credentials["api_token"] not in (run.error or "")
