"""The WPS page mapper and the store's InventoryWriter on their own.

Counts and stored rows, fresh source or not, pages repeating SKUs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from connectors.flows.inventory import MappedPage
from connectors.settings import stored_templates
from connectors.wps import mapping as m
from connectors.wps.operations import inventory_writer, page_mapper
from connectors.wps.settings import InventorySettings
from store.commands.inventory import PageResult
from store.db import Database
from store.models import InventoryItem, Source

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "wps"


class Writer:
    """The WPS page mapper and the store writer, as `import_items` runs them per page."""

    def __init__(self, db: Database, how: m.InventoryMapping, cfg: InventorySettings) -> None:
        self.how, self.cfg = how, cfg
        self.store = inventory_writer(db, how, cfg)
        self.map_page = page_mapper(how, cfg)

    @property
    def fresh(self) -> bool | None:
        return self.store.fresh

    def write(self, items: list[dict[str, Any]]) -> Page:
        mapped = self.map_page(items)
        return Page(mapped, self.store.write(mapped.rows))


class Page:
    def __init__(self, mapped: MappedPage, result: PageResult) -> None:
        self.failures = mapped.failures
        self.created = result.created
        self.updated = result.updated
        self.unchanged = result.unchanged


def _writer(db: Database) -> Writer:
    with db.write() as s:
        src = Source(name="wps", kind="wps")
        s.add(src)
        s.flush()
        assert src.id is not None
        sid = src.id
    cfg = InventorySettings.parse(
        {}, integration="wps/get_inventory", kind="get_inventory", templates=stored_templates(db)
    )
    how = m.InventoryMapping(
        source_id=sid, attribute_keys={1: "Size", 2: "Color"}, template=cfg.template
    )
    return Writer(db, how, cfg)


def _good_items() -> list[dict[str, Any]]:
    page = json.loads((FIXTURES / "items_page.json").read_text())["data"]
    return [page[0], page[1]]


def test_fresh_source_pages_repeating_a_sku_count_it_once(db: Database) -> None:
    writer = _writer(db)
    first, second = _good_items()
    one = writer.write([first])
    assert writer.fresh is True
    assert one.created == [("P7", True)] and not one.failures
    # The same SKU again on a later page of the same run: read back, not created twice.
    two = writer.write([second, first])
    assert two.created == [("15-0141", False)] and two.unchanged == [("P7", True)]
    changed = {**first, "list_price": "41.00"}
    three = writer.write([changed])
    assert three.updated == [("P7", True)] and not three.created
    with db.read() as s:
        stored = {i.sku: i for i in s.scalars(sa.select(InventoryItem))}
    assert set(stored) == {"87-4410L", "15-0141"}
    assert str(stored["87-4410L"].list_price) == "41.00"


def test_second_writer_on_a_filled_source_reads_everything_back(db: Database) -> None:
    writer = _writer(db)
    items = _good_items()
    assert len(writer.write(items).created) == 2
    again = Writer(db, writer.how, writer.cfg)
    result = again.write(items)
    assert again.fresh is False
    assert not result.created and len(result.unchanged) == 2
