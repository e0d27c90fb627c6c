"""`s` in Orders: y/N, then the pending request's send is queued for that request only
(audited); the console's worker runs it through the supplier flow."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from console.tui.app import DropdeckApp
from console.tui.screens.confirm import ConfirmScreen
from store.db import Database
from store.models import AuditEvent, FulfillmentRequest, JobRun, Order

from .conftest import settle, wait_until


def _pending(db: Database, number: str) -> FulfillmentRequest:
    """The order's request, put back to `pending` as if auto-process had been off."""
    with db.write() as session:
        order = session.scalars(sa.select(Order).where(Order.number == number)).one()
        request = session.scalars(
            sa.select(FulfillmentRequest).where(FulfillmentRequest.order_id == order.id)
        ).one()
        request.status, request.attempts = "pending", 0
        session.add(request)
        session.flush()
        session.expunge(request)
        return request


async def test_s_asks_then_queues_the_send_of_that_request(
    make_app: Callable[..., DropdeckApp], demo_db: Database
) -> None:
    request = _pending(demo_db, "#9058")
    app = make_app(pane="orders")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("down", "s")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_until(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
        await settle(pilot)
        with demo_db.read() as session:
            run = session.scalars(sa.select(JobRun).where(JobRun.status == "queued")).one()
            audit = session.scalars(sa.select(AuditEvent)).one()
        assert run.request_id == request.id and run.started_by.endswith("@console")
        assert (audit.action, audit.record_id) == ("fulfillment_request.send", str(request.id))
        messages = [n.message for n in app._notifications]
        assert f"PO {request.po_number}: send queued (run {run.id})" in messages


async def test_s_then_n_sends_nothing(
    make_app: Callable[..., DropdeckApp], demo_db: Database
) -> None:
    _pending(demo_db, "#9058")
    app = make_app(pane="orders")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("down", "s")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await settle(pilot)
    with demo_db.read() as session:
        assert session.scalars(sa.select(JobRun).where(JobRun.status == "queued")).all() == []
        assert session.scalars(sa.select(AuditEvent)).all() == []
