"""Sources/Channels keys: home/end move, space marks, x (and p) on several ask first."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from textual.widgets import DataTable

from console.tui.app import DropdeckApp
from console.tui.panes.sources import SourcesPane
from console.tui.screens.confirm import ConfirmScreen
from store.db import Database
from store.models import Integration, JobRun

from .conftest import settle, wait_until


def _queued(db: Database) -> list[tuple[str, str]]:
    with db.read() as session:
        rows = session.execute(
            sa.select(Integration.name, JobRun.started_by)
            .join(Integration, Integration.id == JobRun.integration_id)
            .where(JobRun.status == "queued")
            .order_by(Integration.name)
        )
        return [(name, by) for name, by in rows]


async def test_home_and_end_move_to_the_first_and_last_row(
    make_app: Callable[..., DropdeckApp],
) -> None:
    app = make_app(pane="sources")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.query_one(SourcesPane).query_one(DataTable)
        await pilot.press("end")
        assert table.cursor_row == table.row_count - 1 > 0
        await pilot.press("home")
        assert table.cursor_row == 0


async def test_x_on_marked_integrations_asks_then_queues_each(
    make_app: Callable[..., DropdeckApp], demo_db: Database
) -> None:
    app = make_app(pane="sources")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        pane = app.query_one(SourcesPane)
        marked = [r.name for r in pane.rows[:2]]
        await pilot.press("space", "space")
        assert len(pane.marks) == 2
        await pilot.press("x")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await settle(pilot)
        assert _queued(demo_db) == [] and len(pane.marks) == 2
        await pilot.press("x")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await settle(pilot)
        queued = _queued(demo_db)
        assert [name for name, _ in queued] == sorted(marked)
        assert all(by.endswith("@console") for _, by in queued)
        assert not pane.marks


async def test_one_unmarked_integration_runs_without_asking(
    make_app: Callable[..., DropdeckApp], demo_db: Database
) -> None:
    app = make_app(pane="sources")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmScreen)
        assert len(_queued(demo_db)) == 1
