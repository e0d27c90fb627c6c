"""The shared channel flows against a real store, with small fake channels behind the protocols.

The fakes stand in for a channel's API only; the writes are the store's own commands.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
import structlog
from sqlmodel import Session

from connectors.context import RunContext
from connectors.errors import FatalError, MappingError
from connectors.flows.catalogue import CataloguePage, import_catalogue, walk_catalogue
from connectors.flows.orders import OrderRows, import_orders
from connectors.flows.shipments import push_shipments
from connectors.paging import Page, PaginationLoop, Token
from store.commands.setup import ensure_channel, ensure_integration
from store.commands.shipment_push import ShipmentPush
from store.db import Database
from store.models import (
    Channel,
    FulfillmentRequest,
    Listing,
    ListingVariant,
    Order,
    OrderLine,
    Shipment,
    ShipmentLine,
    Source,
)
from store.models.orders import OrderStatus

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def context(db: Database, kind: str, schedule_type: str = "manual") -> RunContext:
    with db.write() as session:
        channel = session.scalars(sa.select(Channel)).first()
        if channel is None:
            channel = ensure_channel(session, name="shop", kind="woocommerce", connection=None)
        integration = ensure_integration(
            session, channel, kind, settings={}, schedule_type=schedule_type
        )
        session.expunge(integration)
        session.expunge(channel)
    return RunContext(
        db=db, integration=integration, run_id=1, system="test", owner=channel, connection=None
    )


# --- catalogue ---------------------------------------------------------------------------------


def product(sku: str, *children: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    listing = {"master_sku": sku, "external_id": f"p-{sku}", "title": sku, "description": ""}
    rows = [
        {"sku": child, "external_id": f"v-{child}", "title": child, "price": Decimal("5.00")}
        for child in children or (sku,)
    ]
    return listing, rows


class FakeCatalogue:
    """Three pages of products; page 2 holds one product the channel's mapping refuses."""

    first_page: Token = "start"

    def __init__(self, events: list[str], loop_back: bool = False) -> None:
        self.events = events
        self.loop_back = loop_back
        self.pages: dict[Token, tuple[list[tuple[dict[str, Any], list[dict[str, Any]]]], Token]]
        self.pages = {
            "start": ([product("A", "A-1", "A-2"), product("B")], "c2"),
            "c2": ([product("C")], "start" if loop_back else "c3"),
            "c3": ([product("D", "D-1")], None),
        }

    async def catalogue_page(self, token: Token) -> CataloguePage:
        self.events.append(f"fetch {token}")
        products, next_token = self.pages[token]
        page = CataloguePage(
            records=len(products) + (token == "c2"), total=5, next_token=next_token
        )
        for listing, rows in products:
            page.listings.append(listing)
            page.variants[listing["master_sku"]] = rows
        if token == "c2":
            page.errors.append(MappingError("product 77 (SKU BAD)", "price 'x' is not a price"))
        return page


async def test_import_catalogue_writes_every_page_counts_and_records_the_bad_product(
    db: Database,
) -> None:
    ctx = context(db, "import_listings")
    await import_catalogue(ctx, FakeCatalogue([]), overwrite=False, new_paused=True)
    with db.read() as session:
        variants = {v.sku: v for v in session.scalars(sa.select(ListingVariant))}
        parents = set(session.scalars(sa.select(Listing.master_sku)))
    assert sorted(variants) == ["A-1", "A-2", "B", "C", "D-1"]
    assert parents == {"A", "B", "C", "D"}
    assert all(v.paused and v.external_id == f"v-{v.sku}" for v in variants.values())
    assert ctx.counters == {"parents_created": 4, "variants_created": 5, "failed": 1}
    assert [e["record"] for e in ctx.record_errors] == ["product 77 (SKU BAD)"]
    assert (ctx.progress_done, ctx.progress_total) == (5, 5)
    # Again: nothing new, the existing variants are counted as skipped (create only).
    again = context(db, "import_listings")
    await import_catalogue(again, FakeCatalogue([]), overwrite=False, new_paused=True)
    assert again.counters == {"skipped": 5, "failed": 1}


async def test_the_walk_fetches_the_next_pages_while_a_page_is_written(db: Database) -> None:
    events: list[str] = []

    def slow_write(
        session: Session, owner_id: int, listings: list[dict[str, Any]], variants: Any
    ) -> dict[str, int]:
        events.append(f"write {listings[0]['master_sku']}")
        time.sleep(0.2)  # a slow transaction; the fetcher should not wait for it
        events.append(f"written {listings[0]['master_sku']}")
        return {"pages": 1}

    ctx = context(db, "import_listings")
    await walk_catalogue(ctx, FakeCatalogue(events), slow_write)
    assert events.index("fetch c2") < events.index("written A")
    assert events.index("fetch c3") < events.index("written A")
    writes = [e for e in events if e.startswith("write ")]
    assert writes == ["write A", "write C", "write D"]  # in page order
    assert ctx.counters == {"pages": 3, "failed": 1}


async def test_a_catalogue_that_loops_back_fails_the_run_after_writing_what_it_had(
    db: Database,
) -> None:
    ctx = context(db, "import_listings")
    with pytest.raises(PaginationLoop):
        await import_catalogue(
            ctx, FakeCatalogue([], loop_back=True), overwrite=False, new_paused=False
        )
    with db.read() as session:
        assert set(session.scalars(sa.select(Listing.master_sku))) == {"A", "B", "C"}


async def test_a_scheduled_import_still_runs_and_warns(db: Database) -> None:
    ctx = context(db, "import_listings", schedule_type="interval")
    await import_catalogue(ctx, FakeCatalogue([]), overwrite=False, new_paused=False)
    assert ctx.counters["variants_created"] == 5


# --- orders ------------------------------------------------------------------------------------


class FakeOrders:
    first_page: Token = 1

    def __init__(self, pages: list[list[dict[str, Any]]]) -> None:
        self.pages = pages

    async def orders_page(self, token: Token) -> Page[dict[str, Any]]:
        number = int(str(token))
        items = self.pages[number - 1]
        nxt = number + 1 if number < len(self.pages) else None
        return Page(items=items, next_token=nxt, total=sum(len(p) for p in self.pages))

    def map_order(self, order: dict[str, Any]) -> OrderRows:
        if "sku" not in order:
            raise MappingError(f"order {order['id']}", "has no line items")
        row = {
            "external_id": str(order["id"]),
            "number": f"#{order['id']}",
            "shipping_text": "Flat Rate",
            "placed_at": NOW,
        }
        line = {"external_id": f"{order['id']}-1", "sku": order["sku"], "quantity": 1}
        return row, [line]


async def test_get_orders_writes_pages_holds_unmapped_shipping_and_is_idempotent(
    db: Database,
) -> None:
    pages = [[{"id": 1, "sku": "A"}, {"id": 2}], [{"id": 3, "sku": "B"}]]
    ctx = context(db, "get_orders")
    with structlog.testing.capture_logs() as logs:
        await import_orders(ctx, FakeOrders(pages))
    assert ctx.counters == {"orders_created": 2, "orders_held": 2, "failed": 1}
    held = [e for e in logs if e["event"] == "order.held"]
    assert [(e["order"], e["log_level"]) for e in held] == [("#1", "warning"), ("#3", "warning")]
    assert "order #1 on shop held: Missing shipping mapping 'flat_rate'" in held[0]["message"]
    assert [e["record"] for e in ctx.record_errors] == ["order 2"]
    assert (ctx.progress_done, ctx.progress_total) == (3, 3)
    with db.read() as session:
        orders = session.scalars(sa.select(Order).order_by(Order.id)).all()  # type: ignore[arg-type]
    assert [(o.external_id, o.status) for o in orders] == [("1", "on_hold"), ("3", "on_hold")]
    assert all("Missing shipping mapping 'flat_rate'" in (o.hold_reason or "") for o in orders)
    again = context(db, "get_orders")
    with structlog.testing.capture_logs() as logs:
        await import_orders(again, FakeOrders(pages))
    # Tried again and still held for the same reason: not news, neither counted nor warned.
    assert again.counters == {"skipped": 2, "failed": 1}
    assert not [e for e in logs if e["event"] == "order.held"]
    with db.read() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Order)) == 2


# --- shipments ---------------------------------------------------------------------------------


class FakeTarget:
    """Records what would be pushed; `on_channel` is what the channel already shows."""

    def __init__(self, on_channel: set[str] = frozenset(), refuse: set[str] = frozenset()) -> None:  # type: ignore[assignment]
        self.on_channel = set(on_channel)
        self.refuse = set(refuse)
        self.pushed: list[tuple[str, str, list[tuple[str, int, str | None]]]] = []
        self.looked: list[str] = []
        self.completed: list[str] = []

    async def already_pushed(self, push: ShipmentPush) -> bool:
        self.looked.append(push.tracking_number)
        return push.tracking_number in self.on_channel

    async def push_shipment(self, push: ShipmentPush) -> None:
        if push.tracking_number in self.refuse:
            raise FatalError("the channel refused it: invalid tracking")
        lines = [(ln.sku, ln.quantity, ln.line_external_id) for ln in push.lines]
        self.pushed.append((push.order_external_id, push.tracking_number, lines))
        self.on_channel.add(push.tracking_number)

    async def complete_order(self, order_external_id: str) -> None:
        self.completed.append(order_external_id)


def shipped_orders(db: Database) -> None:
    """Order 101: two lines shipped in two shipments (one uncertain); order 102: one of two
    units shipped; order 103: shipped, but its push will be refused."""
    with db.write() as session:
        channel = session.scalars(sa.select(Channel)).one()
        source = Source(name="wps", kind="wps")
        session.add(source)
        session.flush()
        for ext, quantities, shipments in (
            (
                "101",
                {"A": 1, "B": 2},
                [("TRK-1", {"A": 1}, None), ("TRK-2", {"B": 2}, "timed out")],
            ),
            ("102", {"C": 2}, [("TRK-3", {"C": 1}, None)]),
            ("103", {"D": 1}, [("REFUSED", {"D": 1}, None)]),
        ):
            order = Order(
                channel_id=channel.id or 0,
                external_id=ext,
                number=f"#{ext}",
                status=OrderStatus.SHIPPED.value,
                placed_at=NOW,
            )
            session.add(order)
            session.flush()
            lines = {}
            for sku, qty in quantities.items():
                line = OrderLine(
                    order_id=order.id or 0, external_id=f"{ext}-{sku}", sku=sku, quantity=qty
                )
                session.add(line)
                session.flush()
                lines[sku] = line
            request = FulfillmentRequest(
                order_id=order.id or 0, source_id=source.id or 0, po_number=f"PO{ext}"
            )
            session.add(request)
            session.flush()
            for tracking, shipped, sync_error in shipments:
                shipment = Shipment(
                    source_id=source.id or 0,
                    order_id=order.id or 0,
                    request_id=request.id or 0,
                    external_id=tracking,
                    carrier="OnTrac",  # any carrier: only length and characters are checked
                    tracking_number=tracking,
                    shipped_at=NOW,
                    sync_error=sync_error,
                )
                session.add(shipment)
                session.flush()
                for sku, qty in shipped.items():
                    session.add(
                        ShipmentLine(
                            shipment_id=shipment.id or 0,
                            order_line_id=lines[sku].id,
                            sku=sku,
                            quantity=qty,
                        )
                    )


async def test_shipments_are_pushed_once_looked_for_when_uncertain_and_orders_completed(
    db: Database,
) -> None:
    context(db, "sync_orders")
    shipped_orders(db)
    # TRK-2 failed earlier in a way that may have reached the channel, and it did.
    target = FakeTarget(on_channel={"TRK-2"}, refuse={"REFUSED"})
    ctx = context(db, "sync_orders")
    await push_shipments(ctx, target, complete_when_shipped=True)
    assert target.pushed == [
        ("101", "TRK-1", [("A", 1, "101-A")]),
        ("102", "TRK-3", [("C", 1, "102-C")]),
    ]
    assert target.looked == ["TRK-2"]  # only the uncertain one was looked for
    assert ctx.counters == {
        "shipments_synced": 3,  # TRK-2 included: it is on the channel
        "already_on_store": 1,
        "orders_completed": 1,
        "failed": 1,
    }
    assert target.completed == ["101"]  # 102 is partly shipped; 103's push failed
    assert [(e["record"], e["error"]) for e in ctx.record_errors] == [
        ("order #103 shipment REFUSED", "the channel refused it: invalid tracking")
    ]
    with db.read() as session:
        synced = dict(
            session.execute(sa.select(Shipment.tracking_number, Shipment.synced_at)).all()
        )
        errors = dict(
            session.execute(sa.select(Shipment.tracking_number, Shipment.sync_error)).all()
        )
        status = dict(session.execute(sa.select(Order.external_id, Order.status)).all())
    assert {t for t, at in synced.items() if at is not None} == {"TRK-1", "TRK-2", "TRK-3"}
    assert errors["REFUSED"] == "the channel refused it: invalid tracking"
    assert status["101"] == OrderStatus.COMPLETED.value
    assert status["102"] == OrderStatus.SHIPPED.value
    # Run again: only the refused one is tried, and (uncertain now) looked for first.
    again = FakeTarget(refuse={"REFUSED"})
    ctx2 = context(db, "sync_orders")
    await push_shipments(ctx2, again, complete_when_shipped=True)
    assert again.pushed == [] and again.looked == ["REFUSED"]
    assert ctx2.counters == {"failed": 1}


async def test_a_tracking_number_no_channel_should_get_is_refused_before_the_channel_sees_it(
    db: Database,
) -> None:
    """The flow checks every shipment's number once for every channel: a refused one fails
    its record with the one-line error, is neither looked for nor pushed, and the others
    go on; it is refused again next run until it is corrected."""
    context(db, "sync_orders")
    shipped_orders(db)
    with db.write() as session:  # TRK-2 (uncertain: it would be looked for) holds a link
        session.execute(
            sa.update(Shipment)
            .where(Shipment.tracking_number == "TRK-2")
            .values(tracking_number="https://track.example/\x1b[2J" + "9" * 40)
        )
    target = FakeTarget(refuse={"REFUSED"})
    ctx = context(db, "sync_orders")
    await push_shipments(ctx, target, complete_when_shipped=True)
    message = (
        "tracking refused: the tracking number 'https://track.example/␛[2J99999999999999…' "
        "is a link, not a number; correct it at the source; sent once it passes"
    )
    assert [(e["record"], e["error"]) for e in ctx.record_errors] == [
        ("order #101 shipment https://track.example/␛[2J99999999999999…", message),
        ("order #103 shipment REFUSED", "the channel refused it: invalid tracking"),
    ]
    assert target.looked == [] and [p[1] for p in target.pushed] == ["TRK-1", "TRK-3"]
    assert ctx.counters["shipments_synced"] == 2 and ctx.counters["failed"] == 2
    assert target.completed == []  # 101 waits for its refused shipment
    with db.read() as session:
        refused = session.scalars(sa.select(Shipment).where(Shipment.sync_error == message))
        assert [s.synced_at for s in refused] == [None]
    again = FakeTarget()
    ctx2 = context(db, "sync_orders")
    await push_shipments(ctx2, again, complete_when_shipped=True)
    # The channel's own refusal is looked for again; the bad number never is.
    assert again.looked == ["REFUSED"] and [p[1] for p in again.pushed] == ["REFUSED"]
    assert [e["error"] for e in ctx2.record_errors] == [message]


async def test_an_auth_error_stops_the_push_and_leaves_the_shipment_unsynced(db: Database) -> None:
    from connectors.errors import AuthError

    class Refused(FakeTarget):
        async def push_shipment(self, push: ShipmentPush) -> None:
            raise AuthError("HTTP 401: the key was revoked", status=401)

    context(db, "sync_orders")
    shipped_orders(db)
    ctx = context(db, "sync_orders")
    with pytest.raises(AuthError):
        await push_shipments(ctx, Refused(), complete_when_shipped=True)
    with db.read() as session:
        assert (
            session.scalar(sa.select(sa.func.count()).where(Shipment.synced_at.is_not(None))) == 0
        )  # type: ignore[union-attr]


async def test_a_push_whose_worker_died_after_the_write_is_looked_for_not_pushed_again(
    db: Database,
) -> None:
    """The intent is committed before the channel write; a push started and never recorded
    is looked for on the channel, and pushed only when the channel does not show it."""

    class DiesAfterWrite(FakeTarget):
        async def push_shipment(self, push: ShipmentPush) -> None:
            with db.read() as session:
                started = session.scalar(
                    sa.select(Shipment.push_started_at).where(Shipment.id == push.id)
                )
            assert started is not None  # the intent is committed before the write
            await super().push_shipment(push)
            if push.tracking_number == "TRK-1":
                raise SystemExit("worker killed")  # the channel has it; Dropdeck never knew

    context(db, "sync_orders")
    shipped_orders(db)
    channel = DiesAfterWrite(refuse={"REFUSED"})
    with pytest.raises(SystemExit):
        await push_shipments(context(db, "sync_orders"), channel, complete_when_shipped=True)
    assert channel.pushed == [("101", "TRK-1", [("A", 1, "101-A")])]
    # T1 started and was never recorded: looked for, found, not pushed again. T2 (an
    # earlier timeout) is looked for and, not found, pushed; T3 was never started: pushed
    # without looking.
    rerun = FakeTarget(on_channel=channel.on_channel, refuse={"REFUSED"})
    ctx = context(db, "sync_orders")
    await push_shipments(ctx, rerun, complete_when_shipped=True)
    assert rerun.looked == ["TRK-1", "TRK-2"]
    assert [p[1] for p in rerun.pushed] == ["TRK-2", "TRK-3"]
    assert ctx.counters["already_on_store"] == 1 and ctx.counters["shipments_synced"] == 3
    # A push started but not on the channel (the worker died before the write) is pushed.
    with db.write() as session:
        session.execute(
            sa.update(Shipment)
            .where(Shipment.tracking_number == "REFUSED")
            .values(sync_error=None, synced_at=None)
        )
    last = FakeTarget()
    await push_shipments(context(db, "sync_orders"), last, complete_when_shipped=True)
    assert last.looked == ["REFUSED"] and [p[1] for p in last.pushed] == ["REFUSED"]


async def test_every_run_completes_the_orders_shipped_and_synced_but_not_completed(
    db: Database,
) -> None:
    """A run killed between its pushes and the completions leaves orders fully shipped and
    synced; the next run (with nothing to push) completes them, once."""

    class DiesBeforeCompleting(FakeTarget):
        async def complete_order(self, order_external_id: str) -> None:
            raise SystemExit("worker killed")

    context(db, "sync_orders")
    shipped_orders(db)
    with pytest.raises(SystemExit):
        await push_shipments(
            context(db, "sync_orders"),
            DiesBeforeCompleting(on_channel={"TRK-2"}, refuse={"REFUSED"}),
            complete_when_shipped=True,
        )
    with db.read() as session:
        assert session.scalar(sa.select(Order.status).where(Order.external_id == "101")) == (
            OrderStatus.SHIPPED.value
        )
    # 103 becomes fully shipped and synced outside this run (an operator fixed it).
    with db.write() as session:
        session.execute(
            sa.update(Shipment)
            .where(Shipment.tracking_number == "REFUSED")
            .values(sync_error=None, synced_at=NOW)
        )
    rerun = FakeTarget(on_channel={"TRK-1", "TRK-2", "TRK-3", "REFUSED"})
    ctx = context(db, "sync_orders")
    await push_shipments(ctx, rerun, complete_when_shipped=True)
    assert rerun.pushed == [] and rerun.completed == ["101", "103"]  # 102 is partly shipped
    assert ctx.counters == {"orders_completed": 2}
    again = FakeTarget()
    await push_shipments(context(db, "sync_orders"), again, complete_when_shipped=True)
    assert again.completed == []  # recorded: done once
    # Without complete_when_shipped nothing is completed.
    with db.write() as session:
        session.execute(sa.update(Order).where(Order.external_id == "101").values(status="shipped"))
    off = FakeTarget()
    await push_shipments(context(db, "sync_orders"), off, complete_when_shipped=False)
    assert off.completed == []


async def test_a_refused_completion_is_reported_and_the_others_complete(db: Database) -> None:
    class RefusesOne(FakeTarget):
        async def complete_order(self, order_external_id: str) -> None:
            if order_external_id == "101":
                raise FatalError("HTTP 400: the order is cancelled")
            await super().complete_order(order_external_id)

    context(db, "sync_orders")
    shipped_orders(db)
    with db.write() as session:
        session.execute(
            sa.update(Shipment).where(Shipment.tracking_number == "REFUSED").values(synced_at=NOW)
        )
    target = RefusesOne(on_channel={"TRK-2"})
    ctx = context(db, "sync_orders")
    await push_shipments(ctx, target, complete_when_shipped=True)
    assert target.completed == ["103"]
    assert [(e["record"], e["error"]) for e in ctx.record_errors] == [
        ("order #101", "not completed: HTTP 400: the order is cancelled")
    ]
    with db.read() as session:
        status = dict(session.execute(sa.select(Order.external_id, Order.status)).all())
    assert status["101"] == OrderStatus.SHIPPED.value
    assert status["103"] == OrderStatus.COMPLETED.value
