"""Integration actions (p, x) and read-only mode; resubmit is in test_resubmit.py."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from console.tui.app import DropdeckApp
from console.tui.commands import DropdeckCommands
from store.db import Database
from store.models import AuditEvent, Integration, JobRun

from .conftest import settle


async def test_x_in_channels_queues_a_manual_run(
    make_app: Callable[..., DropdeckApp], demo_db: Database
) -> None:
    app = make_app(pane="channels")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        with demo_db.read() as session:
            queued = session.scalars(sa.select(JobRun).where(JobRun.status == "queued")).all()
            integration = session.get(Integration, queued[0].integration_id)
        assert [(run.trigger, integration.name) for run in queued] == [
            ("manual", "magento-demo/get_orders")
        ]
        assert any("queued" in n.message for n in app._notifications)


async def test_p_in_sources_pauses_then_unpauses_the_integration(
    make_app: Callable[..., DropdeckApp], demo_db: Database
) -> None:
    app = make_app(pane="sources")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("down", "p")
        await settle(pilot)
        with demo_db.read() as session:
            paused = session.scalars(
                sa.select(Integration).where(Integration.paused_reason.is_not(None))
            ).all()
        assert [i.name for i in paused] == ["usdirect-demo/get_shipments"]
        await pilot.press("p")
        await settle(pilot)
        with demo_db.read() as session:
            actions = session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
            still = session.scalar(
                sa.select(sa.func.count()).where(Integration.paused_reason.is_not(None))
            )
        assert actions == ["integration.pause", "integration.unpause"] and still == 0


async def test_readonly_hides_actions(
    make_app: Callable[..., DropdeckApp], demo_db: Database
) -> None:
    app = make_app(readonly=True, pane="listings")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        shown = {b.binding.key for b in app.active_bindings.values() if b.enabled}
        assert "p" not in shown and "h" not in shown and "slash" in shown
        await pilot.press("p", "h")
        await settle(pilot)
        titles = [t for t, _, _ in DropdeckCommands(app.screen)._commands()]
        assert not any("Pause" in t or "Hide" in t for t in titles)
        await pilot.press("1", "x", "p")
        await settle(pilot)
    with demo_db.read() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0
        assert (
            session.scalar(
                sa.select(sa.func.count()).select_from(JobRun).where(JobRun.status == "queued")
            )
            == 0
        )


async def test_writable_console_shows_the_action_keys(
    make_app: Callable[..., DropdeckApp],
) -> None:
    app = make_app(pane="listings")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        shown = {b.binding.key for b in app.active_bindings.values() if b.enabled}
        assert {"p", "h", "slash"} <= shown
