"""Store data cannot drive the operator's terminal through the CLI: tables and plain lines
show control characters, `--json` stays exact JSON."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from console.runtime import demo_data
from store.commands.notify import insert_notifications
from store.db import Database
from store.models import Integration, ListingVariant, Order

from .conftest import Run

HELMET = "Helmet \x1b]0;PWNED\x07\x1b[2J\x1b[41mEVIL"
SKU = "AAA-\x9b31m-\u202eKLIS"
NUMBER = "#9\x1b[2J\u202e[red]x[/red]"
NOTE = "gift\r\nnote\x1b]0;PWNED\x07"
RAW = ("\x1b", "\x07", "\x9b", "\u202e", "\r")


@pytest.fixture
def hostile(sqlite_db: Database) -> Database:
    demo_data.seed_demo_business(sqlite_db)
    with sqlite_db.write() as session:
        first = session.scalars(sa.select(ListingVariant).order_by(ListingVariant.sku)).first()
        assert first is not None
        first.sku = SKU
        first.title = HELMET
        newest = session.scalars(sa.select(Order).order_by(Order.id.desc())).first()  # type: ignore[union-attr]
        assert newest is not None
        newest.number = NUMBER
        insert_notifications(
            session, [{"level": "error", "event": "record.failed", "message": f"{SKU}: {NOTE}"}]
        )
    return sqlite_db


def assert_clean(out: str) -> None:
    found = [repr(c) for c in RAW if c in out]
    assert not found, f"raw control characters printed: {found}"


def test_tables_and_lines_show_control_characters(hostile: Database, cli: Run) -> None:
    code, out, _ = cli("listings")
    assert code == 0
    assert_clean(out)
    assert "AAA-\\x9b31m-\\u202eKLIS" in out
    code, out, _ = cli("orders")
    assert code == 0
    assert_clean(out)
    assert "#9␛[2J\\u202e[red]x[/red]" in out
    code, out, _ = cli("notifications")
    assert code == 0
    assert_clean(out)
    assert "AAA-\\x9b31m-\\u202eKLIS: gift␍" in out  # the newline after ␍ is the CLI's own
    # An operator's text comes back the same way.
    with hostile.read() as session:
        name = session.scalars(sa.select(Integration.name).order_by(Integration.id)).first()
    assert name is not None
    assert cli("integrations", "pause", name, "--reason", f"by me {HELMET}")[0] == 0
    code, out, _ = cli("integrations")
    assert code == 0
    assert_clean(out)
    assert "by me Helmet ␛]0;PWNED␇␛[2J␛[41mEVIL" in out


def test_json_output_stays_exact(hostile: Database, cli: Run) -> None:
    code, out, _ = cli("listings", "--json")
    assert code == 0
    assert_clean(out)  # json.dumps escapes them
    assert any(r["sku"] == SKU for r in json.loads(out))
    code, out, _ = cli("orders", "--json")
    assert code == 0
    assert_clean(out)
    assert any(r["number"] == NUMBER for r in json.loads(out))
    code, out, _ = cli("notifications", "--json")
    assert_clean(out)
    assert any(n["message"] == f"{SKU}: {NOTE}" for n in json.loads(out))
