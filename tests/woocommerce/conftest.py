"""WooCommerce operations against the sandbox over real HTTP, run by the real job engine.

`woo` serves a fresh sandbox on 127.0.0.1; `shop` wires a business to it (connection with
sealed keys, channel, integrations) and `shop.run(kind)` queues a run, claims it and
executes it through `console.runtime.runs.execute`: the same path a worker takes, so
counters, summaries and pausing on `AuthError` are the engine's own.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from connectors.context import ClientPool
from connectors.registry import load_operations
from connectors.sandboxing import BuiltSandbox
from connectors.sandboxing.serve import RunningServer, serve
from connectors.woocommerce.sandbox import build
from console.runtime.runs import ActiveRun, claim, execute
from console.runtime.settings import RuntimeSettings
from store.commands.runs import queue_run
from store.commands.setup import ensure_channel, ensure_integration, save_connection
from store.crypto import SecretBox
from store.db import Database
from store.models import Channel, Integration, InventoryItem, JobRun, ListingVariant, Source
from store.models.runtime import RunTrigger

SETTINGS = RuntimeSettings(lease_seconds=60.0)
load_operations(["woocommerce"])


@dataclass
class Woo:
    sandbox: BuiltSandbox
    server: RunningServer

    @property
    def url(self) -> str:
        return self.server.base_url

    def control(self, method: str, path: str, **kw: Any) -> Any:
        r = httpx.request(method, f"{self.url}/_sandbox/{path}", timeout=10, **kw)
        assert r.is_success, r.text
        return r.json()

    def faults(self, **changes: Any) -> None:
        self.sandbox.faults.update(changes)

    @property
    def state(self) -> Any:
        return self.sandbox.state


@pytest.fixture
def woo() -> Iterator[Woo]:
    sandbox = build(seed=5, size=40)
    server = serve(sandbox.app)
    yield Woo(sandbox, server)
    server.stop()


@dataclass
class Shop:
    db: Database
    woo: Woo
    sleeps: list[float] = field(default_factory=list)
    channel_id: int = 0

    async def _sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)  # honoured, not waited: tests of backoff run instantly

    def integrate(self, kind: str, **settings: Any) -> int:
        with self.db.write() as session:
            channel = session.get_one(Channel, self.channel_id)
            integration = ensure_integration(session, channel, kind, settings=settings)
            integration.paused_reason = None
            return integration.id or 0

    async def run(self, kind: str, **settings: Any) -> JobRun:
        """Run the channel's `kind` integration once, with these settings."""
        iid = self.integrate(kind, **settings)
        with self.db.write() as session:
            run_id = queue_run(session, iid, RunTrigger.MANUAL).id or 0
        claimed = claim(self.db, "test-worker", SETTINGS)
        assert claimed is not None and claimed.id == run_id
        clients = ClientPool(sleep=self._sleep)
        try:
            await execute(
                self.db,
                ActiveRun(run_id, iid),
                claimed,
                worker_id="test-worker",
                clients=clients,
                settings=SETTINGS,
            )
        finally:
            await clients.aclose()
        with self.db.read() as session:
            return session.get_one(JobRun, run_id)

    def integration(self, kind: str) -> Integration:
        with self.db.read() as session:
            return session.scalars(sa.select(Integration).where(Integration.kind == kind)).one()

    def variants(self) -> dict[str, ListingVariant]:
        with self.db.read() as session:
            rows = session.scalars(
                sa.select(ListingVariant).where(ListingVariant.channel_id == self.channel_id)
            )
            return {v.sku: v for v in rows}

    def add_inventory(self, rows: list[dict[str, Any]]) -> None:
        with self.db.write() as session:
            source = session.scalars(sa.select(Source).where(Source.name == "wps")).first()
            if source is None:
                source = Source(name="wps", kind="wps")
                session.add(source)
                session.flush()
            for row in rows:
                session.add(
                    InventoryItem(
                        source_id=source.id or 0,
                        master_sku=row.get("master_sku", row["sku"]),
                        parent_sku=row.get("parent_sku", row["sku"]),
                        quantity=row.get("quantity", 10),
                        cost=Decimal(str(row.get("cost", "10.00"))),
                        **{k: v for k, v in row.items() if k in ("sku", "upc")},
                    )
                )


def make_shop(db: Database, woo: Woo, *, url: str | None = None) -> Shop:
    creds = woo.sandbox.credentials
    with db.write() as session:
        conn = save_connection(
            session,
            SecretBox(db.settings.home),
            name="woo-conn",
            system="woocommerce",
            base_url=url or woo.url,
            secrets=dict(creds),
        )
        channel = ensure_channel(session, name="woo-demo", kind="woocommerce", connection=conn)
        cid = channel.id or 0
    return Shop(db, woo, channel_id=cid)


@pytest.fixture
def shop(db: Database, woo: Woo) -> Shop:
    # Plain http on 127.0.0.1 as the demo runs it: only OAuth 1.0a is accepted there.
    woo.control("PUT", "settings", json={"assume_https": False})
    return make_shop(db, woo)


@pytest.fixture
def sqlite_shop(sqlite_db: Database, woo: Woo) -> Shop:
    woo.control("PUT", "settings", json={"assume_https": False})
    return make_shop(sqlite_db, woo)
