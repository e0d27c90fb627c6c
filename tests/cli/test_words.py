"""The CLI and the console say the same words: schedules (`every 5m`), `enabled`, `on hold`,
`placed`; a long pause reason does not pad every row of the integrations table."""

from __future__ import annotations

import json

from sqlmodel import select

from console.runtime import demo_data
from console.tui.panes.integrations import _state
from store.db import Database
from store.models import Integration
from store.queries.runs import list_integrations

from .conftest import Run

REASON = "HTTP 401 from the supplier: the API token was refused; " * 5


def test_integrations_table_uses_the_consoles_words_and_keeps_rows_short(
    sqlite_db: Database, cli: Run
) -> None:
    demo_data.seed_demo_business(sqlite_db)
    with sqlite_db.write() as session:
        paused = session.exec(select(Integration).order_by(Integration.name)).first()
        assert paused is not None
        paused.paused_reason = REASON.strip()
        session.add(paused)
    status, out, _ = cli("integrations")
    assert status == 0
    lines = out.splitlines()
    assert "PAUSED BECAUSE" in lines[0]
    with sqlite_db.read() as session:
        shown = {r.name: r for r in list_integrations(session, "source")}
        shown |= {r.name: r for r in list_integrations(session, "channel")}
    for line in lines[1:]:
        name = line.split()[0]
        row = shown[name]
        assert f" {row.schedule} " in line  # `every 5m`, as the console shows it
        assert f" {_state(row).plain} " in line or row.paused_reason  # `enabled`, not `active`
        if not row.paused_reason:
            assert len(line) < 140, line  # not padded to the long reason's width
    assert any(line.rstrip().endswith(REASON.strip()) for line in lines)


def test_orders_table_says_on_hold_and_placed_json_keeps_on_hold(
    sqlite_db: Database, cli: Run
) -> None:
    demo_data.seed_demo_business(sqlite_db)
    status, out, _ = cli("orders")
    assert status == 0
    assert "PLACED" in out.splitlines()[0] and "CREATED" not in out
    assert " on hold " in out and "on_hold" not in out
    status, out, _ = cli("orders", "--json")
    assert any(r["status"] == "on_hold" for r in json.loads(out))


def test_counts_agree_with_their_nouns_and_schedules_read_as_in_the_console(
    sqlite_db: Database, cli: Run
) -> None:
    demo_data.seed_demo_business(sqlite_db)
    argv = ("listings", "add", "--channel", "magento-demo", "--source", "Western Power Sports")
    status, out, err = cli(*argv, "--sku", "WPS-0000000-")
    assert status == 0, err
    assert out.startswith("listings added to magento-demo: 1 parent, 3 variants (")
    status, out, _ = cli("integrations", "--json")
    schedules = {r["name"]: (r["schedule"], r["every_seconds"]) for r in json.loads(out)}
    assert schedules["woo-demo/get_orders"] == ("every 5m", 300)
    assert schedules["woo-demo/import_listings"] == ("manual", None)
    status, out, _ = cli("integrations", "set", "woo-demo/get_orders", "--every", "1h30m")
    assert out == "integration woo-demo/get_orders updated (every 1h30m, enabled)\n"
