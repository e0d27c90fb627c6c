"""store.commands.inventory with plain rows: create or update only, later row wins, tallies."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from store.commands.inventory import InventoryWriter, PageResult, ParentTally
from store.db import Database
from store.models import InventoryItem, Source
from store.models._types import utcnow

COLUMNS = ("master_sku", "parent_sku", "title", "quantity", "cost")
PRICE_QTY = ("quantity", "cost")


def _source(db: Database) -> int:
    with db.write() as s:
        src = Source(name="supplier", kind="wps")
        s.add(src)
        s.flush()
        assert src.id is not None
        return src.id


def _row(source_id: int, sku: str, parent: str, qty: int, cost: str = "1.00") -> dict[str, Any]:
    return {
        "source_id": source_id,
        "sku": sku,
        "master_sku": f"M-{sku}",
        "parent_sku": parent,
        "title": f"Item {sku}",
        "quantity": qty,
        "cost": Decimal(cost),
        "updated_at": utcnow(),
    }


def _stored(db: Database) -> dict[str, InventoryItem]:
    with db.read() as s:
        return {i.sku: i for i in s.scalars(sa.select(InventoryItem))}


def test_rows_in_counts_out_and_a_repeated_sku_keeps_the_later_row(db: Database) -> None:
    sid = _source(db)
    writer = InventoryWriter(db, sid, columns=COLUMNS)
    result = writer.write(
        [_row(sid, "A-1", "A", 1), _row(sid, "B", "B", 2), _row(sid, "A-1", "A", 5)]
    )
    assert result.created == [("A", True), ("B", False)]
    assert writer.fresh is True
    assert _stored(db)["A-1"].quantity == 5
    again = writer.write([_row(sid, "A-1", "A", 5), _row(sid, "A-2", "A", 0)])
    assert again.unchanged == [("A", True)] and again.created == [("A", True)]
    assert writer.write([]) == PageResult()


def test_update_only_writer_skips_unknown_skus_and_touches_only_its_columns(db: Database) -> None:
    sid = _source(db)
    InventoryWriter(db, sid, columns=COLUMNS).write([_row(sid, "A", "A", 1, "2.00")])
    pqs = InventoryWriter(db, sid, columns=PRICE_QTY, create=False)
    changed = {**_row(sid, "A", "A", 9, "3.00"), "title": "not written"}
    changed = {
        k: v for k, v in changed.items() if k in ("source_id", "sku", "updated_at", *PRICE_QTY)
    }
    result = pqs.write([changed, _row(sid, "NEW", "NEW", 4)])
    assert pqs.fresh is False
    assert result.updated == [("A", False)] and result.skipped == 1 and not result.created
    stored = _stored(db)
    assert set(stored) == {"A"}
    assert stored["A"].quantity == 9 and stored["A"].cost == Decimal("3.00")
    assert stored["A"].title == "Item A"


def test_parent_tally_counts_each_parent_once_per_run() -> None:
    tally = ParentTally()
    tally.add_page(PageResult(created=[("P", True)], unchanged=[("Q", True)]))
    tally.add_page(PageResult(created=[("P", True)], updated=[("Q", True)]))
    tally.add_page(PageResult(unchanged=[("R", False)]))
    assert tally.counts() == (1, 1)  # P created; Q existed and changed; R unchanged
