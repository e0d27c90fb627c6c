"""`dropdeck inventory`: the Inventory pane at the command line. Items by SKU a page at a
time (keyset on the store query), one source, the console's filter words, the listings each
item backs; hostile SKUs and titles shown, never obeyed; --json exact."""

from __future__ import annotations

import json
import shlex
from typing import Any

import pytest
import sqlalchemy as sa

from console.runtime import demo_data
from store.db import Database
from store.models import Channel, InventoryItem, ListingVariant, Source
from store.queries.inventory import page_inventory

from .conftest import Run

SKU = "ZZZ-\x1b[2J\x9b31m-\u202eKLIS"
TITLE = "Helmet \x1b]0;PWNED\x07\r\nEVIL"
RAW = ("\x1b", "\x07", "\x9b", "\u202e", "\r")
WPS = "Western Power Sports"


@pytest.fixture
def demo(sqlite_db: Database) -> Database:
    demo_data.seed_demo_business(sqlite_db, listings=30, orders=3)
    return sqlite_db


def items(cli: Run, *argv: str) -> list[dict[str, Any]]:
    status, out, err = cli("inventory", "--json", *argv)
    assert status == 0, err
    rows = json.loads(out)
    assert isinstance(rows, list)
    return rows


def test_pages_follow_the_store_query_by_sku(demo: Database, cli: Run) -> None:
    with demo.read() as session:
        expected = [r.sku for r in page_inventory(session, limit=12)]
    first = items(cli, "--limit", "5")
    second = items(cli, "--limit", "5", "--after", str(first[-1]["id"]))
    third = items(cli, "--limit", "2", "--after", str(second[-1]["id"]))
    assert [r["sku"] for r in first + second + third] == expected
    assert set(first[0]) == {
        "id", "source", "sku", "master_sku", "title", "quantity", "cost", "stock_status",
        "listed", "listings",
    }  # fmt: skip

    # The table says how to get the next page, and that command prints it.
    status, out, _ = cli("inventory", "--limit", "5", "--source", WPS)
    assert status == 0
    *_, last = out.splitlines()
    assert last.startswith("more items: dropdeck inventory --source 'Western Power Sports'")
    status, again, _ = cli(*shlex.split(last.removeprefix("more items: "))[1:])
    assert status == 0 and expected[5] in again.splitlines()[1]
    # A page that is the last says nothing more.
    status, out, _ = cli("inventory", "--limit", "0", "--source", WPS)
    assert "more items" not in out


def test_one_source_and_the_consoles_filter_words(demo: Database, cli: Run) -> None:
    with demo.write() as session:
        usd = session.scalars(sa.select(Source).where(Source.name == "US Direct")).one()
        session.add(
            InventoryItem(source_id=usd.id or 0, sku="A-1", master_sku="USD-A-1", parent_sku="A-1")
        )
    rows = items(cli, "--source", "US Direct", "--limit", "0")
    assert [(r["source"], r["sku"]) for r in rows] == [("US Direct", "A-1")]
    assert "A-1" not in {r["sku"] for r in items(cli, "--source", WPS, "--limit", "0")}
    blue = items(cli, "--filter", "western BLU", "--limit", "0")
    assert blue and all(r["source"] == WPS and r["sku"].endswith("-BLU") for r in blue)
    with demo.read() as session:
        shown = page_inventory(session, text="western BLU", limit=1000)
    assert [r["id"] for r in blue] == [r.id for r in shown]
    status, out, _ = cli("inventory", "--filter", "no such words here")
    assert (status, out) == (0, "no items match; drop --filter or --after to see more\n")


def test_each_item_names_the_listings_it_backs(demo: Database, cli: Run) -> None:
    # One listing linked by master SKU, one selling the supplier's SKU with no master SKU.
    with demo.write() as session:
        item = session.scalars(
            sa.select(InventoryItem).where(InventoryItem.sku == "WPS-0000001-RED")
        ).one()
        variants = session.scalars(
            sa.select(ListingVariant).where(ListingVariant.master_sku == item.master_sku)
        ).all()
        assert variants
        channels = {c.id: c.name for c in session.scalars(sa.select(Channel))}
        expected = sorted(
            ({"channel": channels[v.channel_id], "sku": v.sku} for v in variants),
            key=lambda x: (x["channel"], x["sku"]),
        )
        variants[0].master_sku = None  # routing then looks up its own SKU: the same item
        unlisted = session.scalars(
            sa.select(InventoryItem).where(InventoryItem.sku == "WPS-0000002-RED")
        ).one()
        session.execute(
            sa.update(ListingVariant)
            .where(ListingVariant.master_sku == unlisted.master_sku)
            .values(master_sku="SOMETHING-ELSE")
        )
    rows = {r["sku"]: r for r in items(cli, "--source", WPS, "--limit", "0")}
    red = rows["WPS-0000001-RED"]
    assert red["listed"] is True
    assert red["listings"] == expected
    gone = rows["WPS-0000002-RED"]
    assert gone["listed"] is False and gone["listings"] == []
    status, out, _ = cli("inventory", "--filter", "WPS-0000002-RED")
    assert status == 0 and out.splitlines()[1].rstrip().endswith("none")


def test_hostile_skus_and_titles_are_shown_not_obeyed(demo: Database, cli: Run) -> None:
    with demo.write() as session:
        source = session.scalars(sa.select(Source).where(Source.name == WPS)).one()
        session.add(
            InventoryItem(
                source_id=source.id or 0,
                sku=SKU,
                master_sku=SKU,
                parent_sku=SKU,
                title=TITLE,
                quantity=4,
            )
        )
    status, out, _ = cli("inventory", "--filter", "zzz-")
    assert status == 0
    assert not [c for c in RAW if c in out]
    lines = out.splitlines()
    assert len(lines) == 2  # one item is one line: its \r\n is drawn, not obeyed
    assert "ZZZ-␛[2J\\x9b31m-\\u202eKLIS" in lines[1]
    assert "Helmet ␛]0;PWNED␇␍␊EVIL" in lines[1]
    [row] = items(cli, "--filter", "zzz-")
    assert (row["sku"], row["title"]) == (SKU, TITLE)  # --json is exact


def test_refusals_are_one_line(demo: Database, cli: Run) -> None:
    status, out, err = cli("inventory", "--source", "Nobody")
    assert (status, out) == (1, "")
    assert err == "dropdeck: error: no source named 'Nobody' (see 'dropdeck sources list')\n"
    status, out, _ = cli("inventory", "--after", "999999", "--json")
    assert status == 1 and "no inventory item with id 999999" in json.loads(out)["error"]
    assert cli("inventory", "--limit", "-1")[0] == 2


def test_a_read_only_operator_may_list_inventory(
    demo: Database, cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DROPDECK_ROLE", "readonly")
    assert items(cli, "--limit", "1")
