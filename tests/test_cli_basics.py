"""The CLI's contract: one-line errors, exit statuses, stable --json fields."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from console.cli import main
from console.runtime.demo_data import seed_demo_business
from store.db import Database

LISTING_FIELDS = {
    "sku",
    "channel",
    "external_id",
    "link_state",
    "paused",
    "hidden",
    "pending",
    "price",
    "quantity",
    "needs_attention",
    # what stands behind it (store.queries.listings.ListingBacking)
    "master_sku",
    "source",
    "sources",
    "product_id",
    "parent_id",
    "type",
}


def test_bad_usage_is_one_line_and_exit_2(
    sqlite_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["listings", "--status", "sideways"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "invalid choice: 'sideways'" in err
    assert "Traceback" not in err


def test_unknown_command_from_a_real_process_has_no_traceback(sqlite_db: Database) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "console", "frobnicate"], capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("dropdeck: error:") and proc.stderr.count("\n") == 1


def test_listings_json_and_actions(sqlite_db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    seed_demo_business(sqlite_db, listings=60, orders=9)
    assert main(["listings", "--status", "linked", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and all(set(r) == LISTING_FIELDS for r in rows)
    assert all(r["link_state"] == "linked" for r in rows)
    sku = next(r["sku"] for r in rows if not r["paused"])
    assert main(["listings", "pause", sku]) == 0
    assert "paused: 1" in capsys.readouterr().out
    assert main(["listings", "--status", "paused", "--json"]) == 0
    assert sku in {r["sku"] for r in json.loads(capsys.readouterr().out)}
    assert main(["listings", "pause", "NO-SUCH-SKU"]) == 1
    assert "no listing with SKU NO-SUCH-SKU" in capsys.readouterr().err


def test_orders_and_notifications_json_fields(
    sqlite_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_demo_business(sqlite_db, listings=30, orders=9)
    assert main(["orders", "--json"]) == 0
    orders = json.loads(capsys.readouterr().out)
    assert len(orders) == 9
    assert set(orders[0]) == {
        "id",
        "channel",
        "external_id",
        "number",
        "status",
        "hold_reason",
        "customer",
        "total",
        "created_at",
        "fulfillment_requests",
    }
    held = next(o for o in orders if o["status"] == "on_hold")
    assert held["hold_reason"].startswith("no shipping mapping for 'local_pickup'")
    assert held["customer"] and held["total"].replace(".", "").isdigit()
    with_requests = [o for o in orders if o["fulfillment_requests"]]
    assert set(with_requests[0]["fulfillment_requests"][0]) == {
        "po_number",
        "source",
        "status",
        "attempts",
        "error",
        "shipping_method",
    }
    assert main(["notifications", "--json", "--level", "error"]) == 0
    notes = json.loads(capsys.readouterr().out)
    assert notes and all(n["level"] == "error" for n in notes)
    assert set(notes[0]) == {
        "id",
        "at",
        "level",
        "integration",
        "run_id",
        "event",
        "message",
        "data",
    }


def test_db_upgrade_is_repeatable(sqlite_db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "upgrade"]) == 0
    assert main(["db", "upgrade"]) == 0
    assert "database up to date: sqlite:///" in capsys.readouterr().out
