"""US Direct get_inventory of a 100,000-item feed: time against the download alone, RSS.

    .venv/bin/python bench/import_usdirect.py [--items N] [--batch-size N]

The US Direct sandbox runs in its own process (served over real HTTP on 127.0.0.1), so its
catalogue does not count towards this process's RSS. First the feed is downloaded and
thrown away (the download alone), then get_inventory streams it into a fresh SQLite store
through a real RunContext. Peak RSS is this process's: the import must stay within
300 MB however big the feed, since it parses the feed as it arrives.
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

BUDGETS = {"peak RSS MB": 300.0}


def serve_sandbox(items: int) -> None:
    """Child process: build and serve the US Direct sandbox, print one JSON line, wait."""
    from connectors.usdirect.sandbox import build

    sandbox = build(seed=1, size=items)
    sandbox.state.settings.requests_per_second = 1000
    serve_until_stdin_closes(sandbox.app, sandbox.credentials)


def secrets_of(info: dict[str, str]) -> dict[str, str]:
    """The connection's secrets, feed URLs pointed at the served sandbox."""
    base = info["base_url"]
    return {k: v.replace("{base_url}", base) for k, v in info.items() if k != "base_url"}


async def download_only(feed_url: str) -> tuple[float, int]:
    """Download the feed and throw it away; (seconds, bytes)."""
    import httpx

    started = time.perf_counter()
    size = 0
    async with (
        httpx.AsyncClient(timeout=120) as client,
        client.stream("GET", feed_url) as response,
    ):
        async for chunk in response.aiter_bytes():
            size += len(chunk)
    return time.perf_counter() - started, size


async def import_feed(
    base_url: str, secrets: dict[str, str], batch_size: int, home: Path
) -> tuple[float, dict[str, int]]:
    """get_inventory into a fresh SQLite store; (seconds, run counters)."""
    return await run_source_inventory(
        "usdirect", base_url, secrets, {"batch_size": batch_size}, home, "USD-"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve_sandbox(args.items)
        return 0
    from console.runtime.process import tune_for_jobs

    tune_for_jobs()
    seeded = time.perf_counter()
    serve = [__file__, "--serve", "--items", str(args.items)]
    with sandbox_child(serve, wait_seconds=10, cwd=ROOT) as info:
        seed_s = time.perf_counter() - seeded
        secrets = secrets_of(info)
        download_s, size = asyncio.run(download_only(secrets["feed_url"]))
        with tempfile.TemporaryDirectory() as tmp:
            os.environ["DROPDECK_HOME"] = tmp
            import_s, counters = asyncio.run(
                import_feed(info["base_url"], secrets, args.batch_size, Path(tmp))
            )
    rss_mb = peak_rss_mb()
    ok_rss = rss_mb <= BUDGETS["peak RSS MB"]
    print(f"items                 {args.items:,} (sandbox seeded and served in {seed_s:.1f} s)")
    print(f"batch size            {args.batch_size}")
    print(f"download only         {download_s:.2f} s, {size / 1e6:.1f} MB")
    print(
        f"get_inventory         {import_s:.2f} s wall ({import_s / download_s:.1f}x the download)"
    )
    print(f"counters              {json.dumps(counters)}")
    print(f"peak RSS              {rss_mb:.0f} MB (budget <= 300 MB) {'ok' if ok_rss else 'OVER'}")
    return 0 if ok_rss else 1


if __name__ == "__main__":
    raise SystemExit(main())
