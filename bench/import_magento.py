"""Magento import_listings at 100,000 products: time, requests, store share, peak RSS.

    .venv/bin/python bench/import_magento.py [--size N]

The Magento sandbox runs in its own process on 127.0.0.1 (its catalogue counts neither
towards this process's RSS nor its GIL). First a fetch-only pass walks exactly what
import_listings reads (product pages of 250, each configurable's children, one MSI
source-items request per page, the category list) and throws it away; then import_listings
runs through the job engine's own path into a fresh SQLite store.
Store share = (import - fetch) / import.
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._common import peak_rss_mb, sandbox_child, serve_until_stdin_closes  # noqa: E402
from bench.import_woocommerce import Counting, run_kind  # noqa: E402

BUDGETS = {"store share": 0.30, "peak RSS MB": 300.0}


def serve_sandbox(size: int) -> None:
    """Child process: build and serve the Magento sandbox, wait."""
    from connectors.magento.sandbox import build

    sandbox = build(seed=1, size=size)
    serve_until_stdin_closes(sandbox.app, sandbox.credentials)


async def fetch_only(info: dict[str, str]) -> tuple[float, int, int]:
    """Walk what import_listings reads; (seconds, requests, variants)."""
    from connectors.flows.catalogue import catalogue_pages
    from connectors.http import build_client
    from connectors.magento.client import HTTP_SETTINGS, MagentoClient, magento_auth
    from connectors.magento.operations_listings import MagentoCatalogue
    from connectors.magento.settings import ImportSettings

    transport = Counting()
    http = build_client(
        info["base_url"],
        name="magento",
        auth=magento_auth(info["access_token"]),
        settings=HTTP_SETTINGS,
        transport=transport,
    )
    settings = ImportSettings.parse({}, "bench/import_listings")
    catalogue = MagentoCatalogue(MagentoClient(http), settings, info["base_url"] + "/media")
    started = time.perf_counter()
    variants = 0
    async for page in catalogue_pages(catalogue):
        variants += sum(len(v) for v in page.variants.values())
    elapsed = time.perf_counter() - started
    await http.aclose()
    return elapsed, transport.total, variants


def magento_store(info: dict[str, str], home: Path) -> tuple[Any, Any]:
    """A fresh SQLite store with one Magento channel on the sandbox; (db, channel)."""
    from connectors.registry import load_operations
    from store.commands.setup import ensure_channel, save_connection
    from store.crypto import SecretBox
    from store.db import open_database
    from store.settings import StoreSettings

    load_operations(["magento"])
    db = open_database(StoreSettings(home=home, database_url=f"sqlite:///{home / 'bench.db'}"))
    with db.write() as session:
        conn = save_connection(
            session,
            SecretBox(home),
            name="magento",
            system="magento",
            base_url=info["base_url"],
            secrets={"access_token": info["access_token"]},
        )
        channel = ensure_channel(session, name="mag-bench", kind="magento", connection=conn)
    return db, channel


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
        sandbox_child([__file__, "--serve", str(args.size)], wait_seconds=60) as info,
        tempfile.TemporaryDirectory() as tmp,
    ):
        os.environ["DROPDECK_HOME"] = tmp
        fetch_s, fetch_req, variants = asyncio.run(fetch_only(info))
        db, channel = magento_store(info, Path(tmp))
        import_s, run, transport = asyncio.run(run_kind(db, channel, "import_listings"))
        db.dispose()
    rss_mb = peak_rss_mb()
    share = max(0.0, (import_s - fetch_s) / import_s)
    print(f"products               {args.size:,} ({variants:,} variants)")
    print(f"run                    {run.status}: {run.summary}")
    print(f"import wall time       {import_s:.1f} s")
    print(f"requests               {transport.total:,} (fetch-only pass: {fetch_req:,})")
    print(f"HTTP fetch only        {fetch_s:.1f} s")
    ok_share = share <= BUDGETS["store share"]
    ok_rss = rss_mb <= BUDGETS["peak RSS MB"]
    print(f"store share beyond fetch {share:.1%} (budget <= 30%) {'OK' if ok_share else 'OVER'}")
    print(f"peak RSS               {rss_mb:.0f} MB (budget <= 300 MB) {'OK' if ok_rss else 'OVER'}")
    return 0 if ok_share and ok_rss and run.status == "succeeded" else 1


if __name__ == "__main__":
    sys.exit(main())
