"""`dropdeck demo`: a fictional business in its own database, then the console on it.

The operator's own database is never touched: the demo lives in `<DROPDECK_HOME>/demo`
(or `--home`), which is reset every time.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from store.db import Database, open_database
from store.settings import StoreSettings, load_settings

from ..runtime.demo_data import seed_demo_business
from .tui import run_console

DB_FILE = "dropdeck.db"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("demo", help="seed a fictional business and open the console on it")
    p.add_argument(
        "--home",
        type=Path,
        metavar="PATH",
        help="where the demo database lives (default: <DROPDECK_HOME>/demo); reset each run",
    )
    p.add_argument("--readonly", action="store_true", help="open the console read-only")
    p.set_defaults(handler=_demo)


def demo_settings(home: Path | None = None) -> StoreSettings:
    """Always SQLite in the demo home, whatever DROPDECK_DATABASE_URL says."""
    home = (home or load_settings().home / "demo").expanduser().resolve()
    return StoreSettings(home=home, database_url=f"sqlite:///{home / DB_FILE}")


def reset_demo_database(settings: StoreSettings) -> Database:
    """Delete the demo database (and its WAL files), create it afresh, seed it."""
    path = settings.sqlite_path
    assert path is not None
    for suffix in ("", "-wal", "-shm", ".lock"):
        candidate = path.with_name(path.name + suffix)
        if candidate.exists():
            os.remove(candidate)
    db = open_database(settings)
    seed_demo_business(db)
    return db


def _demo(args: argparse.Namespace) -> int:
    settings = demo_settings(args.home)
    db = reset_demo_database(settings)
    print(f"demo business seeded in {settings.sqlite_path}")
    try:
        return run_console(db, readonly=args.readonly)
    finally:
        db.dispose()
