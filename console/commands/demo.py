"""`dropdeck demo`: the sandbox peers, a demo business wired to them, and the console.

The operator's own database is never touched: the demo lives in `<DROPDECK_HOME>/demo`
(or `--home`), which is reset every time. `--headless` does the same without the console:
it prints the sandboxes' JSON line and runs a worker until stopped, so scripts can drive
the demo with the CLI (`DROPDECK_HOME=<demo home> dropdeck run woo-demo/get_orders --wait`).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
from pathlib import Path

from connectors.registry import load_operations
from connectors.sandboxing.serve import RunningSandboxes, serve_all
from store.db import Database, open_database
from store.settings import StoreSettings, load_settings

from ..runtime.demo import configure_demo_business, start_bootstrap
from ..runtime.logging import configure_logging, shutdown_logging
from ..runtime.worker import Worker
from .sandbox import add_sandbox_options, print_description
from .tui import run_console

DB_FILE = "dropdeck.db"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], line: str) -> None:
    p = sub.add_parser("demo", help=line)
    p.add_argument(
        "--home",
        type=Path,
        metavar="PATH",
        help="where the demo database lives (default: <DROPDECK_HOME>/demo); reset each run",
    )
    p.add_argument("--readonly", action="store_true", help="open the console read-only")
    p.add_argument(
        "--headless",
        action="store_true",
        help="no console: print the sandboxes' JSON line and run a worker until stopped",
    )
    add_sandbox_options(p)
    p.set_defaults(handler=_demo, size=400)


def demo_settings(home: Path | None = None) -> StoreSettings:
    """Always SQLite in the demo home, whatever DROPDECK_DATABASE_URL says."""
    home = (home or load_settings().home / "demo").expanduser().resolve()
    return StoreSettings(home=home, database_url=f"sqlite:///{home / DB_FILE}")


def reset_demo_database(settings: StoreSettings) -> Database:
    """Delete the demo database (and its WAL files) and create it afresh."""
    path = settings.sqlite_path
    assert path is not None
    for suffix in ("", "-wal", "-shm", ".lock"):
        candidate = path.with_name(path.name + suffix)
        if candidate.exists():
            os.remove(candidate)
    return open_database(settings)


def _demo(args: argparse.Namespace) -> int:
    settings = demo_settings(args.home)
    # CLI commands run by scripts (and the worker's secret key) must find the demo store.
    os.environ["DROPDECK_HOME"] = str(settings.home)
    os.environ.pop("DROPDECK_DATABASE_URL", None)
    db = reset_demo_database(settings)
    running = serve_all(seed=args.seed, size=args.size)
    try:
        configure_demo_business(db, running.describe())
        if args.headless:
            print_description(running, as_json=True)
            return _headless(db, running)
        start_bootstrap(db, running)
        return run_console(db, readonly=args.readonly)
    finally:
        running.stop()
        db.dispose()


def _headless(db: Database, running: RunningSandboxes) -> int:
    configure_logging(db.settings.home, db=db, stderr=False)
    load_operations()
    try:
        asyncio.run(_serve(db, running))
    finally:
        shutdown_logging()
    return 0


async def _serve(db: Database, running: RunningSandboxes) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    worker = Worker(db, concurrency=2, schedule=True)
    start_bootstrap(db, running)
    await worker.run(stop)
