"""Dashboard (7): each channel's and source's last 24 h counted from the store, run strips,
what an empty store says, the nav bar with the eighth pane at 80 columns, and the selected
strip: arrows move it, enter opens its runs in Jobs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa
from rich.text import Text
from textual.command import CommandList
from textual.widgets import Static

from console.tui.app import DropdeckApp
from console.tui.panes.attention import NO_BUSINESS
from console.tui.panes.dashboard import NOTHING_YET, DashboardPane, run_line
from console.tui.panes.jobs import JobsPane
from console.tui.widgets.paged_table import PagedTable
from console.tui.widgets.tab_bar import TabBar
from store.db import Database
from store.models import Channel, FulfillmentRequest, Integration, JobRun, Order, Source
from store.queries.runs import page_runs

from .conftest import FROZEN_NOW, settle, wait_until

SINCE = FROZEN_NOW.replace(minute=0) - timedelta(hours=23)  # 10:00 the day before


def _lines(app: DropdeckApp) -> list[str]:
    content = app.query_one("#dashboard-text", Static).content
    assert isinstance(content, Text)
    return content.plain.splitlines()


def _row(lines: list[str], name: str) -> list[str]:
    """The words of the line that starts with `name` (names cut with … match too)."""
    return next(line for line in lines if line.startswith(name)).split()


def add_runs(db: Database, name: str, statuses: list[str]) -> None:
    """Runs of one integration, oldest first, finished an hour apart up to FROZEN_NOW."""
    with db.write() as s:
        integration = s.scalars(sa.select(Integration).where(Integration.name == name)).one()
        for n, status in enumerate(statuses):
            finished = FROZEN_NOW - timedelta(hours=len(statuses) - n)
            s.add(
                JobRun(
                    integration_id=integration.id or 0,
                    status=status,
                    started_at=finished - timedelta(seconds=20),
                    finished_at=None if status == "running" else finished,
                    counters={"failed": 1} if status == "partial" else {},
                )
            )


async def test_counts_per_channel_and_source_come_from_the_store(
    make_app: Callable[..., DropdeckApp], demo_db: Database
) -> None:
    # What the seeded store holds in the window, counted here by its own query.
    with demo_db.read() as s:
        orders = dict(
            s.execute(
                sa.select(Channel.name, sa.func.count())
                .join(Order, Order.channel_id == Channel.id)
                .where(Order.placed_at >= SINCE, Order.placed_at <= FROZEN_NOW)
                .group_by(Channel.name)
            ).all()
        )
        sent = dict(
            s.execute(
                sa.select(Source.name, sa.func.count())
                .join(FulfillmentRequest, FulfillmentRequest.source_id == Source.id)
                .where(FulfillmentRequest.sent_at >= SINCE)
                .group_by(Source.name)
            ).all()
        )
    assert sum(orders.values()) == 23 and sum(sent.values()) == 10  # the demo's last day
    app = make_app(pane="dashboard")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        lines = _lines(app)
        for channel, count in orders.items():
            row = _row(lines, channel)
            assert row[2] == str(count)  # name, sparkline, orders in the last 24 h
        # Failed records of its seeded runs; tracking synced 20 minutes after it was recorded.
        assert _row(lines, "woo-demo")[4] == "4" and _row(lines, "woo-demo")[-1] == "20m00s"
        assert _row(lines, "US Direct")[3] == str(sent["US Direct"])
        assert _row(lines, "Western Power")[4] == str(sent["Western Power Sports"])
        title = str(app.current_pane.query_one(".pane-title", Static).content)
        assert "24 h to 09:30 UTC · 23 orders in · 10 POs sent · 19 failures" in title


async def test_run_strip_shows_the_last_runs_newest_right(
    make_app: Callable[..., DropdeckApp], demo_db: Database
) -> None:
    add_runs(demo_db, "wps-demo/send_orders", ["succeeded", "failed", "cancelled", "partial"])
    add_runs(demo_db, "woo-demo/get_orders", ["failed", "running"])
    app = make_app(pane="dashboard")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        lines = _lines(app)
        # The seeded run (partial) first, then these four.
        assert _row(lines, "wps-demo/send_orders")[1:] == ["◐●✕○◐", "partial"]
        assert _row(lines, "woo-demo/get_orders")[1:] == ["●✕▸", "running"]
        assert _row(lines, "wps-demo/get_inventory")[1:] == ["●", "ok"]
        # Strips end in one column, whatever their length.
        ends = {line.rstrip().rfind(_row(lines, line.split()[0])[1][-1]) for line in lines[-15:]}
        assert len(ends) == 1


async def test_an_empty_store_says_what_to_do(sqlite_db: Database) -> None:
    app = DropdeckApp(sqlite_db, start_worker=False, live=False, pane="dashboard")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        empty = app.query_one("#dashboard-empty", Static)
        assert empty.display and str(empty.content) == NO_BUSINESS
        with sqlite_db.write() as s:
            s.add(Channel(name="shop", kind="woocommerce"))
        await pilot.press("1", "7")  # a switch re-reads
        await settle(pilot)
        assert empty.display and str(empty.content) == NOTHING_YET
        assert _row(_lines(app), "shop")[1:] == ["▁" * 12, "0", "▁" * 12, "0", "▁" * 12, "—"]


async def test_nav_fits_at_80_columns_with_read_only(
    make_app: Callable[..., DropdeckApp],
) -> None:
    app = make_app(readonly=True, pane="dashboard")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        nav = app.query_one("#nav", TabBar).render()
        assert nav.cell_len == 80 and nav.plain.rstrip().endswith("7 Dash  READ-ONLY")
        assert "6 Jobs" in nav.plain and "…" not in nav.plain
        assert isinstance(app.current_pane, DashboardPane)


def _selected_name(lines_text: Text) -> str:
    """The text drawn reversed: the selected integration's name column."""
    spans = [s for s in lines_text.spans if s.style == "reverse"]
    assert len(spans) == 1
    return lines_text.plain[spans[0].start : spans[0].end].strip()


async def test_arrows_select_a_strip_and_enter_opens_its_runs_in_jobs(
    make_app: Callable[..., DropdeckApp], demo_db: Database
) -> None:
    add_runs(demo_db, "wps-demo/send_orders", ["succeeded", "failed"])
    add_runs(demo_db, "woo-demo/get_orders", ["failed", "succeeded", "partial"])
    app = make_app(pane="dashboard")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        pane = app.query_one(DashboardPane)
        assert pane.data is not None
        names = [r.name for r in pane.data.runs]
        target = names.index("woo-demo/get_orders")
        text = app.query_one("#dashboard-text", Static).content
        assert isinstance(text, Text) and _selected_name(text) == names[0]  # starts on the first
        await pilot.press("up")  # already first: stays
        await pilot.press(*["down"] * target)
        await settle(pilot)
        text = app.query_one("#dashboard-text", Static).content
        assert isinstance(text, Text) and _selected_name(text) == "woo-demo/get_orders"
        await pilot.press("enter")
        await settle(pilot)
        jobs = app.current_pane
        assert isinstance(jobs, JobsPane) and jobs.filter_text == "woo-demo/get_orders"
        assert app.query_one("#nav", TabBar).active == 6
        rows = app.query_one("#jobs-table", PagedTable).rows
        with demo_db.read() as s:
            expected = [r.id for r in page_runs(s, limit=100) if r.integration == names[target]]
        assert [r.id for r in rows] == expected and len(expected) >= 4  # seeded + 3 added
        await pilot.press("escape")  # every run again
        await settle(pilot)
        assert jobs.filter_text == "" and len(app.query_one("#jobs-table", PagedTable).rows) > len(
            expected
        )


async def test_the_selection_scrolls_into_view_and_stays_across_refreshes(
    make_app: Callable[..., DropdeckApp], demo_db: Database
) -> None:
    app = make_app(pane="dashboard")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        pane = app.query_one(DashboardPane)
        assert pane.data is not None
        last = pane.data.runs[-1].name
        await pilot.press("end", *["down"] * len(pane.data.runs))  # past the last: stays there
        await settle(pilot)
        assert pane.selected == last
        body = app.query_one("#dashboard-body")
        line = run_line(pane.data, pane._width(), len(pane.data.runs) - 1)
        assert body.scroll_y <= line < body.scroll_y + body.scrollable_content_region.height
        pane.load()  # a refresh keeps the integration selected
        await settle(pilot)
        assert pane.selected_index == len(pane.data.runs) - 1
        await pilot.press("y")
        assert app.clipboard == last


async def test_the_palette_details_entry_opens_the_selected_runs_too(
    make_app: Callable[..., DropdeckApp],
) -> None:
    app = make_app(pane="dashboard")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        pane = app.query_one(DashboardPane)
        assert pane.data is not None
        await pilot.press("ctrl+p", *"Details of the selected row")
        await wait_until(pilot, lambda: bool(app.screen.query(CommandList)))
        await wait_until(pilot, lambda: app.screen.query_one(CommandList).option_count > 0)
        await pilot.pause(0.2)
        await pilot.press("enter")
        await settle(pilot)
        await wait_until(pilot, lambda: app.current_pane.id == "jobs")
        assert app.current_pane.filter_text == pane.data.runs[0].name
