"""`dropdeck sandbox`: serve the five sandbox peers on 127.0.0.1 until stopped."""

from __future__ import annotations

import argparse
import json
import signal
import threading
from typing import Any

from connectors.sandboxing.serve import RunningSandboxes, serve_all


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], line: str) -> None:
    p = sub.add_parser("sandbox", help=line)
    add_sandbox_options(p)
    p.add_argument("--json", action="store_true", help="print one JSON line of URLs and keys")
    p.add_argument(
        "--live",
        action="store_true",
        help="act as a running business: the store sells a few WPS items, a customer has "
        "ordered them (shipping 'Flat rate'), WPS ships what it is sent within seconds",
    )
    p.set_defaults(handler=_run)


def add_sandbox_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--seed", type=int, default=1, help="seed of the generated catalogues")
    p.add_argument("--size", type=int, default=2000, help="products per catalogue")


def print_description(
    running: RunningSandboxes, as_json: bool, live: dict[str, Any] | None = None
) -> None:
    info: dict[str, Any] = running.describe()
    if as_json:
        print(json.dumps(info | ({"live": live} if live else {})), flush=True)
        return
    for system, fields in info.items():
        print(f"{system:<12} {fields['base_url']}", flush=True)
    if live:
        print(
            f"live: the store sells {', '.join(live['store_skus'])}; customer order "
            f"{live['order_number']} waits for get_orders; WPS ships what it is sent",
            flush=True,
        )
    print("credentials: dropdeck sandbox --json; stop with Ctrl+C", flush=True)


def serve_until_stopped(running: RunningSandboxes) -> None:
    """Block until SIGINT/SIGTERM, then stop the servers."""
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        stop.wait()
    finally:
        running.stop()


def _run(args: argparse.Namespace) -> int:
    running = serve_all(seed=args.seed, size=args.size)
    stop = threading.Event()
    live = None
    if args.live:
        from ..runtime.sandbox_live import start_live

        live = start_live(running.describe(), stop)
    print_description(running, args.json, live)
    try:
        serve_until_stopped(running)
    finally:
        stop.set()
    return 0
