from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import sqlalchemy as sa

from store.commands.bulk import upsert
from store.db import Database
from store.models import InventoryItem, Source


def _rows(source_id: int, n: int, cost: str) -> list[dict[str, object]]:
    return [
        {
            "source_id": source_id,
            "sku": f"S{i}",
            "master_sku": f"S{i}",
            "parent_sku": f"S{i}",
            "cost": Decimal(cost),
            "quantity": i,
            "images": [],
            "warehouse_quantities": {},
        }
        for i in range(n)
    ]


def test_upsert_inserts_then_updates_without_duplicates(db: Database) -> None:
    with db.write() as s:
        src = Source(name="wps", kind="wps")
        s.add(src)
        s.flush()
        sid = src.id
        assert sid is not None
        upsert(s, InventoryItem, _rows(sid, 50, "1.00"), keys=["source_id", "sku"])
    with db.write() as s:
        upsert(s, InventoryItem, _rows(sid, 80, "2.50"), keys=["source_id", "sku"])
    with db.read() as s:
        count = s.scalar(sa.select(sa.func.count()).select_from(InventoryItem))
        costs = set(s.scalars(sa.select(InventoryItem.cost)))
    assert count == 80
    assert costs == {Decimal("2.50")}


def test_upsert_only_if_changed_leaves_equal_rows_alone(db: Database) -> None:
    old = datetime(2026, 1, 1, tzinfo=UTC)
    with db.write() as s:
        src = Source(name="wps", kind="wps")
        s.add(src)
        s.flush()
        sid = src.id
        assert sid is not None
        rows = [{**r, "updated_at": old} for r in _rows(sid, 3, "1.00")]
        upsert(s, InventoryItem, rows, keys=["source_id", "sku"])
    new = datetime(2026, 6, 1, tzinfo=UTC)
    changed = [{**r, "updated_at": new} for r in _rows(sid, 3, "1.00")]
    changed[1]["quantity"] = 99
    with db.write() as s:
        upsert(
            s,
            InventoryItem,
            changed,
            keys=["source_id", "sku"],
            update=["quantity", "warehouse_quantities", "updated_at"],
            only_if_changed=True,
        )
    with db.read() as s:
        got = {
            sku: (q, at)
            for sku, q, at in s.execute(
                sa.select(InventoryItem.sku, InventoryItem.quantity, InventoryItem.updated_at)
            )
        }
    assert got == {"S0": (0, old), "S1": (99, new), "S2": (2, old)}


def test_upsert_with_every_column_given_round_trips_values(db: Database) -> None:
    # Rows that name every defaulted column take SQLite's driver-level executemany; the stored
    # values must read back exactly as through SQLAlchemy's own path (PostgreSQL runs it too).
    at = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
    shared: list[str] = []  # the same object in every row: converted once
    with db.write() as s:
        src = Source(name="wps", kind="wps")
        s.add(src)
        s.flush()
        sid = src.id
        assert sid is not None
        full = [
            {
                **r,
                "title": f"T{i}",
                "description": "",
                "images": shared,
                "warehouse_quantities": {"CA": i, "TX": 1},
                "stock_status": "in_stock",
                "allow_backorders": i == 1,
                "weight": 1.5 if i else None,
                "remote_updated_at": at if i else None,
                "updated_at": at,
            }
            for i, r in enumerate(_rows(sid, 3, "4.20"))
        ]
        upsert(s, InventoryItem, full, keys=["source_id", "sku"])
    with db.write() as s:
        again = [{**full[2], "cost": Decimal("5.55"), "warehouse_quantities": {}}]
        upsert(s, InventoryItem, again, keys=["source_id", "sku"], update=["cost"])
    with db.read() as s:
        got = {i.sku: i for i in s.scalars(sa.select(InventoryItem))}
    assert [got[k].title for k in ("S0", "S1", "S2")] == ["T0", "T1", "T2"]
    assert got["S0"].images == [] and got["S1"].warehouse_quantities == {"CA": 1, "TX": 1}
    assert got["S1"].allow_backorders and not got["S0"].allow_backorders
    assert got["S0"].weight is None and got["S1"].weight == 1.5
    assert got["S0"].remote_updated_at is None and got["S2"].remote_updated_at == at
    assert got["S0"].updated_at == at and got["S0"].cost == Decimal("4.20")
    # Only `cost` was updated on the clash.
    assert got["S2"].cost == Decimal("5.55") and got["S2"].warehouse_quantities == {
        "CA": 2,
        "TX": 1,
    }


def test_upsert_on_sqlite_stores_json_as_json_dumps_writes_it(sqlite_db: Database) -> None:
    # The SQLite fast path serialises plain dicts and lists with a reused encoder and each
    # empty one once; the stored text must be exactly SQLAlchemy's (json.dumps).
    import json

    quantities = [{"CA": i, "TX": 1, "PA2": 0} for i in range(3)]
    with sqlite_db.write() as s:
        src = Source(name="wps", kind="wps")
        s.add(src)
        s.flush()
        assert src.id is not None
        rows = [
            {
                **r,
                "title": "",
                "description": "",
                "images": [] if i else ["a.jpg", "é"],
                "warehouse_quantities": quantities[i],
                "stock_status": "in_stock",
                "allow_backorders": False,
                "updated_at": datetime(2026, 3, 1, tzinfo=UTC),
            }
            for i, r in enumerate(_rows(src.id, 3, "1.00"))
        ]
        upsert(s, InventoryItem, rows, keys=["source_id", "sku"])
    with sqlite_db.read() as s:
        result = s.connection().exec_driver_sql(
            "SELECT sku, images || ' ' || warehouse_quantities FROM inventory_item"
        )
        stored = {sku: text for sku, text in result}
    for i, r in enumerate(rows):
        want = json.dumps(r["images"]) + " " + json.dumps(quantities[i])
        assert stored[f"S{i}"] == want
