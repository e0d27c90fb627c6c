"""`r` in Orders: the resubmit screen, the audited resubmit and the queued send."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from textual.widgets import Input

from console.tui.app import DropdeckApp
from console.tui.commands import DropdeckCommands
from console.tui.screens.resubmit import ResubmitScreen
from store.db import Database
from store.models import AuditEvent, FulfillmentRequest, Integration, JobRun, Order

from .conftest import settle, wait_until


def _request(db: Database, number: str) -> FulfillmentRequest:
    with db.read() as session:
        order = session.scalars(sa.select(Order).where(Order.number == number)).one()
        return session.scalars(
            sa.select(FulfillmentRequest).where(FulfillmentRequest.order_id == order.id)
        ).one()


def _messages(app: DropdeckApp) -> list[str]:
    return [n.message for n in app._notifications]


async def test_resubmit_edits_the_request_audits_and_queues_the_send(
    make_app: Callable[..., DropdeckApp], demo_db: Database
) -> None:
    before = _request(demo_db, "#9058")
    assert before.status == "failed" and before.shipping_method == "BEST"
    app = make_app(pane="orders")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("down", "r")  # #9058 has a failed request
        await wait_until(pilot, lambda: isinstance(app.screen, ResubmitScreen))
        screen = app.screen
        assert before.po_number in str(screen.query_one(".request-head").render())
        assert "customer_email" in str(screen.query_one(".request-error").render())
        assert "one of AH2D BEST FE1D FE2D UP1D UP2D US1C US4C" in str(
            screen.query_one(".codes").render()
        )
        method = screen.query_one("#method-0", Input)
        assert app.focused is method
        method.value = ""
        await pilot.press("F", "D", "X", "G", "enter")  # not a WPS code: refused in place
        problem = str(screen.query_one("#resubmit-problem").render())
        assert app.screen is screen and "'FDXG' is not accepted by" in problem
        method.value = ""
        await pilot.press("u", "p", "2", "d", "tab")  # lower case is fine; tab to the name
        await pilot.press(*"Ada", "space", *"Lovelace", "enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, ResubmitScreen))
        await settle(pilot)
        after = _request(demo_db, "#9058")
        assert after.status == "pending" and after.shipping_method == "UP2D"
        assert after.shipping_address == {"name": "Ada Lovelace"}
        with demo_db.read() as session:
            audit = session.scalars(sa.select(AuditEvent)).one()
            run = session.scalars(sa.select(JobRun).where(JobRun.status == "queued")).one()
            send = session.get(Integration, run.integration_id)
        assert audit.action == "fulfillment_request.resubmit" and audit.actor.endswith("@console")
        assert audit.before["shipping_method"] == "BEST" and audit.after["status"] == "pending"
        assert send.kind == "send_orders" and send.source_id == after.source_id
        assert run.trigger == "manual"
        assert f"PO {after.po_number} resubmitted; send queued (run {run.id})" in _messages(app)


async def test_escape_leaves_the_request_as_it_was(
    make_app: Callable[..., DropdeckApp], demo_db: Database
) -> None:
    app = make_app(pane="orders")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("down", "r")
        await wait_until(pilot, lambda: isinstance(app.screen, ResubmitScreen))
        await pilot.press("U", "escape")
        await settle(pilot)
        assert not isinstance(app.screen, ResubmitScreen)
    assert _request(demo_db, "#9058").status == "failed"
    with demo_db.read() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0


async def test_an_order_without_a_failed_request_says_what_its_request_is(
    make_app: Callable[..., DropdeckApp], demo_db: Database
) -> None:
    app = make_app(pane="orders")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("r")  # #9059, the newest order, is partially shipped
        await settle(pilot)
        assert not isinstance(app.screen, ResubmitScreen)
        po = _request(demo_db, "#9059").po_number
        assert _messages(app)[-1] == (
            f"Order #9059 has no failed fulfillment request: PO {po} is partially shipped"
        )


async def test_readonly_hides_resubmit(
    make_app: Callable[..., DropdeckApp], demo_db: Database
) -> None:
    app = make_app(readonly=True, pane="orders")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        shown = {b.binding.key for b in app.active_bindings.values() if b.enabled}
        assert "r" not in shown
        titles = [t for t, _, _ in DropdeckCommands(app.screen)._commands()]
        assert not any("Resubmit" in t for t in titles)
        await pilot.press("down", "r")
        await settle(pilot)
        assert not isinstance(app.screen, ResubmitScreen)
    assert _request(demo_db, "#9058").status == "failed"


async def test_app_keys_type_into_the_form(make_app: Callable[..., DropdeckApp]) -> None:
    app = make_app(pane="orders")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("down", "r")
        await wait_until(pilot, lambda: isinstance(app.screen, ResubmitScreen))
        await pilot.press("tab", "q", "question_mark", "4", "f", "shift+tab")
        await pilot.pause()  # not settle: the resubmit worker waits on this screen
        assert isinstance(app.screen, ResubmitScreen) and app.is_running
        assert app.screen.query_one("#address-0-0", Input).value == "q?4f"
        assert app.focused is app.screen.query_one("#method-0", Input)
