"""The Recent Notifications pane tails rows written by another process within a second."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable

from textual.widgets import RichLog

from console.tui.app import DropdeckApp
from console.tui.panes.notifications import NotificationsPane

from .conftest import settle, wait_until

WRITER = """
from store.db import Database
from store.commands.notify import insert_notifications
db = Database()
with db.write() as session:
    insert_notifications(session, [{"level": "error", "event": "test.external",
        "message": "written by another process", "integration": "woo-demo/get_orders"}])
"""


def _lines(app: DropdeckApp) -> list[str]:
    return [strip.text for strip in app.query_one("#notifications RichLog", RichLog).lines]


async def test_notification_from_another_process_appears_within_a_second(
    make_app: Callable[..., DropdeckApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not any("written by another process" in line for line in _lines(app))
        # DROPDECK_DATABASE_URL points the child at the test's database (conftest sets it).
        subprocess.run([sys.executable, "-c", WRITER], check=True, timeout=30)
        written = time.monotonic()
        await wait_until(pilot, lambda: any("written by another" in x for x in _lines(app)))
        assert time.monotonic() - written < 1.0


async def test_follow_off_holds_new_rows_and_level_filters(
    make_app: Callable[..., DropdeckApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        pane = app.query_one(NotificationsPane)
        assert len(_lines(app)) == 15
        await pilot.press("l", "l")  # all -> info -> warning
        await settle(pilot)
        assert pane.min_level == "warning"
        assert len(_lines(app)) == 8 and all(" INFO " not in x for x in _lines(app))
        await pilot.press("f")
        assert not pane.following and "paused" in str(pane.border_title)
        subprocess.run([sys.executable, "-c", WRITER], check=True, timeout=30)
        await wait_until(pilot, lambda: len(pane.waiting) == 1)
        assert len(_lines(app)) == 8
        await pilot.press("f")
        assert len(_lines(app)) == 9 and not pane.waiting
