"""Magento operations against the sandbox over real HTTP, run by the real job engine.

`mag` serves a fresh Magento sandbox on 127.0.0.1; `shop` wires a business to it
(connection with the sealed access token, channel `mag-demo`) and `shop.run(kind)` queues
a run, claims it and executes it as a worker does.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from connectors.context import ClientPool
from connectors.magento.sandbox import build
from connectors.registry import load_operations
from connectors.sandboxing import BuiltSandbox
from connectors.sandboxing.serve import RunningServer, serve
from console.runtime.runs import ActiveRun, claim, execute
from console.runtime.settings import RuntimeSettings
from store.commands.runs import queue_run
from store.commands.setup import ensure_channel, ensure_integration, save_connection
from store.crypto import SecretBox
from store.db import Database
from store.models import Channel, InventoryItem, JobRun, ShippingMapping, Source
from store.models.runtime import RunTrigger

SETTINGS = RuntimeSettings(lease_seconds=60.0)
load_operations(["magento"])


@dataclass
class Mag:
    sandbox: BuiltSandbox
    server: RunningServer

    @property
    def url(self) -> str:
        return self.server.base_url

    def control(self, method: str, path: str, **kw: Any) -> Any:
        r = httpx.request(method, f"{self.url}/_sandbox/{path}", timeout=10, **kw)
        assert r.is_success, r.text
        return r.json()

    def api(self, method: str, path: str, **kw: Any) -> httpx.Response:
        token = self.sandbox.credentials["access_token"]
        return httpx.request(
            method,
            f"{self.url}/rest/V1/{path}",
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
            **kw,
        )

    @property
    def state(self) -> Any:
        return self.sandbox.state


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


@pytest.fixture
def images() -> Iterator[RunningServer]:
    """An image host on 127.0.0.1: `/img/<name>` is a small PNG, anything else 404."""

    async def image(request: Request) -> Response:
        return Response(PNG, media_type="image/png")

    server = serve(Starlette(routes=[Route("/img/{name:str}", image)]))
    yield server
    server.stop()


@pytest.fixture
def mag() -> Iterator[Mag]:
    sandbox = build(seed=6, size=40)
    server = serve(sandbox.app)
    yield Mag(sandbox, server)
    server.stop()


@dataclass
class Shop:
    db: Database
    mag: Mag
    channel_id: int = 0

    async def _sleep(self, seconds: float) -> None:
        return None  # backoff honoured, not waited

    async def run(self, kind: str, **settings: Any) -> JobRun:
        """Run the channel's `kind` integration once, with these settings."""
        with self.db.write() as session:
            channel = session.get_one(Channel, self.channel_id)
            integration = ensure_integration(session, channel, kind, settings=settings)
            integration.paused_reason = None
            iid = integration.id or 0
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

    def map_shipping(self, key: str, policy: str = "standard") -> None:
        with self.db.write() as session:
            session.add(
                ShippingMapping(scope="channel", owner_id=self.channel_id, key=key, value=policy)
            )

    def add_inventory(self, skus: list[str], quantity: int = 50) -> None:
        with self.db.write() as session:
            source = session.scalars(sa.select(Source).where(Source.name == "wps")).first()
            if source is None:
                source = Source(name="wps", kind="wps")
                session.add(source)
                session.flush()
            for sku in skus:
                session.add(
                    InventoryItem(
                        source_id=source.id or 0,
                        master_sku=sku,
                        parent_sku=sku,
                        sku=sku,
                        quantity=quantity,
                        cost=Decimal("10.00"),
                    )
                )


@pytest.fixture
def shop(db: Database, mag: Mag) -> Shop:
    with db.write() as session:
        conn = save_connection(
            session,
            SecretBox(db.settings.home),
            name="mag-conn",
            system="magento",
            base_url=mag.url,
            secrets=dict(mag.sandbox.credentials),
        )
        channel = ensure_channel(session, name="mag-demo", kind="magento", connection=conn)
        cid = channel.id or 0
    return Shop(db, mag, channel_id=cid)
