"""Several operators on one database: what the change signal and row versions cost.

    .venv/bin/python bench/several_operators.py [--rows N] [--pg URL]

Prints, on SQLite (and PostgreSQL with --pg, e.g. postgresql+psycopg://postgres@127.0.0.1/test):
- the poll: one read of the change counter, as each console does twice a second;
- the version trigger: a set-based UPDATE of every listing variant, with and without it;
- what a change costs a console showing Listings: its page and its tab counts re-read;
- two consoles: from one operator's commit to the other console showing it (median, max).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa

from console.runtime.demo_data import seed_demo_business, seed_listings
from console.tui.app import DropdeckApp
from console.tui.panes.sources import SourcesPane
from store.changes import store_version
from store.db import Database, open_database
from store.models import Channel, Integration, ListingVariant
from store.queries.listings import ListingTab, count_listings, page_listings
from store.settings import StoreSettings


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    """(median, max) seconds of `fn()` over `runs` calls."""
    took = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        took.append(time.perf_counter() - start)
    return statistics.median(took), max(took)


def seeded(url: str, home: Path, rows: int) -> Database:
    db = open_database(StoreSettings(home=home, database_url=url))
    with db.write() as session:
        channel = Channel(name="woo-bench", kind="woocommerce")
        session.add(channel)
        session.flush()
        channel_id = channel.id or 0
    seed_listings(db, channel_id, rows)
    return db


def bulk_update(db: Database, quantity: sa.ColumnElement[int] | None) -> None:
    """Every variant's stock (`quantity`), or (None) every variant's hidden flag."""
    values = {"quantity": quantity} if quantity is not None else {"hidden": ~ListingVariant.hidden}
    with db.write() as session:
        session.execute(sa.update(ListingVariant).values(values))


def _run(db: Database, sql: str) -> None:
    with db.engine.begin() as conn:
        conn.exec_driver_sql(sql)


def _trigger_sql(db: Database) -> str:
    """The listing_variant version trigger as the migrations made it."""
    with db.engine.connect() as conn:
        if db.dialect == "sqlite":
            found = conn.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE name = 'listing_variant_version'"
            ).scalar()
        else:
            found = conn.exec_driver_sql(
                "SELECT pg_get_triggerdef(oid) FROM pg_trigger "
                "WHERE tgname = 'listing_variant_version'"
            ).scalar()
    assert found, "no listing_variant_version trigger"
    return str(found)


def _drop_sql(db: Database) -> str:
    on = "" if db.dialect == "sqlite" else " ON listing_variant"
    return f"DROP TRIGGER listing_variant_version{on}"


def _timed_update(db: Database, kind: str) -> float:
    if db.dialect == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM listing_variant")
    quantity = ListingVariant.quantity + 1 if kind == "stock" else None
    return timed(lambda: bulk_update(db, quantity), 3)[0]


def store_figures(label: str, db: Database, rows: int) -> None:
    def poll() -> None:
        with db.read() as session:
            store_version(session)

    med, worst = timed(poll, 500)
    print(
        f"{label}: poll (one read of the counter): median {med * 1e3:.2f} ms, "
        f"max {worst * 1e3:.2f} ms"
    )
    # Without the trigger first, then with it; PostgreSQL vacuumed before each, so neither
    # pays for the other's dead rows.
    trigger = _trigger_sql(db)
    _run(db, _drop_sql(db))
    bare = {kind: _timed_update(db, kind) for kind in ("stock", "hidden")}
    _run(db, trigger)
    with_it = {kind: _timed_update(db, kind) for kind in ("stock", "hidden")}
    print(
        f"{label}: UPDATE of {rows:,} listing variants, with / without the version trigger: "
        f"stock (not watched) {with_it['stock']:.2f} / {bare['stock']:.2f} s, "
        f"hidden (watched) {with_it['hidden']:.2f} / {bare['hidden']:.2f} s"
    )

    def reread() -> None:
        with db.read() as session:
            page_listings(session, tab=ListingTab.ALL, limit=256)
            count_listings(session)

    med, worst = timed(reread, 5)
    print(
        f"{label}: a change re-reads Listings (page + tab counts) at {rows:,}: "
        f"median {med * 1e3:.0f} ms, max {worst * 1e3:.0f} ms"
    )


async def two_consoles(home: Path, trials: int) -> list[float]:
    """Operator A's pause committed -> console B's Sources pane shows it (B polls)."""
    url = f"sqlite:///{home / 'two.db'}"
    settings = StoreSettings(home=home, database_url=url)
    db = open_database(settings)
    seed_demo_business(db)
    app = DropdeckApp(db, start_worker=False, live=True, pane="sources")
    SourcesPane.REFRESH_SECONDS = 3600.0  # only the change signal may bring the news
    seen = []
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(1.0)
        pane = app.query_one(SourcesPane)
        for n in range(trials):
            with db.read() as session:
                first = session.scalars(sa.select(Integration).order_by(Integration.id)).first()
            assert first is not None
            target = None if first.paused_reason else f"bench {n}"
            with db.write() as session:
                session.execute(
                    sa.update(Integration)
                    .where(Integration.id == first.id)
                    .values(paused_reason=target)
                )
            start = time.perf_counter()

            def shown(target: str | None = target, name: str = first.name) -> bool:
                row = next(r for r in pane.rows if getattr(r, "name", "") == name)
                return getattr(row, "paused_reason", None) == target

            while not shown():
                await pilot.pause(0.005)
                if time.perf_counter() - start > 10:
                    raise SystemExit("console B never showed the change")
            seen.append(time.perf_counter() - start)
            await pilot.pause(0.3)  # the next change lands at another point of the poll
    db.dispose()
    return seen


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--pg", help="a PostgreSQL URL to measure there too")
    parser.add_argument("--trials", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        db = seeded(f"sqlite:///{home / 'bench.db'}", home, args.rows)
        store_figures("SQLite", db, args.rows)
        db.dispose()
        if args.pg:
            schema = f"bench_{uuid.uuid4().hex[:8]}"
            admin = sa.create_engine(args.pg, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
            try:
                pg = seeded(f"{args.pg}?options=-csearch_path%3D{schema}", home, args.rows)
                store_figures("PostgreSQL", pg, args.rows)
                pg.dispose()
            finally:
                with admin.connect() as conn:
                    conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
                admin.dispose()
        took = asyncio.run(two_consoles(home, args.trials))
        print(
            f"two consoles (SQLite): commit -> the other console shows it: median "
            f"{statistics.median(took) * 1e3:.0f} ms, max {max(took) * 1e3:.0f} ms "
            f"over {len(took)} changes (poll every 0.5 s)"
        )


if __name__ == "__main__":
    main()
