"""WPS get_inventory at 100,000 items: wall time, requests, fetch-only time, store share, RSS.

    .venv/bin/python bench/import_wps.py [--items N] [--page-size N]

The WPS sandbox runs in its own process (served over real HTTP on 127.0.0.1), so its
catalogue does not count towards this process's RSS and its CPU does not share our GIL.
First a fetch-only pass walks the same pages get_inventory asks for (same page size,
includes and sparse fields) and throws them away; then get_inventory imports them into a
fresh SQLite store through a real RunContext. Store share = (import - fetch) / import.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._common import peak_rss_mb, run_source_inventory, sandbox_child, serve_until_stdin_closes  # noqa: E402

BUDGETS = {"store share": 0.30, "peak RSS MB": 300.0}


def serve_sandbox(items: int) -> None:
    """Child process: build and serve the WPS sandbox, print one JSON line, wait."""
    from connectors.wps.sandbox import build

    sandbox = build(seed=1, size=items)
    serve_until_stdin_closes(sandbox.app, sandbox.credentials)


async def fetch_only(base_url: str, token: str, page_size: int) -> tuple[float, int, int, float]:
    """Walk the pages get_inventory reads; (seconds, requests, items, parent walk seconds)."""
    from connectors.auth import BearerAuth
    from connectors.http import build_client
    from connectors.wps import mapping as m
    from connectors.wps.client import HTTP_SETTINGS, MAX_PAGE_SIZE, WpsClient

    http = build_client(base_url, name="wps", auth=BearerAuth(token), settings=HTTP_SETTINGS)
    client = WpsClient(http)
    started = time.perf_counter()
    await client.attribute_keys()
    # The parent SKU walk: every item's id, product and SKU (docs/wps.md, "Parent SKU").
    async for _ in client.iter_items(size=MAX_PAGE_SIZE, fields=("id", "product_id", "sku")):
        pass
    walked = time.perf_counter() - started
    n = 0
    async for page in client.iter_items(
        size=page_size, include=("inventory", "attributevalues"), fields=sorted(m.ITEM_FIELDS)
    ):
        n += len(page.items)
    elapsed = time.perf_counter() - started
    await http.aclose()
    return elapsed, client.requests, n, walked


async def import_items(
    base_url: str, token: str, page_size: int, home: Path
) -> tuple[float, dict[str, int]]:
    """get_inventory into a fresh SQLite store; (seconds, run counters)."""
    return await run_source_inventory(
        "wps", base_url, {"api_token": token}, {"page_size": page_size}, home, "WPS-"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--page-size", type=int, default=5000)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve_sandbox(args.items)
        return 0
    from console.runtime.process import tune_for_jobs

    tune_for_jobs()  # as every dropdeck process does at start (both phases alike)
    seeded = time.perf_counter()
    serve = [__file__, "--serve", "--items", str(args.items)]
    with sandbox_child(serve, wait_seconds=10, cwd=ROOT) as info:
        seed_s = time.perf_counter() - seeded
        base_url, token = info["base_url"], info["api_token"]
        cpu_0 = time.process_time()
        fetch_s, fetch_requests, fetched, walk_s = asyncio.run(
            fetch_only(base_url, token, args.page_size)
        )
        cpu_1 = time.process_time()
        with tempfile.TemporaryDirectory() as tmp:
            os.environ["DROPDECK_HOME"] = tmp
            import_s, counters = asyncio.run(
                import_items(base_url, token, args.page_size, Path(tmp))
            )
        cpu_2 = time.process_time()
    rss_mb = peak_rss_mb()
    share = max(0.0, import_s - fetch_s) / import_s
    stored = sum(counters.get(k, 0) for k in ("variants_created", "unchanged"))
    print(f"items                 {args.items:,} (sandbox seeded and served in {seed_s:.1f} s)")
    print(f"page size             {args.page_size}")
    print(f"fetch only            {fetch_s:.2f} s, {fetch_requests} requests, {fetched:,} items")
    print(f"  of it parent walk   {walk_s:.2f} s (id, product_id, sku of every item)")
    print(f"get_inventory         {import_s:.2f} s wall, {counters.get('requests')} requests")
    # CPU of this process (all threads), not the sandbox's: shows how much of the wall time
    # was our own work rather than waiting for the peer (the machine may be shared).
    cpu = f"fetch only {cpu_1 - cpu_0:.2f} s, get_inventory {cpu_2 - cpu_1:.2f} s"
    print(f"our CPU               {cpu}")
    print(f"counters              {json.dumps(counters)}")
    print(f"variants + parents    {stored:,} variants/unchanged rows")
    ok_share = share <= BUDGETS["store share"]
    ok_rss = rss_mb <= BUDGETS["peak RSS MB"]
    print(f"store share           {share:.1%} (budget <= 30%) {'ok' if ok_share else 'OVER'}")
    print(f"peak RSS              {rss_mb:.0f} MB (budget <= 300 MB) {'ok' if ok_rss else 'OVER'}")
    return 0 if ok_share and ok_rss else 1


if __name__ == "__main__":
    raise SystemExit(main())
