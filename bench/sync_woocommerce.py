"""WooCommerce sync_listings after 1% of inventory prices change: write requests vs budget.

    .venv/bin/python bench/sync_woocommerce.py [--size N] [--percent P]

The sandbox runs in its own process (see bench/import_woocommerce.py). The store is set up
as a business would have it: import_listings, inventory for every store SKU (linked on
SKU), a first sync that pushes every rule price. Then P% of inventory items, chosen at
random, get a new cost and sync_listings runs again; the bench counts the write requests.

Budget: ceil(changed / 100) + 1. WooCommerce batches simple products 100 at a time in one
endpoint but variations only per parent (`/products/{id}/variations/batch`; there is no
cross-product variation batch: woocommerce/woocommerce#29341, #31282), so the least any
client can send is ceil(changed simple / 100) + one request per parent with a changed
variation. Both figures are printed.
"""

from __future__ import annotations

import math
import random
import sys
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._common import back_every_listing_sku, change_costs, channel_sync_main  # noqa: E402
from bench.import_woocommerce import run_kind as run_through_engine  # noqa: E402
from bench.import_woocommerce import woo_store  # noqa: E402


async def run_kind(db: Any, channel: Any, kind: str, settings: dict[str, Any]) -> tuple[Any, int]:
    """Run one integration through the engine; (finished run, write requests)."""
    _, finished, transport = await run_through_engine(db, channel, kind, settings)
    writes = transport.total - transport.by_method.get("GET", 0)
    return finished, writes


async def bench(info: dict[str, str], home: Path, percent: float) -> int:
    from store.models import Listing, ListingVariant

    db, channel = woo_store(info, home)
    run, _ = await run_kind(db, channel, "import_listings", {})
    print(f"import                 {run.summary}")
    with db.write() as session:
        skus = back_every_listing_sku(session)
    run, _ = await run_kind(db, channel, "link_listings", {})
    print(f"link                   {run.summary}")
    run, writes = await run_kind(db, channel, "sync_listings", {})
    print(f"first sync             {run.summary}")
    changed = random.Random(7).sample(skus, max(1, int(len(skus) * percent / 100)))
    change_costs(db, changed, "12.34")
    with db.read() as session:
        lv, lst = ListingVariant, Listing
        rows = session.execute(
            sa.select(lv.external_id, lst.external_id)
            .join(lst, lst.id == lv.listing_id)  # type: ignore[arg-type]
            .where(lv.sku.in_(changed))  # type: ignore[attr-defined]
        ).all()
    simple = sum(1 for ext, parent in rows if ext == parent)
    parents = len({parent for ext, parent in rows if ext != parent})
    started = time.perf_counter()
    run, writes = await run_kind(db, channel, "sync_listings", {})
    elapsed = time.perf_counter() - started
    db.dispose()
    budget = math.ceil(len(changed) / 100) + 1
    floor = math.ceil(simple / 100) + parents
    print(f"sync after change      {run.summary} in {elapsed:.1f} s")
    print(
        f"changed                {len(changed):,} of {len(skus):,} variants "
        f"({simple:,} simple products, {len(changed) - simple:,} variations "
        f"under {parents:,} parents)"
    )
    print(f"write requests         {writes:,}")
    print(
        f"API floor              {floor:,} (ceil(simple/100) + one per parent with a "
        f"changed variation) {'MET' if writes <= floor else 'OVER'}"
    )
    print(
        f"budget                 {budget:,} (ceil(changed/100) + 1) "
        f"{'OK' if writes <= budget else 'OVER: see the module docstring'}"
    )
    simple_writes_ok = math.ceil(simple / 100) <= budget
    return 0 if writes <= floor and simple_writes_ok and run.status == "succeeded" else 1


def main() -> int:
    return channel_sync_main(__doc__ or "", "import_woocommerce.py", 30, bench)


if __name__ == "__main__":
    sys.exit(main())
