"""The supplier order flow against a fake supplier: claim first, look before placing, one order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
import sqlalchemy as sa

from connectors.context import RunContext
from connectors.errors import AuthError, FatalError, MappingError
from connectors.flows.supplier_orders import (
    MAX_SEND_ATTEMPTS,
    FoundOrder,
    OrderContents,
    send_requests,
)
from store.commands import fulfillment
from store.commands.fulfillment import RequestSnapshot
from store.commands.setup import ensure_channel, ensure_integration, ensure_source
from store.db import Database
from store.models import (
    FulfillmentLine,
    FulfillmentRequest,
    Integration,
    Order,
    OrderLine,
    Source,
)
from store.models._types import utcnow


class Rejected(FatalError):
    def __init__(self, reason: str, *, duplicate: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.duplicate = duplicate


@dataclass
class FakeSupplier:
    """Keeps its orders by PO; `on_place` decides what one `place` call does."""

    name: str = "Acme"
    po_max_length: int = 30
    orders: dict[str, str] = field(default_factory=dict)
    # What an order holds when it is not the request's (placed by someone else).
    foreign: dict[str, OrderContents] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    on_place: Callable[[str], str] | None = None
    on_plan: Callable[[RequestSnapshot], None] | None = None

    def plan(self, request: RequestSnapshot) -> str:
        self.calls.append("plan")
        if self.on_plan is not None:
            self.on_plan(request)
        if not request.order["customer_email"]:
            raise MappingError(f"PO {request.po_number}", "customer_email is missing")
        return request.po_number

    def contents(self, plan: str) -> OrderContents:
        return OrderContents(lines=[("A", 1)], ship_to={"city": "Boise"})

    async def find_order(self, po_number: str) -> FoundOrder | None:
        self.calls.append("find")
        number = self.orders.get(po_number)
        if number is None:
            return None
        ours = OrderContents(lines=[("a", 1)], ship_to={"city": "BOISE "})
        return FoundOrder(number, self.foreign.get(po_number, ours))

    async def place(self, plan: str) -> str:
        self.calls.append("place")
        if self.on_place is not None:
            return self.on_place(plan)
        return self._accept(plan)

    def _accept(self, po: str) -> str:
        number = f"N{len(self.orders) + 1}"
        self.orders[po] = number
        return number

    def rejection(self, exc: FatalError) -> str | None:
        return exc.reason if isinstance(exc, Rejected) else None

    def duplicate_po(self, exc: FatalError) -> bool:
        return isinstance(exc, Rejected) and exc.duplicate


@dataclass
class Setup:
    db: Database
    ctx: RunContext
    request_id: int

    def request(self) -> FulfillmentRequest:
        with self.db.read() as s:
            row = s.get(FulfillmentRequest, self.request_id)
        assert row is not None
        return row

    def set_request(self, **values: object) -> None:
        with self.db.write() as s:
            s.execute(
                sa.update(FulfillmentRequest)
                .where(FulfillmentRequest.id == self.request_id)  # type: ignore[arg-type]
                .values(**values)
            )


def _setup(db: Database, *, email: str | None = "ada@example.com") -> Setup:
    with db.write() as s:
        channel = ensure_channel(s, name="shop", kind="woocommerce", connection=None)
        source = ensure_source(s, name="acme", kind="acme", connection=None)
        ensure_integration(s, source, "send_orders")
        order = Order(
            channel_id=channel.id or 0,
            external_id="ext-1",
            number="1001",
            status="routed",
            customer_name="Ada",
            customer_email=email,
            shipping_address={"city": "Boise"},
            placed_at=utcnow(),
        )
        s.add(order)
        s.flush()
        request = FulfillmentRequest(
            order_id=order.id or 0, source_id=source.id or 0, po_number="DD1001S1"
        )
        s.add(request)
        s.flush()
        line = OrderLine(
            order_id=order.id or 0, external_id="l1", sku="A", quantity=1, price=Decimal("1")
        )
        s.add(line)
        s.flush()
        s.add(
            FulfillmentLine(
                request_id=request.id or 0, order_line_id=line.id or 0, sku="A", quantity=1
            )
        )
        s.flush()
        assert request.id is not None
        request_id = request.id
        s.execute(sa.update(type(channel)).values(auto_process=True))
    with db.read() as s:
        row = s.scalars(sa.select(Integration)).one()
        owner = s.scalars(sa.select(Source)).one()
    ctx = RunContext(db=db, integration=row, run_id=0, system="acme", owner=owner, connection=None)
    return Setup(db, ctx, request_id)


async def test_places_once_and_a_rerun_sends_nothing(db: Database) -> None:
    setup = _setup(db)
    supplier = FakeSupplier()
    await send_requests(setup.ctx, supplier)
    request = setup.request()
    assert (request.status, request.external_id, request.attempts) == ("sent", "N1", 1)
    assert setup.ctx.counters == {"sent": 1}
    assert supplier.calls == ["plan", "find", "place"]  # looked before placing
    await send_requests(setup.ctx, supplier)
    assert supplier.orders == {"DD1001S1": "N1"} and setup.request().attempts == 1


async def test_claim_lost_to_another_worker_sends_nothing(db: Database) -> None:
    setup = _setup(db)

    def other_worker_finishes_it(_: RequestSnapshot) -> None:
        with db.write() as s:
            fulfillment.mark_sent(s, setup.request_id, "THEIRS")

    supplier = FakeSupplier(on_plan=other_worker_finishes_it)
    await send_requests(setup.ctx, supplier)
    assert supplier.calls == ["plan"]  # no HTTP at all without the claim
    request = setup.request()
    assert (request.status, request.external_id, request.attempts) == ("sent", "THEIRS", 0)
    assert setup.ctx.counters == {}


async def test_po_already_at_the_supplier_is_recorded_not_reordered(db: Database) -> None:
    setup = _setup(db)
    supplier = FakeSupplier(orders={"DD1001S1": "N7"})
    await send_requests(setup.ctx, supplier)
    assert "place" not in supplier.calls
    assert setup.request().external_id == "N7" and setup.request().status == "sent"
    assert setup.ctx.counters == {"reconciled": 1}


async def test_interrupted_send_left_sending_is_reconciled_even_if_unplannable(
    db: Database,
) -> None:
    setup = _setup(db, email=None)
    setup.set_request(status="sending", attempts=1)
    supplier = FakeSupplier(orders={"DD1001S1": "N3"})
    await send_requests(setup.ctx, supplier)
    assert setup.request().status == "sent" and setup.ctx.counters == {"reconciled": 1}


async def test_unplannable_pending_request_fails_before_any_http(db: Database) -> None:
    setup = _setup(db, email=None)
    supplier = FakeSupplier()
    await send_requests(setup.ctx, supplier)
    request = setup.request()
    assert (request.status, request.attempts) == ("failed", 0)
    assert request.last_error == "customer_email is missing"
    assert supplier.calls == ["plan"]


async def test_duplicate_po_rejection_finds_our_order(db: Database) -> None:
    setup = _setup(db)
    supplier = FakeSupplier()

    def taken_meanwhile(po: str) -> str:
        supplier.orders[po] = "N5"  # e.g. an earlier POST that did land
        raise Rejected("po_number has already been taken", duplicate=True)

    supplier.on_place = taken_meanwhile
    await send_requests(setup.ctx, supplier)
    assert supplier.calls == ["plan", "find", "place", "find"]
    request = setup.request()
    assert (request.status, request.external_id) == ("sent", "N5")
    assert setup.ctx.counters == {"reconciled": 1} and len(supplier.orders) == 1


async def test_duplicate_po_rejection_without_an_order_fails_the_request(db: Database) -> None:
    setup = _setup(db)

    def taken(po: str) -> str:
        raise Rejected("po_number has already been taken", duplicate=True)

    await send_requests(setup.ctx, FakeSupplier(on_place=taken))
    request = setup.request()
    assert request.status == "failed"
    assert request.last_error == "Acme: po_number has already been taken"
    assert setup.ctx.record_errors == [
        {"record": "PO DD1001S1", "error": "Acme refused it: po_number has already been taken"}
    ]


async def test_rejection_fails_the_request_with_the_suppliers_reason(db: Database) -> None:
    setup = _setup(db)

    def refuse(po: str) -> str:
        raise Rejected("quantity: Only 2 available")

    await send_requests(setup.ctx, FakeSupplier(on_place=refuse))
    assert setup.request().last_error == "Acme: quantity: Only 2 available"
    assert setup.ctx.counters == {"failed": 1}


async def test_ambiguous_failure_after_post_that_landed_is_marked_sent(db: Database) -> None:
    setup = _setup(db)
    supplier = FakeSupplier()

    def lands_then_drops(po: str) -> str:
        supplier._accept(po)
        raise FatalError("connection dropped after POST")

    supplier.on_place = lands_then_drops
    await send_requests(setup.ctx, supplier)
    request = setup.request()
    assert (request.status, request.external_id) == ("sent", "N1")
    assert setup.ctx.counters == {"sent": 1} and supplier.calls.count("place") == 1


async def test_ambiguous_failure_that_did_not_land_is_left_to_the_next_run(db: Database) -> None:
    setup = _setup(db)
    supplier = FakeSupplier()
    drops = True

    def drop(po: str) -> str:
        if drops:
            raise FatalError("connection dropped after POST")
        return supplier._accept(po)

    supplier.on_place = drop
    await send_requests(setup.ctx, supplier)
    request = setup.request()
    assert request.status == "sending" and request.attempts == 1
    assert setup.ctx.record_errors[0]["error"] == (
        "connection dropped after POST; Acme has no order for it, the next run retries"
    )
    drops = False
    await send_requests(setup.ctx, supplier)
    assert setup.request().status == "sent" and supplier.orders == {"DD1001S1": "N1"}


async def test_ambiguous_failures_give_up_after_the_last_attempt(db: Database) -> None:
    setup = _setup(db)
    setup.set_request(status="sending", attempts=MAX_SEND_ATTEMPTS - 1)

    def drop(po: str) -> str:
        raise FatalError("connection dropped after POST")

    await send_requests(setup.ctx, FakeSupplier(on_place=drop))
    request = setup.request()
    assert (request.status, request.attempts) == ("failed", MAX_SEND_ATTEMPTS)
    assert setup.ctx.record_errors[0]["error"].endswith(
        f"gave up after {MAX_SEND_ATTEMPTS} attempts: resubmit it"
    )


async def test_refused_credentials_keep_the_claim_and_fail_the_run(db: Database) -> None:
    setup = _setup(db)

    def refuse_key(po: str) -> str:
        raise AuthError("401: the key was refused")

    with pytest.raises(AuthError):
        await send_requests(setup.ctx, FakeSupplier(on_place=refuse_key))
    request = setup.request()
    assert request.status == "sending" and request.last_error == "401: the key was refused"


@pytest.mark.parametrize(
    "theirs",
    [
        OrderContents(lines=[("A", 2)], ship_to={"city": "Boise"}),
        OrderContents(lines=[("B", 1)], ship_to={"city": "Boise"}),
        OrderContents(lines=[("A", 1)], ship_to={"city": "Reno"}),
    ],
    ids=["quantity", "sku", "ship-to"],
)
async def test_po_at_the_supplier_with_other_contents_is_refused(
    db: Database, theirs: OrderContents
) -> None:
    setup = _setup(db)
    supplier = FakeSupplier(orders={"DD1001S1": "N9"}, foreign={"DD1001S1": theirs})
    await send_requests(setup.ctx, supplier)
    message = (
        "PO DD1001S1 exists at Acme with other contents (placed by another system?): "
        "not sent, not marked"
    )
    request = setup.request()
    assert (request.status, request.external_id, request.last_error) == ("failed", None, message)
    assert "place" not in supplier.calls and supplier.orders == {"DD1001S1": "N9"}
    assert setup.ctx.record_errors == [{"record": "PO DD1001S1", "error": message}]


async def test_duplicate_po_rejection_with_a_foreign_order_is_refused(db: Database) -> None:
    setup = _setup(db)
    supplier = FakeSupplier()

    def taken_by_another(po: str) -> str:
        supplier.orders[po] = "N5"
        supplier.foreign[po] = OrderContents(lines=[("Z", 3)])
        raise Rejected("po_number has already been taken", duplicate=True)

    supplier.on_place = taken_by_another
    await send_requests(setup.ctx, supplier)
    request = setup.request()
    assert request.status == "failed" and request.external_id is None
    assert request.last_error is not None and "with other contents" in request.last_error


async def test_po_longer_than_the_supplier_takes_fails_before_any_http(db: Database) -> None:
    setup = _setup(db)
    supplier = FakeSupplier(po_max_length=6)
    await send_requests(setup.ctx, supplier)
    request = setup.request()
    assert (request.status, request.attempts) == ("failed", 0)
    assert request.last_error == (
        "the PO number is longer than Acme takes (6 characters); shorten the source's PO prefix"
    )
    assert supplier.calls == []


async def test_attempts_count_sends_not_look_ups_during_an_outage(db: Database) -> None:
    """Runs that only look the PO up (the supplier refuses us, or is out) add no attempt; a
    later ambiguous send still has its full budget of retries."""
    from connectors.errors import RetryBudgetExhausted

    setup = _setup(db)
    outage: list[FatalError] = [
        AuthError("HTTP 401: expired credentials", status=401),
        RetryBudgetExhausted("HTTP 429: too many requests", status=429, attempts=6),
    ] * 6
    supplier = FakeSupplier()

    async def out(po_number: str) -> str | None:
        supplier.calls.append("find")
        raise outage.pop()

    supplier.find_order = out  # type: ignore[method-assign]
    for _ in range(12):
        with pytest.raises((AuthError, RetryBudgetExhausted)):
            await send_requests(setup.ctx, supplier)
    assert "place" not in supplier.calls and supplier.calls.count("find") == 12
    request = setup.request()
    assert (request.status, request.attempts) == ("sending", 0)
    # The outage ends; the send drops after POST and left no order: retried, not given up.
    del supplier.find_order

    def drop(po: str) -> str:
        raise FatalError("connection dropped after POST")

    supplier.on_place = drop
    await send_requests(setup.ctx, supplier)
    request = setup.request()
    assert (request.status, request.attempts) == ("sending", 1)
    supplier.on_place = None
    await send_requests(setup.ctx, supplier)
    request = setup.request()
    assert (request.status, request.attempts) == ("sent", 2)
    assert supplier.calls.count("place") == 2 and supplier.orders == {"DD1001S1": "N1"}
