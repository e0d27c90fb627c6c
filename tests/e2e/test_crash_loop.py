"""SIGKILL at random points of the whole order loop, on SQLite and on PostgreSQL, then a
clean worker drains it: no duplicate PO, no lost order, every shipped order completed on
WooCommerce, every tracking number on its order exactly once, no run left running. Then
the same with two sources (WPS and US Direct, orders split between them) under faults.

The seed is fixed and printed (`DROPDECK_CRASH_SEED` picks another); `bench/crash_loop.py`
runs the same loop with more kills and prints the figures.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from store.db import Database

from .crashloop import CrashConfig, CrashReport, crash_run

pytestmark = pytest.mark.e2e

SEED = int(os.environ.get("DROPDECK_CRASH_SEED", "1307"))
# The fault phase: 30-60 % 5xx, dropped connections, truncated bodies and 429 bursts.
FAULTS = {"error_rate": 0.4, "drop_connection": 0.05, "malformed": 0.05}


def check(db: Database, tmp_path: Path, config: CrashConfig) -> CrashReport:
    print(f"crash loop seed {config.seed}")
    report = crash_run(db, db.settings.home, tmp_path / "workers.log", config)
    print(report.summary())
    assert report.kills == config.kills
    assert report.orders_placed == config.orders and report.pos_accepted >= config.orders
    assert report.tracking_numbers > config.orders
    assert report.problems() == [], f"{report.summary()}; worker log {tmp_path / 'workers.log'}"
    return report


def test_workers_killed_through_the_loop_lose_and_repeat_nothing(
    db: Database, tmp_path: Path
) -> None:
    """20 SIGKILLs, 60 orders, two workers at a time; tracking as order notes on SQLite and
    as Shipment Tracking items on PostgreSQL."""
    tracking_items = db.engine.dialect.name == "postgresql"
    config = CrashConfig(seed=SEED, use_shipment_tracking=tracking_items)
    check(db, tmp_path, config)


def test_killed_workers_under_sandbox_faults_lose_and_repeat_nothing(
    db: Database, tmp_path: Path
) -> None:
    """The same under 40 % 5xx, dropped connections, truncated bodies and 429 bursts."""
    config = CrashConfig(seed=SEED + 1, kills=10, orders=30, faults=FAULTS, burst_429=8)
    check(db, tmp_path, config)


def test_two_sources_under_faults_and_killed_workers_lose_and_repeat_nothing(
    db: Database, tmp_path: Path
) -> None:
    """WPS and US Direct: orders split between them under 40 % 5xx, dropped connections,
    truncated bodies and 429 bursts at all three systems while workers are SIGKILLed: no
    duplicate PO at either supplier, no duplicate order or request in the store, every part
    shipped, each tracking number on its WooCommerce order exactly once."""
    config = CrashConfig(
        seed=SEED + 2, kills=10, orders=24, faults=FAULTS, burst_429=8, two_sources=True
    )
    report = check(db, tmp_path, config)
    assert report.split_orders >= 3, report.summary()
