"""Console Listings pane at 1,000,000 listings on SQLite: first paint, next page, filter, RSS.

    .venv/bin/python bench/console_listings.py [--rows N] [--fresh]

The store is built once with `seed_listings` and cached in /tmp. Timings are taken in
process with `App.run_test`, from the request to the refresh that shows the rows (the
table counts its paints), not through Pilot key presses, whose own cost is ~50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from console.runtime.demo_data import seed_listings
from store.db import Database, open_database
from store.models import Channel
from store.settings import StoreSettings

BUDGETS = {"first paint": 0.5, "next page": 0.050, "filter": 0.150, "peak RSS MB": 200.0}
CACHE = Path("/tmp/dropdeck-bench")
CHUNK = 19_998


def build_store(rows: int, fresh: bool) -> Database:
    home = CACHE / f"listings-{rows}"
    marker = home / "complete"
    if fresh or not marker.exists():
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
    settings = StoreSettings(home=home, database_url=f"sqlite:///{home / 'dropdeck.db'}")
    db = open_database(settings)
    if not marker.exists():
        started = time.perf_counter()
        with db.write() as session:
            channel = Channel(name="woo-bench", kind="woocommerce")
            session.add(channel)
            session.flush()
            channel_id = channel.id or 0
        # seed_listings repeats a parent SKU across its 20,000-row batches (20,000 is not a
        # multiple of 3), so seed one batch per call, each under its own SKU prefix.
        for chunk, start in enumerate(range(0, rows, CHUNK)):
            count = min(CHUNK, rows - start)
            seed_listings(db, channel_id, count, prefix=f"WPS{chunk:02d}-")
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
        marker.touch()
        print(f"built {rows:,} listings in {time.perf_counter() - started:.1f} s at {home}")
    return db


async def wait_for(predicate: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() > deadline:
            raise TimeoutError("the table did not paint in time")
        await asyncio.sleep(0.001)


async def measure(db: Database, rows: int) -> dict[str, float]:
    from console.tui.app import DropdeckApp
    from console.tui.panes.listings import ListingsPane
    from console.tui.widgets.paged_table import PagedTable

    figures: dict[str, float] = {}
    started = time.perf_counter()
    app = DropdeckApp(db, start_worker=False, live=False, pane="listings")
    async with app.run_test(size=(120, 40)):
        table = app.query_one("#listing-table", PagedTable)
        await wait_for(lambda: table.paints >= 1)
        figures["first paint"] = time.perf_counter() - started
        pane = app.query_one(ListingsPane)
        await wait_for(lambda: bool(pane.counts), timeout=120)
        figures["counts (worker)"] = time.perf_counter() - started

        samples = []
        for _ in range(5):
            paints, rows = table.paints, len(table.rows)
            t0 = time.perf_counter()
            table.load("next")
            await wait_for(lambda p=paints: table.paints > p)
            samples.append(time.perf_counter() - t0)
            assert len(table.rows) > rows or len(table.rows) == 8 * 256
        figures["next page"] = sorted(samples)[len(samples) // 2]

        samples = []
        last = (rows - 1) // CHUNK
        for prefix in (f"WPS{last // 2:02d}-0005", f"WPS{last:02d}-00012", "WPS00-0001234"):
            paints = table.paints
            t0 = time.perf_counter()
            pane.filter_text = prefix
            pane.apply_filter()
            await wait_for(lambda p=paints: table.paints > p)
            samples.append(time.perf_counter() - t0)
            assert table.rows and all(r.sku.startswith(prefix) for r in table.rows)
        figures["filter"] = max(samples)
    figures["peak RSS MB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--fresh", action="store_true", help="rebuild the cached store")
    args = parser.parse_args()
    os.environ.setdefault("DROPDECK_HOME", str(CACHE))
    db = build_store(args.rows, args.fresh)
    figures = asyncio.run(measure(db, args.rows))
    db.dispose()
    failed = False
    print(f"Listings pane, {args.rows:,} listing variants, SQLite")
    for name, value in figures.items():
        budget = BUDGETS.get(name)
        shown = f"{value:8.1f} MB" if name.endswith("MB") else f"{value * 1000:8.1f} ms"
        if budget is None:
            print(f"  {name:<16}{shown}")
            continue
        ok = value <= budget
        failed |= not ok
        limit = f"{budget:.0f} MB" if name.endswith("MB") else f"{budget * 1000:.0f} ms"
        print(f"  {name:<16}{shown}   budget {limit:>7}   {'PASS' if ok else 'FAIL'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
