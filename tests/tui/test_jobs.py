"""Jobs: the cursor stays on top as runs arrive, progress with total/%/ETA/rate, a live
details dialog, cancel with y/N, who started each run."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa
from textual.widgets import Static

from console.tui.app import DropdeckApp
from console.tui.panes.jobs import run_progress
from console.tui.screens.confirm import ConfirmScreen
from console.tui.screens.details import DetailsScreen
from console.tui.widgets.paged_table import PagedTable
from store.commands.runs import queue_run
from store.db import Database
from store.models import Integration, JobRun
from store.models._types import utcnow
from store.models.runtime import RunTrigger
from store.queries.runs import run_row

from .conftest import settle, wait_until


def _queue(db: Database, name: str, *, started_by: str = "alice@console") -> int:
    with db.write() as session:
        iid = session.scalars(sa.select(Integration.id).where(Integration.name == name)).one()
        run = queue_run(session, iid, RunTrigger.MANUAL, started_by=started_by)
        assert run.id is not None
        return run.id


def _set_running(db: Database, run_id: int, done: int, total: int | None, seconds: int) -> None:
    with db.write() as session:
        run = session.get(JobRun, run_id)
        assert run is not None
        run.status, run.worker_id = "running", "w1"
        run.started_at = utcnow() - timedelta(seconds=seconds)
        run.progress_done, run.progress_total = done, total
        session.add(run)


def _table(app: DropdeckApp) -> PagedTable[object]:
    return app.query_one("#jobs-table", PagedTable)


def test_progress_shows_total_share_eta_and_rate(demo_db: Database) -> None:
    run_id = _queue(demo_db, "wps-demo/get_inventory")
    _set_running(demo_db, run_id, 250, 1000, seconds=10)
    with demo_db.read() as session:
        r = run_row(session, run_id)
    assert r is not None and r.started_at is not None
    now = r.started_at + timedelta(seconds=10)
    text = run_progress(r, now)
    assert "25%" in text and "250/1,000" in text
    assert "ETA 30s" in text and "25/s" in text  # 750 left at 25 a second
    unknown = run_progress(r.__class__(**{**r.__dict__, "progress_total": None}), now)
    assert unknown == "250 done · 25/s"


async def test_the_cursor_stays_on_top_as_new_runs_arrive_unless_moved(
    make_app: Callable[..., DropdeckApp], demo_db: Database
) -> None:
    app = make_app(pane="jobs")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = _table(app)
        first = _queue(demo_db, "wps-demo/get_inventory")
        table.load("reload")
        await settle(pilot)
        assert table.cursor == 0 and table.cursor_row.id == first  # type: ignore[attr-defined]
        await pilot.press("down", "down")
        chosen = table.cursor_row.id  # type: ignore[attr-defined]
        _queue(demo_db, "wps-demo/send_orders")
        table.load("reload")
        await settle(pilot)
        assert table.cursor_row.id == chosen and table.cursor == 3  # type: ignore[attr-defined]


async def test_c_cancels_a_queued_run_after_y_and_not_after_n(
    make_app: Callable[..., DropdeckApp], demo_db: Database
) -> None:
    run_id = _queue(demo_db, "wps-demo/get_inventory")
    app = make_app(pane="jobs")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert f"Cancel run {run_id}" in str(app.screen.query_one("#question", Static).render())
        await pilot.press("n")
        await settle(pilot)
        with demo_db.read() as session:
            assert session.get(JobRun, run_id).status == "queued"  # type: ignore[union-attr]
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await settle(pilot)
        with demo_db.read() as session:
            run = session.get(JobRun, run_id)
        assert run is not None and run.status == "cancelled"
        assert any(f"Run {run_id} cancelled" in n.message for n in app._notifications)
        assert _table(app).cursor_row.status == "cancelled"  # type: ignore[attr-defined]


async def test_c_on_a_running_run_asks_its_worker_to_stop_it(
    make_app: Callable[..., DropdeckApp], demo_db: Database
) -> None:
    run_id = _queue(demo_db, "wps-demo/get_inventory")
    _set_running(demo_db, run_id, 10, 100, seconds=5)
    app = make_app(pane="jobs")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await settle(pilot)
        with demo_db.read() as session:
            run = session.get(JobRun, run_id)
        assert run is not None and run.status == "running"
        assert (run.cancel_requested_by or "").endswith("@console")
        line = _table(app).strips.line(_table(app), 1).text
        assert "cancelling" in line and "alice@console" in line  # who started it, at 120


async def test_run_details_stay_live_while_open(
    make_app: Callable[..., DropdeckApp], demo_db: Database
) -> None:
    run_id = _queue(demo_db, "wps-demo/get_inventory")
    _set_running(demo_db, run_id, 10, 100, seconds=5)
    app = make_app(pane="jobs")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailsScreen))

        def text() -> str:
            return str(app.screen.query_one("#details-text", Static).render())

        assert "10/100" in text() and "alice@console" in text()
        _set_running(demo_db, run_id, 60, 100, seconds=5)
        await wait_until(pilot, lambda: "60/100" in text(), timeout=5)
