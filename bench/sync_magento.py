"""Magento sync_listings after 1% of inventory prices change: requests vs the API's floor.

    .venv/bin/python bench/sync_magento.py [--size N] [--percent P]

The sandbox runs in its own process (see bench/import_magento.py). The store is set up as
a business would have it: import_listings, inventory for every store SKU (linked on SKU),
a first sync (asynchronous bulk) that pushes every rule price. Then P% of inventory items,
chosen at random, get a new cost and sync_listings runs with per-SKU PUTs; then another
P% change and it runs with the asynchronous bulk endpoint; last P% of listings are renamed
and a sync of Name alone runs (per-SKU PUTs). Each run's link and write requests are
counted.

The sandbox's clock stands three hours back during the syncs, so their writes are older
than the next run's look-back (an hour's margin): as for syncs scheduled hours apart. A
run within the hour of the previous one also reads back that run's writes as "changed on
Magento" (about 2 requests per 250 products written).

Floors: Magento's REST API writes one product per synchronous request
(`PUT /V1/products/{sku}`), so per-SKU syncing cannot send fewer than one request per
changed product; the asynchronous bulk endpoint takes any number of products in one
request (Adobe advises chunks), so its floor is 1.
"""

from __future__ import annotations

import math
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._common import back_every_listing_sku, change_costs, channel_sync_main  # noqa: E402
from bench.import_magento import magento_store  # noqa: E402
from bench.import_woocommerce import run_kind  # noqa: E402


def _clock(info: dict[str, str], body: dict[str, Any]) -> None:
    r = httpx.put(f"{info['base_url']}/_sandbox/clock", json=body, timeout=30)
    r.raise_for_status()


async def _sync(db: Any, channel: Any, settings: dict[str, Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    _, run, _transport = await run_kind(db, channel, "sync_listings", settings)
    return run, time.perf_counter() - started


async def bench(info: dict[str, str], home: Path, percent: float) -> int:
    from store.commands.channel_listings import link_inventory_on_sku

    db, channel = magento_store(info, home)
    _, run, transport = await run_kind(db, channel, "import_listings", {})
    print(f"import                 {run.summary} ({transport.total:,} requests)")
    with db.write() as session:
        skus = back_every_listing_sku(session)
        link_inventory_on_sku(session, channel.id)
    _clock(info, {"now": (datetime.now(UTC) - timedelta(hours=3)).isoformat()})
    run, took = await _sync(db, channel, {"use_bulk": True})
    print(f"first sync (bulk)      {run.summary} in {took:.1f} s")
    rng = random.Random(7)
    n = max(1, int(len(skus) * percent / 100))
    ok = True
    for mode, settings, cost in (
        ("per-SKU PUT", {"use_bulk": False}, "12.34"),
        ("async bulk", {"use_bulk": True}, "13.45"),
    ):
        changed = rng.sample(skus, n)
        change_costs(db, changed, cost)
        run, took = await _sync(db, channel, settings)
        counters = run.counters
        link, writes = counters.get("link_requests", 0), counters.get("sync_requests", 0)
        updated = counters.get("variants_updated", 0)
        floor = n if mode == "per-SKU PUT" else 1
        print(f"sync, {mode:<16} {run.status}: {run.summary} in {took:.1f} s")
        print(
            f"  changed              {n:,} of {len(skus):,} variants; "
            f"{updated:,} updated on Magento"
        )
        print(f"  link requests        {link:,}")
        print(
            f"  sync requests        {writes:,} (API floor {floor:,}; "
            f"{math.ceil(n / 100):,} existence lookups of 100 SKUs included)"
        )
        ok = ok and run.status == "succeeded" and updated == n
    ok = await _names(db, channel, rng, percent) and ok
    db.dispose()
    return 0 if ok else 1


async def _names(db: Any, channel: Any, rng: random.Random, percent: float) -> bool:
    """P% of listings renamed, then a per-SKU sync of Name alone: each listing's name is
    one product (a simple product, or a configurable's parent), so the floor is one PUT per
    renamed listing."""
    import sqlalchemy as sa

    from store.models import Listing

    with db.write() as session:
        ids = list(session.scalars(sa.select(Listing.id).where(Listing.channel_id == channel.id)))
        n = max(1, int(len(ids) * percent / 100))
        renamed = rng.sample(ids, n)
        session.execute(
            sa.update(Listing)
            .where(Listing.id.in_(renamed))  # type: ignore[union-attr]
            .values(title=Listing.title + " (renamed)")
        )
    run, took = await _sync(db, channel, {"use_bulk": False, "fields": ["name"]})
    counters = run.counters
    writes = counters.get("sync_requests", 0)
    done = counters.get("variants_updated", 0) + counters.get("parents_updated", 0)
    print(f"sync, names            {run.status}: {run.summary} in {took:.1f} s")
    print(f"  renamed              {n:,} of {len(ids):,} listings; {done:,} products renamed")
    print(
        f"  sync requests        {writes:,} (API floor {n:,}: one PUT per listing; lookups "
        "of 100 SKUs and of 100 configurable parents by id included)"
    )
    return run.status == "succeeded" and done == n


def main() -> int:
    return channel_sync_main(__doc__ or "", "import_magento.py", 120, bench)


if __name__ == "__main__":
    sys.exit(main())
