"""What the connector benches share: a sandbox served from a child process, and peak RSS.

The sandbox runs in its own process so its catalogue counts neither towards the bench's
RSS nor its GIL. The child prints one JSON line (base URL and credentials) and serves until
the parent closes its stdin.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any


def serve_until_stdin_closes(
    app: Any, credentials: dict[str, str], configure: Callable[[str], None] | None = None
) -> None:
    """Child process: serve `app`, `configure(base_url)` it, print its JSON line, wait."""
    from connectors.sandboxing.serve import serve

    server = serve(app)
    if configure is not None:
        configure(server.base_url)
    print(json.dumps({"base_url": server.base_url, **credentials}), flush=True)
    sys.stdin.read()  # until the parent closes our stdin
    server.stop()


@contextmanager
def sandbox_child(
    args: list[str], *, wait_seconds: float, cwd: Path | None = None
) -> Iterator[dict[str, str]]:
    """Start `python ARGS` (a bench in its serve mode); yield its JSON line; stop it after."""
    child = subprocess.Popen(
        [sys.executable, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=cwd,
    )
    try:
        assert child.stdout is not None
        yield json.loads(child.stdout.readline())
    finally:
        if child.stdin is not None:
            child.stdin.close()
        child.wait(timeout=wait_seconds)


def peak_rss_mb() -> float:
    """This process's peak resident set so far, in MB (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def run_source_inventory(
    system: str,
    base_url: str,
    secrets: dict[str, str],
    settings: dict[str, Any],
    home: Path,
    sku_prefix: str,
) -> tuple[float, dict[str, int]]:
    """`system`'s get_inventory into a fresh SQLite store in `home`; (seconds, counters).

    The run goes through the same context a worker builds (load_context), without the
    worker's polling, so the seconds are the operation's own.
    """
    import importlib

    from connectors.context import ClientPool
    from connectors.registry import get_operation
    from console.runtime.runs import load_context
    from store.commands.runs import queue_run
    from store.commands.setup import ensure_integration, ensure_source, save_connection
    from store.crypto import SecretBox
    from store.db import open_database
    from store.models.runtime import RunTrigger
    from store.settings import StoreSettings

    importlib.import_module(f"connectors.{system}.operations")  # registers the operations
    db = open_database(StoreSettings(home=home, database_url=f"sqlite:///{home / 'bench.db'}"))
    with db.write() as session:
        conn = save_connection(
            session,
            SecretBox(home),
            name=f"{system}-bench",
            system=system,
            base_url=base_url,
            secrets=secrets,
        )
        source = ensure_source(
            session, name=system, kind=system, connection=conn, sku_prefix=sku_prefix
        )
        integration = ensure_integration(session, source, "get_inventory", settings=settings)
        run = queue_run(session, integration.id or 0, RunTrigger.MANUAL)
    clients = ClientPool()
    ctx, problem = load_context(db, run, clients)
    assert ctx is not None, problem
    started = time.perf_counter()
    await get_operation(system, "get_inventory")(ctx)
    elapsed = time.perf_counter() - started
    await clients.aclose()
    db.dispose()
    return elapsed, dict(ctx.counters)


def back_every_listing_sku(session: Any, cost: str = "10.00") -> list[str]:
    """A source (`wps`) holding every listing variant's SKU, 20 in stock at `cost`, in one
    insert; the SKUs, sorted (channel sync benches)."""
    import sqlalchemy as sa

    from store.models import InventoryItem, ListingVariant, Source

    source = Source(name="wps", kind="wps")
    session.add(source)
    session.flush()
    skus = sorted(session.scalars(sa.select(ListingVariant.sku)))
    session.execute(
        sa.insert(InventoryItem),
        [
            {
                "source_id": source.id,
                "sku": s,
                "master_sku": s,
                "parent_sku": s,
                "cost": Decimal(cost),
                "quantity": 20,
            }
            for s in skus
        ],
    )
    return skus


def change_costs(db: Any, skus: list[str], cost: str) -> None:
    """Set the supplier cost of `skus` in one statement (what a PQS run would change)."""
    import sqlalchemy as sa

    from store.models import InventoryItem

    with db.write() as session:
        session.execute(
            sa.update(InventoryItem)
            .where(InventoryItem.sku.in_(skus))  # type: ignore[attr-defined]
            .values(cost=Decimal(cost))
        )


def channel_sync_main(
    doc: str,
    import_script: str,
    wait_seconds: float,
    bench: Callable[[dict[str, str], Path, float], Awaitable[int]],
) -> int:
    """A channel sync bench's command line: `--size` products served by `import_script`'s
    sandbox in a child process, `--percent` of prices changed, `bench` run in a fresh home."""
    import argparse
    import asyncio
    import os
    import tempfile

    from console.runtime.process import tune_for_jobs

    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000, help="products in the sandbox")
    parser.add_argument("--percent", type=float, default=1.0, help="share of prices changed")
    args = parser.parse_args()
    tune_for_jobs()  # as every dropdeck process does at start
    serve = [str(Path(__file__).parent / import_script), "--serve", str(args.size)]
    with (
        sandbox_child(serve, wait_seconds=wait_seconds) as info,
        tempfile.TemporaryDirectory() as tmp,
    ):
        os.environ["DROPDECK_HOME"] = tmp
        return asyncio.run(bench(info, Path(tmp), args.percent))
