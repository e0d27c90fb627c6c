"""WooCommerce import_listings at 100,000 products: time, requests, store share, peak RSS.

    .venv/bin/python bench/import_woocommerce.py [--size N]

The WooCommerce sandbox runs in its own process on 127.0.0.1 over plain http, so requests are
OAuth 1.0a-signed as in the demo, and its catalogue counts neither towards this process's
RSS nor its GIL. First a fetch-only pass walks exactly what import_listings reads (product
pages and each variable product's variations, same concurrency) and throws it away; then
import_listings runs through the job engine's own path (queue, claim, execute with a real
RunContext) into a fresh SQLite store. Store share = (import - fetch) / import.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._common import peak_rss_mb, sandbox_child, serve_until_stdin_closes  # noqa: E402

BUDGETS = {"store share": 0.30, "peak RSS MB": 300.0}


def serve_sandbox(size: int) -> None:
    """Child process: build and serve the sandbox (OAuth only, as on plain http), wait."""
    from connectors.woocommerce.sandbox import build

    sandbox = build(seed=1, size=size)
    serve_until_stdin_closes(
        sandbox.app,
        sandbox.credentials,
        lambda url: httpx.put(f"{url}/_sandbox/settings", json={"assume_https": False}).close(),
    )


class Counting(httpx.AsyncBaseTransport):
    """Counts requests (by method) on their way to the real transport."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport(limits=httpx.Limits(max_connections=16))
        self.by_method: dict[str, int] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.by_method[request.method] = self.by_method.get(request.method, 0) + 1
        return await self.inner.handle_async_request(request)

    @property
    def total(self) -> int:
        return sum(self.by_method.values())


async def fetch_only(info: dict[str, str]) -> tuple[float, int, int]:
    """Walk what import_listings reads; (seconds, requests, variants)."""
    from connectors.flows.catalogue import catalogue_pages
    from connectors.http import build_client
    from connectors.woocommerce.client import HTTP_SETTINGS, WooClient, woocommerce_auth
    from connectors.woocommerce.operations_channel import WooCatalogue

    transport = Counting()
    auth = woocommerce_auth(info["base_url"], info["consumer_key"], info["consumer_secret"])
    http = build_client(
        info["base_url"], name="woo", auth=auth, settings=HTTP_SETTINGS, transport=transport
    )
    started = time.perf_counter()
    variants = 0
    async for page in catalogue_pages(WooCatalogue(WooClient(http))):
        variants += sum(len(v) for v in page.variants.values())
    elapsed = time.perf_counter() - started
    await http.aclose()
    return elapsed, transport.total, variants


def woo_store(info: dict[str, str], home: Path) -> tuple[Any, Any]:
    """A fresh SQLite store with one WooCommerce channel on the sandbox; (db, channel)."""
    from connectors.registry import load_operations
    from store.commands.setup import ensure_channel, save_connection
    from store.crypto import SecretBox
    from store.db import open_database
    from store.settings import StoreSettings

    load_operations(["woocommerce"])
    db = open_database(StoreSettings(home=home, database_url=f"sqlite:///{home / 'bench.db'}"))
    with db.write() as session:
        conn = save_connection(
            session,
            SecretBox(home),
            name="woo",
            system="woocommerce",
            base_url=info["base_url"],
            secrets={k: info[k] for k in ("consumer_key", "consumer_secret")},
        )
        channel = ensure_channel(session, name="woo-bench", kind="woocommerce", connection=conn)
    return db, channel


async def run_kind(
    db: Any, channel: Any, kind: str, settings: dict[str, Any] | None = None
) -> tuple[float, Any, Counting]:
    """One integration through the engine's own path (queue, claim, execute with a real
    RunContext); (seconds in execute, finished run, its counted transport)."""
    from connectors.context import ClientPool
    from console.runtime.runs import ActiveRun, claim, execute
    from console.runtime.settings import RuntimeSettings
    from store.commands.runs import queue_run
    from store.commands.setup import ensure_integration
    from store.models import JobRun
    from store.models.runtime import RunTrigger

    with db.write() as session:
        iid = ensure_integration(session, channel, kind, settings=settings).id or 0
        run_id = queue_run(session, iid, RunTrigger.MANUAL).id or 0
    rs = RuntimeSettings(lease_seconds=3600)
    run = claim(db, "bench", rs)
    assert run is not None
    transport = Counting()
    clients = ClientPool(transport=transport)
    started = time.perf_counter()
    await execute(db, ActiveRun(run_id, iid), run, worker_id="bench", clients=clients, settings=rs)
    elapsed = time.perf_counter() - started
    await clients.aclose()
    with db.read() as session:
        finished = session.get_one(JobRun, run_id)
    return elapsed, finished, transport


async def import_run(info: dict[str, str], home: Path) -> tuple[float, int, Any]:
    """import_listings through the engine into a fresh SQLite store; (seconds, requests, run)."""
    db, channel = woo_store(info, home)
    elapsed, finished, transport = await run_kind(db, channel, "import_listings")
    db.dispose()
    return elapsed, transport.total, finished


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000, help="products in the sandbox")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    from console.runtime.process import tune_for_jobs

    tune_for_jobs()  # as every dropdeck process does at start
    if args.serve:
        serve_sandbox(args.serve)
        return 0
    with (
        sandbox_child([__file__, "--serve", str(args.size)], wait_seconds=30) as info,
        tempfile.TemporaryDirectory() as tmp,
    ):
        os.environ["DROPDECK_HOME"] = tmp
        fetch_s, fetch_req, variants = asyncio.run(fetch_only(info))
        import_s, import_req, run = asyncio.run(import_run(info, Path(tmp)))
    rss_mb = peak_rss_mb()
    share = max(0.0, (import_s - fetch_s) / import_s)
    print(f"products               {args.size:,} ({variants:,} variants)")
    print(f"run                    {run.status}: {run.summary}")
    print(f"import wall time       {import_s:.1f} s")
    print(f"requests               {import_req:,} (fetch-only pass: {fetch_req:,})")
    print(f"HTTP fetch only        {fetch_s:.1f} s")
    ok_share = share <= BUDGETS["store share"]
    ok_rss = rss_mb <= BUDGETS["peak RSS MB"]
    print(f"store share beyond fetch {share:.1%} (budget <= 30%) {'OK' if ok_share else 'OVER'}")
    print(f"peak RSS               {rss_mb:.0f} MB (budget <= 300 MB) {'OK' if ok_rss else 'OVER'}")
    return 0 if ok_share and ok_rss and run.status == "succeeded" else 1


if __name__ == "__main__":
    sys.exit(main())
