"""Start and switch: no empty-state text before the store has answered; a pane shows the
store as it is when switched to, not as its timer last read it."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from sqlmodel import Session
from textual.widgets import Static

from console.tui.app import DropdeckApp
from console.tui.panes import integrations
from console.tui.widgets.paged_table import PagedTable
from store.commands.runs import queue_run
from store.db import Database
from store.models.runtime import RunTrigger

from .conftest import settle, wait_until


async def test_sources_say_loading_until_the_store_answers(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = integrations._pane_rows
    answer = threading.Event()  # the store answers when the test says so, not after a delay

    def slow(session: Session, owner: str) -> list[integrations.PaneRow]:
        answer.wait(30)
        return real(session, owner)

    monkeypatch.setattr(integrations, "_pane_rows", slow)
    app = DropdeckApp(sqlite_db, start_worker=False, live=False, pane="sources")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        empty = app.query_one("#sources .empty", Static)
        assert str(empty.render()) == "loading…"
        answer.set()
        await wait_until(pilot, lambda: "No sources yet" in str(empty.render()))


async def test_switching_to_a_pane_shows_what_the_store_holds_now(
    make_app: Callable[..., DropdeckApp], demo_db: Database
) -> None:
    app = make_app(pane="jobs")  # live=False: no timer refreshes, only the switch can
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.query_one("#jobs-table", PagedTable)
        before = len(table.rows)
        await pilot.press("1")
        await settle(pilot)
        with demo_db.write() as session:
            queue_run(session, 1, RunTrigger.MANUAL)
        await pilot.press("6")
        await settle(pilot)
        assert len(table.rows) == before + 1
        assert table.rows[0].status == "queued"  # type: ignore[attr-defined]
