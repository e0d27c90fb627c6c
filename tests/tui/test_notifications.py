"""The Recent Notifications pane tails rows written by another process within a second."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable

from textual import events
from textual.widgets import OptionList

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
    """The feed's notifications as shown (one entry each, however many lines it wraps to)."""
    feed = app.query_one("#notifications #feed", OptionList)
    return [str(feed.get_option_at_index(i).prompt) for i in range(feed.option_count)]


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


async def test_scrolling_up_pauses_following_and_end_resumes(
    make_app: Callable[..., DropdeckApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        pane = app.query_one(NotificationsPane)
        feed = app.query_one("#notifications #feed", OptionList)
        await pilot.press("tab")  # from the table into the feed
        assert feed.has_focus and feed.highlighted == feed.option_count - 1
        await pilot.press("up", "up")
        assert not pane.following
        top = feed.scroll_offset.y
        subprocess.run([sys.executable, "-c", WRITER], check=True, timeout=30)
        await wait_until(pilot, lambda: len(pane.waiting) == 1)
        await pilot.pause(0.6)  # a poll later, the view has not moved
        assert feed.scroll_offset.y == top and not any("another process" in x for x in _lines(app))
        assert "paused, 1 new" in str(pane.border_title)
        await pilot.press("end")
        await settle(pilot)
        assert pane.following and not pane.waiting
        assert "written by another process" in _lines(app)[-1]
        assert feed.highlighted == feed.option_count - 1
        assert feed.scroll_offset.y == feed.max_scroll_y  # the newest is in view


async def test_mouse_wheel_up_pauses_and_enter_opens_a_notification_whole(
    make_app: Callable[..., DropdeckApp],
) -> None:
    from textual.widgets import Static

    from console.tui.screens.details import DetailsScreen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        pane = app.query_one(NotificationsPane)
        feed = app.query_one("#notifications #feed", OptionList)
        feed.post_message(events.MouseScrollUp(feed, 1, 1, 0, -1, 0, False, False, False))
        await wait_until(pilot, lambda: not pane.following)
        await pilot.press("f")
        assert pane.following
        await pilot.press("tab", "up", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailsScreen))
        text = str(app.screen.query_one("#details-text", Static).render())
        chosen = pane.rows[-2]
        assert chosen.message in text.replace("\n", " ") or chosen.message[:60] in text
        assert "event" in text and chosen.event in text


async def test_past_the_backlog_a_batch_never_paints_the_oldest_rows(
    make_app: Callable[..., DropdeckApp],
) -> None:
    """Past 200 rows the feed is rebuilt per batch; it must stand at the newest before the
    next frame is painted, not at the top (a flicker, and the whole feed sent twice)."""
    from store.models import Notification
    from store.models._types import utcnow

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        pane = app.query_one(NotificationsPane)
        feed = pane.feed
        for batch in range(3):
            rows = [
                Notification(
                    id=1000 + batch * 100 + n,
                    at=utcnow(),
                    level="warning",
                    event="bench.line",
                    message=f"line {batch}-{n}",
                )
                for n in range(100)
            ]
            pane._write(rows)
            pane._show_newest()
            # No await in between: what the next refresh paints.
            assert feed.max_scroll_y > 0 and feed.scroll_y == feed.max_scroll_y, batch
        assert feed.option_count == 200 and _lines(app)[-1].endswith("line 2-99")
        await pilot.pause()
        assert feed.scroll_y == feed.max_scroll_y
