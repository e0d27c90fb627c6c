"""What the supplier test packages share: a source sandbox served over real HTTP, wired to a
source in the store, and orders routed whole to it (tests/wps, tests/usdirect)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar, Self

import httpx
from starlette.types import ASGIApp

from connectors.sandboxing import BuiltSandbox
from connectors.sandboxing.serve import RunningServer, serve
from store.commands.routing import po_number
from store.commands.setup import ensure_channel, ensure_integration, ensure_source, save_connection
from store.crypto import SecretBox
from store.db import Database
from store.models import FulfillmentLine, FulfillmentRequest, Order, OrderLine, Source
from store.models._types import utcnow


@dataclass
class ServedSource:
    """The served sandbox and a source of `SYSTEM` wired to it in the store."""

    SYSTEM: ClassVar[str]
    SKU_PREFIX: ClassVar[str]
    METHOD: ClassVar[str]  # the shipping method orders carry unless a test names one
    ADDRESS: ClassVar[Mapping[str, str]]  # the ship-to beside the customer's name
    SHIPPING_TEXT: ClassVar[str] = ""

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

    def faults(self, **changes: Any) -> None:
        self.control.put("/_sandbox/faults", json=changes).raise_for_status()

    def order(
        self,
        lines: list[tuple[str, int]],
        *,
        number: str = "1001",
        method: str | None = None,
        address: dict[str, Any] | None = None,
        email: str | None = "ada@example.com",
        auto_process: bool = True,
        customer: tuple[str, str] = ("Ada", "Lovelace"),
    ) -> int:
        """An order routed whole to this source; returns the fulfillment request id."""
        if address is None:
            address = {"first_name": customer[0], "last_name": customer[1], **self.ADDRESS}
        with self.db.write() as session:
            channel = ensure_channel(
                session, name="shop", kind="woocommerce", connection=None, auto_process=auto_process
            )
            order = Order(
                channel_id=channel.id or 0,
                external_id=f"ext-{number}",
                number=number,
                status="routed",
                customer_name=" ".join(customer),
                customer_email=email,
                shipping_address=dict(address),
                shipping_text=self.SHIPPING_TEXT,
                placed_at=utcnow(),
            )
            session.add(order)
            session.flush()
            request = FulfillmentRequest(
                order_id=order.id or 0,
                source_id=self.source_id,
                po_number=po_number(session, order, self.source_id),
                shipping_method=self.METHOD if method is None else method,
                shipping_address=dict(order.shipping_address),
            )
            session.add(request)
            session.flush()
            for i, (sku, qty) in enumerate(lines):
                line = OrderLine(
                    order_id=order.id or 0,
                    external_id=f"{number}-{i}",
                    sku=f"{self.SKU_PREFIX}{sku}",
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

    def order_of(self, request_id: int) -> Order:
        with self.db.read() as session:
            row = session.get(Order, self.request(request_id).order_id)
        assert row is not None
        return row

    @classmethod
    def wire(
        cls,
        db: Database,
        sandbox: BuiltSandbox,
        server: RunningServer,
        control: httpx.Client,
        secrets: dict[str, str],
    ) -> Self:
        """A source named after `SYSTEM` in `db` on the served sandbox (several stores may
        share one account)."""
        with db.write() as session:
            conn = save_connection(
                session,
                SecretBox(db.settings.home),
                name=f"{cls.SYSTEM}-conn",
                system=cls.SYSTEM,
                base_url=server.base_url,
                secrets=secrets,
            )
            source = ensure_source(
                session,
                name=cls.SYSTEM,
                kind=cls.SYSTEM,
                connection=conn,
                sku_prefix=cls.SKU_PREFIX,
            )
            assert source.id is not None
            source_id = source.id
        return cls(db, sandbox, server, source_id, control)

    @classmethod
    def served(
        cls,
        db: Database,
        sandbox: BuiltSandbox,
        secrets: Callable[[str], dict[str, str]],
        wrap: Callable[[ASGIApp], ASGIApp] | None = None,
    ) -> Iterator[Self]:
        """Serve `sandbox` (behind `wrap`, what a network in between might do), wire a
        source with `secrets(base_url)`, yield it, stop the server after."""
        server = serve(wrap(sandbox.app) if wrap else sandbox.app)
        control = httpx.Client(base_url=server.base_url)
        try:
            yield cls.wire(db, sandbox, server, control, secrets(server.base_url))
        finally:
            control.close()
            server.stop()
