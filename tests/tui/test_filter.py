"""The live filter: narrows as you type, on what the columns show, across the columns,
in the database; `esc` clears it; keys typed into it are text, not pane actions."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from console.tui.app import DropdeckApp
from console.tui.panes.base import Pane
from console.tui.widgets.paged_table import PagedTable
from store.db import Database
from store.models import JobRun, Order

from .conftest import settle, wait_until


def _table(app: DropdeckApp, pane: str) -> PagedTable[object]:
    return app.query_one(f"#{pane}-table", PagedTable)


async def test_typing_narrows_jobs_live_on_the_integration_column(
    make_app: Callable[..., DropdeckApp],
) -> None:
    app = make_app(pane="jobs")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = _table(app, "jobs")
        before = len(table.rows)
        await pilot.press("slash", *"send_orders")  # no enter: it filters as you type
        await wait_until(pilot, lambda: app.query_one("#jobs", Pane).filter_text == "send_orders")
        await settle(pilot)
        names = [r.integration for r in table.rows]  # type: ignore[attr-defined]
        assert names and len(names) < before
        assert all("send_orders" in n for n in names)
        assert app.query_one("#jobs", Pane).query_one(".pane-filter").has_focus
        await pilot.press("escape")
        await settle(pilot)
        assert len(table.rows) == before and table.has_focus
        assert not app.query_one("#jobs", Pane).query_one(".pane-filter").display


async def test_on_hold_matches_the_status_as_shown_and_words_span_columns(
    make_app: Callable[..., DropdeckApp], demo_db: Database
) -> None:
    with demo_db.read() as session:
        held = session.scalar(
            sa.select(sa.func.count()).select_from(Order).where(Order.status == "on_hold")
        )
        one = session.scalars(sa.select(Order).where(Order.status == "on_hold")).first()
    assert held and one is not None
    app = make_app(pane="orders")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = _table(app, "orders")
        await pilot.press("slash", *"on hold", "enter")
        await settle(pilot)
        assert len(table.rows) == held
        assert {r.status for r in table.rows} == {"on_hold"}  # type: ignore[attr-defined]
        assert table.has_focus  # enter goes back to the table, the filter stays
        # A second word narrows within what the first matched, on another column.
        customer = one.customer_name.split()[0]
        await pilot.press("slash", " ", *customer, "enter")
        await settle(pilot)
        rows = table.rows
        assert 0 < len(rows) <= held
        assert all(
            r.status == "on_hold" and customer.lower() in r.customer_name.lower()  # type: ignore[attr-defined]
            for r in rows
        )


async def test_keys_typed_into_the_filter_are_text_not_actions(
    make_app: Callable[..., DropdeckApp], demo_db: Database
) -> None:
    app = make_app(pane="jobs")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"xq1p", "c")
        # The filter applies after a short debounce; wait for it before reading rows.
        await wait_until(pilot, lambda: app.query_one("#jobs", Pane).filter_text == "xq1pc")
        await settle(pilot)
        await wait_until(pilot, lambda: _table(app, "jobs").rows == [])
        assert app.query_one("#jobs", Pane).query_one(".pane-filter").value == "xq1pc"  # type: ignore[attr-defined]
        assert app.current_pane.id == "jobs" and app.is_running
        with demo_db.read() as session:
            assert (
                session.scalar(
                    sa.select(sa.func.count()).select_from(JobRun).where(JobRun.status == "queued")
                )
                == 0
            )
        assert _table(app, "jobs").rows == []
        assert "No runs match the filter" in _table(app, "jobs").empty_text


async def test_the_filter_box_leaves_the_table_its_width(
    make_app: Callable[..., DropdeckApp],
) -> None:
    app = make_app(pane="orders")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = _table(app, "orders")
        width = table.region.width
        await pilot.press("slash", *"#90")
        await wait_until(pilot, lambda: app.query_one("#orders", Pane).filter_text == "#90")
        await settle(pilot)
        box = app.query_one("#orders", Pane).filter_input
        assert box.display and box.region.width == width
        assert table.region.width == width == 80


async def test_keys_typed_right_after_slash_reach_the_filter(
    make_app: Callable[..., DropdeckApp],
) -> None:
    # As a fast typist or a paste over SSH sends them: every key queued before the first is
    # handled, so `/` has not yet moved the keyboard to the filter when the rest arrive.
    from textual import events

    app = make_app(pane="orders")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key, char in [("slash", "/"), ("0", "0"), ("0", "0"), ("1", "1"), ("backspace", None)]:
            app.post_message(events.Key(key, char))
        app.post_message(events.Key("2", "2"))
        pane = app.query_one("#orders", Pane)
        await wait_until(pilot, lambda: pane.filter_text == "002")
        assert app.query_one("#panes").current == "orders"  # "0" did not open Attention
        assert pane.filter_input.value == "002" and pane.filter_input.has_focus
