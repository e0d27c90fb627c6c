"""Test-only operations for system "fake", imported by worker subprocesses through
DROPDECK_EXTRA_OPERATIONS=tests.runtime.fake_ops.

Every operation appends "<run id> <integration> <pid> <start> <end>" to
`settings["out"]` so tests can check each run executed exactly once and never overlapped.
"""

from __future__ import annotations

import asyncio
import os
import time

from connectors.auth import BearerAuth
from connectors.context import RunContext
from connectors.http import HttpSettings, RetryPolicy
from connectors.registry import operation


def _record(ctx: RunContext, start: float) -> None:
    out = ctx.settings.get("out")
    if out:
        line = f"{ctx.run_id} {ctx.integration.name} {os.getpid()} {start:.6f} {time.time():.6f}\n"
        with open(out, "a") as fh:  # O_APPEND: lines from several processes never interleave
            fh.write(line)


@operation("fake", "get_inventory")
async def slow_count(ctx: RunContext) -> None:
    """Counts to `items`, sleeping `sleep` seconds in total."""
    start = time.time()
    items = int(ctx.settings.get("items", 4))
    delay = float(ctx.settings.get("sleep", 0.0)) / max(1, items)
    for n in range(1, items + 1):
        await asyncio.sleep(delay)
        ctx.count("updated")
        ctx.progress(n, items)
    _record(ctx, start)


@operation("fake", "import_listings")
async def import_with_bad_records(ctx: RunContext) -> None:
    """Creates records, two of which are bad: the run ends partial."""
    start = time.time()
    for sku in ("A-1", "A-2", "BAD-1", "A-3", "BAD-2"):
        if sku.startswith("BAD"):
            ctx.record_error(sku, "missing required field 'price'; set a price rule")
        else:
            ctx.count("parents_created")
    _record(ctx, start)


@operation("fake", "get_orders")
async def call_api(ctx: RunContext) -> None:
    """GET /orders on the connection with a Bearer token (the 401 and redaction tests)."""
    start = time.time()
    client = ctx.http_client(
        auth=BearerAuth(ctx.secrets["token"]),
        settings=HttpSettings(retry=RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.02)),
    )
    ctx.log.info("calling the API", token=ctx.secrets["token"], url=f"{ctx.base_url}/orders")
    await client.get_json("/orders", params={"token": ctx.secrets["token"]})
    ctx.count("fetched")
    _record(ctx, start)


@operation("fake", "sync_orders")
async def crash_with_secret(ctx: RunContext) -> None:
    """Crashes with the secret in a local variable and in the exception message."""
    token = ctx.secrets["token"]
    ctx.log.warning(f"about to use {token}", headers={"Authorization": f"Bearer {token}"})
    raise RuntimeError(f"upstream refused key {token}")
