"""`dropdeck worker`: run the scheduler and execute runs headless, until SIGTERM/SIGINT."""

from __future__ import annotations

import argparse
import asyncio
import signal

from connectors.registry import load_operations, registered
from store.commands.runs import queue_first_runs
from store.db import Database

from ..context import open_store
from ..runtime.logging import configure_logging, shutdown_logging
from ..runtime.worker import Worker


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], line: str) -> None:
    p = sub.add_parser(
        "worker",
        help=line,
        description="Execute queued runs and, if this worker holds the scheduler lock, queue "
        "scheduled ones. Any number of workers may share a database; each run executes "
        "once. SIGTERM/SIGINT stop claiming and let running runs finish (grace period: "
        "DROPDECK_SHUTDOWN_GRACE_SECONDS). Extra operation modules (tests): "
        "DROPDECK_EXTRA_OPERATIONS=pkg.module[,...].",
    )
    p.add_argument("--concurrency", type=int, default=4, help="runs executed at once (default 4)")
    p.add_argument(
        "--no-schedule", action="store_true", help="only execute runs; never be the scheduler"
    )
    p.add_argument(
        "--not-now",
        action="store_true",
        help="do not run newly added interval integrations at start (they wait one interval)",
    )
    p.set_defaults(handler=_worker)


def _worker(args: argparse.Namespace) -> int:
    db = open_store()
    configure_logging(db.settings.home, db=db, stderr=True)
    load_operations()
    if not args.no_schedule and not args.not_now:
        with db.write() as session:
            first = queue_first_runs(session)
        if first:
            print(f"first runs of new integrations queued: {', '.join(first)}", flush=True)
    try:
        asyncio.run(_main(db, args.concurrency, not args.no_schedule))
    finally:
        shutdown_logging()
        db.dispose()
    return 0


async def _main(db: Database, concurrency: int, schedule: bool) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    worker = Worker(db, concurrency=concurrency, schedule=schedule)
    print(
        f"dropdeck worker {worker.id}: {len(registered())} operations registered; Ctrl-C to stop",
        flush=True,
    )
    await worker.run(stop)
