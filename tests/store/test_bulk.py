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
