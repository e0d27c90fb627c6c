"""The inventory template's targets, from the WPS sandbox into the store over real HTTP."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from store.models import InventoryItem, MappingTemplate

from .conftest import Wps, run_job


def items(wps: Wps) -> dict[str, InventoryItem]:
    with wps.db.read() as session:
        return {i.sku: i for i in session.scalars(sa.select(InventoryItem))}


def save_template(wps: Wps, name: str, rules: dict[str, Any]) -> None:
    with wps.db.write() as session:
        session.add(MappingTemplate(name=name, target="inventory", system="wps", rules=rules))


async def test_every_target_flows_from_wps_into_the_store(wps: Wps) -> None:
    save_template(
        wps,
        "WPS Inventory 1",
        {
            "Sale Price": "field:mapp_price",
            "Variant Sale Price": "field:drop_ship_fee",
            "Availability Date": "field:published_at",
            "Allow Backorders": "field:drop_ship_eligible",
            "Variant Allow Backorders": "value:false",
            "Inventory Warning Level": "field:unit_of_measurement_id",
            "Depth": "field:length",
        },
    )
    run = await run_job(
        wps.db, wps.integration("get_inventory", {"mapping_template": "WPS Inventory 1"})
    )
    assert run.status == "succeeded", run.error
    stored = items(wps)
    assert len(stored) == len(wps.state.items)
    seen = set()
    for item in stored.values():
        raw = wps.state.items[int(item.external_id or 0)]
        variant = item.parent_sku != item.sku
        seen.add(variant)
        sale = raw["drop_ship_fee"] if variant else raw["mapp_price"]
        assert item.sale_price == Decimal(sale)
        assert item.available_on == datetime.fromisoformat(raw["published_at"]).replace(tzinfo=UTC)
        assert item.allow_backorders is (False if variant else raw["drop_ship_eligible"])
        assert item.low_stock_threshold == raw["unit_of_measurement_id"]
        assert item.inventory_tracking == ("variant" if variant else "product")
        assert (item.weight, item.width, item.height, item.length) == (
            raw["weight"],
            raw["width"],
            raw["height"],
            raw["length"],
        )
        assert (item.upc, item.mpn) == (raw["upc"], raw["supplier_product_id"])
        assert (item.list_price, item.cost, item.msrp) == (
            Decimal(raw["list_price"]),
            Decimal(raw["standard_dealer_price"]),
            Decimal(raw["list_price"]),
        )
    assert seen == {True, False}


async def test_disabled_upc_is_not_imported_and_the_stores_value_stays(wps_sqlite: Wps) -> None:
    wps = wps_sqlite
    save_template(wps, "no-upc", {"upc": "none", "Sale Price": "none"})
    iid = wps.integration("get_inventory", {"mapping_template": "no-upc"})
    run = await run_job(wps.db, iid)
    assert run.status == "succeeded", run.error
    stored = items(wps)
    assert any(raw["upc"] for raw in wps.state.items.values())
    assert all(i.upc is None for i in stored.values())
    sku = next(iter(stored))
    with wps.db.write() as session:
        session.execute(sa.update(InventoryItem).where(InventoryItem.sku == sku).values(upc="MINE"))
    again = await run_job(wps.db, iid)
    assert again.status == "succeeded", again.error
    assert again.counters.get("unchanged") == len(stored)  # a disabled field changes nothing
    assert items(wps)[sku].upc == "MINE"
    # Enabled again (the default template), WPS's UPC is imported.
    await run_job(wps.db, wps.integration("get_inventory", {"page_size": 100}))
    raw = wps.state.items[int(items(wps)[sku].external_id or 0)]
    assert items(wps)[sku].upc == raw["upc"]


async def test_pqs_focus_updates_sale_prices(wps_sqlite: Wps) -> None:
    wps = wps_sqlite
    await run_job(wps.db, wps.integration("get_inventory", {"page_size": 500}))
    state = wps.state
    variant_id = next(i for i, attrs in state.item_attrs.items() if attrs)
    alone_id = next(i for i, attrs in state.item_attrs.items() if not attrs)
    for item_id, price in ((variant_id, "17.99"), (alone_id, "19.99")):
        wps.control.put(
            f"/_sandbox/items/{state.items[item_id]['sku']}",
            json={"mapp_price": price, "drop_ship_fee": "2.50", "name": "Renamed"},
        ).raise_for_status()
    template = {"Sale Price": "field:mapp_price", "Variant Sale Price": "field:mapp_price"}
    save_template(wps, "pqs", template)
    run = await run_job(wps.db, wps.integration("get_pqs", {"mapping_template": "pqs"}))
    assert run.status == "succeeded", run.error
    stored = items(wps)
    variant = stored[state.items[variant_id]["sku"]]
    alone = stored[state.items[alone_id]["sku"]]
    assert variant.sale_price == Decimal("17.99") and alone.sale_price == Decimal("19.99")
    assert "Renamed" not in (variant.title, alone.title)  # not a PQS field
    # Variant Sale Price mapped apart: a PQS run reads variants' attributes to tell them.
    save_template(wps, "pqs-apart", {**template, "Variant Sale Price": "field:drop_ship_fee"})
    run = await run_job(
        wps.db,
        wps.integration("get_inventory", {"pqs_focus": True, "mapping_template": "pqs-apart"}),
    )
    assert run.status == "succeeded", run.error
    stored = items(wps)
    assert stored[state.items[variant_id]["sku"]].sale_price == Decimal("2.50")
    assert stored[state.items[alone_id]["sku"]].sale_price == Decimal("19.99")


async def test_parent_sku_is_the_products_common_stem(wps_sqlite: Wps) -> None:
    wps = wps_sqlite

    def product(name: str, specs: list[dict[str, Any]]) -> None:
        wps.control.post(
            "/_sandbox/products", json={"name": name, "items": specs}
        ).raise_for_status()

    product(
        "Fly Racing Kinetic Jersey",
        [
            {"sku": "87-4446-BK-L", "size": "L", "color": "BK"},
            {"sku": "87-4446-BK-M", "size": "M", "color": "BK"},
            {"sku": "87-4446-RD-L", "size": "L", "color": "RD"},
        ],
    )
    product("Lone variant", [{"sku": "87-9999-BK-L", "size": "L", "color": "BK"}])
    product("Stand-alone", [{"sku": "WP87-4446"}])
    product("Odd", [{"sku": "ÄÖ\u202e-1-S", "size": "S"}, {"sku": "ÄÖ\u202e-1-M", "size": "M"}])
    run = await run_job(wps.db, wps.integration("get_inventory", {"page_size": 100}))
    assert run.status == "succeeded", run.error
    stored = items(wps)
    assert {stored[s].parent_sku for s in ("87-4446-BK-L", "87-4446-BK-M", "87-4446-RD-L")} == {
        "87-4446"
    }
    lone = stored["87-9999-BK-L"]
    assert lone.parent_sku == f"P{wps.state.items[int(lone.external_id or 0)]['product_id']}"
    assert stored["WP87-4446"].parent_sku == "WP87-4446"
    assert stored["ÄÖ\u202e-1-S"].parent_sku == "ÄÖ\u202e-1"
    # The seeded SKUs (item number, then size and colour letters) share no stem of their
    # own at a separator: those products keep P<product id>.
    seeded = [i for i in stored.values() if i.parent_sku.startswith("P")]
    assert len(seeded) > 100
