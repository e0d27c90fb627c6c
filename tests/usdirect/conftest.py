"""US Direct fixtures: the sandbox served over real HTTP and a US Direct source in the store."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import pytest
from starlette.types import ASGIApp

import connectors.usdirect.operations  # noqa: F401  (registers the usdirect operations)
from connectors.sandboxing import BuiltSandbox
from connectors.sandboxing.serve import RunningServer, serve
from connectors.usdirect.sandbox import build
from store.commands.routing import po_number
from store.commands.setup import ensure_channel, ensure_integration, ensure_source, save_connection
from store.crypto import SecretBox
from store.db import Database
from store.models import FulfillmentLine, FulfillmentRequest, Order, OrderLine, Source
from store.models._types import utcnow

ADDRESS = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "address_1": "1 Main St",
    "city": "Boise",
    "state": "ID",
    "postcode": "83702",
    "country": "US",
}


@dataclass
class UsDirect:
    """The served sandbox and a US Direct source wired to it in the store."""

    db: Database
    sandbox: BuiltSandbox
    server: RunningServer
    source_id: int
    control: httpx.Client

    @property
    def state(self) -> Any:
        return self.sandbox.state

    def integration(self, kind: str, settings: dict[str, Any] | None = None) -> int:
        with self.db.write() as session:
            source = session.get(Source, self.source_id)
            assert source is not None
            row = ensure_integration(session, source, kind, settings=settings)
            assert row.id is not None
            return row.id

    def settings(self, **changes: Any) -> None:
        self.control.put("/_sandbox/settings", json=changes).raise_for_status()

    def faults(self, **changes: Any) -> None:
        self.control.put("/_sandbox/faults", json=changes).raise_for_status()

    def order(
        self,
        lines: list[tuple[str, int]],
        *,
        number: str = "1001",
        method: str | None = "UPS-GND",
        address: dict[str, Any] | None = None,
    ) -> int:
        """An order routed whole to this source; returns the fulfillment request id."""
        with self.db.write() as session:
            channel = ensure_channel(
                session, name="shop", kind="woocommerce", connection=None, auto_process=True
            )
            order = Order(
                channel_id=channel.id or 0,
                external_id=f"ext-{number}",
                number=number,
                status="routed",
                customer_name="Ada Lovelace",
                customer_email="ada@example.com",
                shipping_address=dict(ADDRESS if address is None else address),
                placed_at=utcnow(),
            )
            session.add(order)
            session.flush()
            request = FulfillmentRequest(
                order_id=order.id or 0,
                source_id=self.source_id,
                po_number=po_number(session, order, self.source_id),
                shipping_method=method,
                shipping_address=dict(order.shipping_address),
            )
            session.add(request)
            session.flush()
            for i, (sku, qty) in enumerate(lines):
                line = OrderLine(
                    order_id=order.id or 0,
                    external_id=f"{number}-{i}",
                    sku=f"USD-{sku}",
                    quantity=qty,
                    price=Decimal("10.00"),
                )
                session.add(line)
                session.flush()
                session.add(
                    FulfillmentLine(
                        request_id=request.id or 0,
                        order_line_id=line.id or 0,
                        sku=sku,
                        quantity=qty,
                    )
                )
            assert request.id is not None
            return request.id

    def request(self, request_id: int) -> FulfillmentRequest:
        with self.db.read() as session:
            row = session.get(FulfillmentRequest, request_id)
        assert row is not None
        return row


def serve_usdirect(
    db: Database,
    *,
    seed: int = 3,
    size: int = 120,
    wrap: Callable[[ASGIApp], ASGIApp] | None = None,
) -> Iterator[UsDirect]:
    """A served sandbox and a `usdirect` source (prefix USD-) with the sandbox's secrets;
    `wrap` puts a middleware in front of the sandbox (what a network in between might do)."""
    sandbox = build(seed=seed, size=size)
    sandbox.state.settings.requests_per_second = 1000  # the limit has its own sandbox test
    server = serve(wrap(sandbox.app) if wrap else sandbox.app)
    control = httpx.Client(base_url=server.base_url)
    secrets = {k: v.replace("{base_url}", server.base_url) for k, v in sandbox.credentials.items()}
    try:
        with db.write() as session:
            conn = save_connection(
                session,
                SecretBox(db.settings.home),
                name="usdirect-conn",
                system="usdirect",
                base_url=server.base_url,
                secrets=secrets,
            )
            source = ensure_source(
                session, name="usdirect", kind="usdirect", connection=conn, sku_prefix="USD-"
            )
            assert source.id is not None
            source_id = source.id
        yield UsDirect(db, sandbox, server, source_id, control)
    finally:
        control.close()
        server.stop()


@pytest.fixture
def usd(db: Database) -> Iterator[UsDirect]:
    yield from serve_usdirect(db)


@pytest.fixture
def usd_sqlite(sqlite_db: Database) -> Iterator[UsDirect]:
    yield from serve_usdirect(sqlite_db)
