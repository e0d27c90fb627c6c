"""The order loop under many SIGKILLs, on SQLite and PostgreSQL: the reliability figures.

    .venv/bin/python bench/crash_loop.py [--kills 100] [--orders 300] [--seed N]
        [--db sqlite|postgres|both] [--faults] [--two-sources]

The same loop as tests/e2e/test_crash_loop.py (tests/e2e/crashloop.py): real `dropdeck
worker` processes (2 on SQLite, 3 on PostgreSQL) run every stage on a one-second schedule
against the WooCommerce and WPS sandboxes on 127.0.0.1 while shoppers order and WPS ships;
a seeded RNG SIGKILLs one worker at a random moment, `--kills` times; then a clean worker
drains the loop and the sandboxes are compared with the store. `--faults` adds 40 % 5xx,
dropped connections, truncated bodies and 429 bursts during the kills; `--two-sources` adds
US Direct as a second supplier (orders split between WPS and US Direct). PostgreSQL is the
local server (DROPDECK_TEST_PG_URL, default postgres@127.0.0.1:5432/test), in a schema of
its own that is dropped afterwards. Prints the seed and one line of figures per database.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from store.db import Database, open_database  # noqa: E402
from store.settings import StoreSettings  # noqa: E402
from tests.e2e.crashloop import CrashConfig, CrashReport, crash_run  # noqa: E402

PG_ADMIN_URL = os.environ.get(
    "DROPDECK_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
FAULTS = {"error_rate": 0.4, "drop_connection": 0.05, "malformed": 0.05}


@contextmanager
def database(kind: str, home: Path) -> Iterator[Database]:
    """A fresh store: a SQLite file in `home`, or a PostgreSQL schema of its own."""
    if kind == "sqlite":
        url = f"sqlite:///{home / 'dropdeck.db'}"
        db = open_database(StoreSettings(home=home, database_url=url))
        try:
            yield db
        finally:
            db.dispose()
        return
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = f"{PG_ADMIN_URL}?options=-csearch_path%3D{schema}"
    db = open_database(StoreSettings(home=home, database_url=url))
    try:
        yield db
    finally:
        db.dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def run_one(kind: str, args: argparse.Namespace) -> CrashReport:
    with tempfile.TemporaryDirectory(prefix=f"dropdeck-crash-{kind}-") as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        os.environ["DROPDECK_HOME"] = str(home)
        config = CrashConfig(
            seed=args.seed,
            kills=args.kills,
            orders=args.orders,
            workers=2 if kind == "sqlite" else 3,
            faults=FAULTS if args.faults else {},
            burst_429=8 if args.faults else 0,
            use_shipment_tracking=kind == "postgres",  # notes on one, tracking items on the other
            drain_timeout=600.0,
            two_sources=args.two_sources,
        )
        with database(kind, home) as db:
            report = crash_run(db, home, Path(tmp) / "workers.log", config)
        if report.problems():
            keep = Path(tempfile.gettempdir()) / f"dropdeck-crash-{kind}-{args.seed}.log"
            keep.write_bytes((Path(tmp) / "workers.log").read_bytes())
            print(f"{kind}: worker log kept at {keep}")
        return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--seed", type=int, default=20261130)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--faults", action="store_true")
    parser.add_argument("--two-sources", action="store_true", help="WPS and US Direct")
    args = parser.parse_args()
    print(f"crash loop seed {args.seed}, {args.kills} kills, {args.orders} orders")
    failed = False
    for kind in ("sqlite", "postgres") if args.db == "both" else (args.db,):
        report = run_one(kind, args)
        what = " with faults" if args.faults else ""
        what += ", two sources" if args.two_sources else ""
        print(f"{kind}{what}: {report.summary()}", flush=True)
        for problem in report.problems():
            print(f"  {problem}")
        failed = failed or bool(report.problems())
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
