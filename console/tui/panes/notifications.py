"""Recent Notifications: always visible, tails the `notification` table by id.

A timer asks for rows newer than the last id every half second, in a thread, so rows
written by any process (a worker, the CLI) appear within a second. New rows are added in
one batch per poll. Messages wrap (never cut mid-message); `tab` moves into the feed, where
`enter` opens a notification whole.

Following: new rows are added at the bottom and shown. Scrolling up (wheel, ↑, PgUp, home)
pauses it: new rows wait, counted in the title ("paused, 3 new"), so what the operator reads
stays put; `end` or `f` resumes. `l` steps the minimum level.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widgets import OptionList

from store.db import Database
from store.queries.notifications import (
    NotificationRow,
    notifications_after,
    recent_notifications,
)

from .. import format as fmt
from .. import store_access
from ..screens.details import DetailsScreen

POLL_SECONDS = 0.5
BACKLOG = 200
LEVEL_STEPS = (None, "info", "warning", "error")


def as_text(n: NotificationRow) -> Text:
    level = n.level.lower()
    text = Text()
    text.append(f"{fmt.when(n.at)} ", style="dim")
    text.append(f"{level.upper():<7}", style=fmt.LEVEL_STYLES.get(level, ""))
    if n.integration:
        text.append(f" {fmt.visible(n.integration)}", style="bold")
    text.append(f" {fmt.visible(n.message)}")
    return text


class FeedList(OptionList):
    """The feed's rows; moving or scrolling up pauses following, `end` resumes it."""

    @property
    def feed(self) -> NotificationsPane:
        assert isinstance(self.parent, NotificationsPane)
        return self.parent

    def _on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        super()._on_mouse_scroll_up(event)
        self.feed.following = False

    def action_cursor_up(self) -> None:
        super().action_cursor_up()
        self.feed.following = False

    def action_page_up(self) -> None:
        super().action_page_up()
        self.feed.following = False

    def action_first(self) -> None:
        super().action_first()
        self.feed.following = False

    def action_last(self) -> None:
        self.feed.following = True
        super().action_last()

    def on_focus(self) -> None:
        if self.highlighted is None and self.option_count:
            self.highlighted = self.option_count - 1

    def on_blur(self) -> None:
        if self.feed.following:
            self.highlighted = None  # no bar on the newest row while it just tails


class NotificationsPane(Vertical, can_focus=False):
    """The live feed at the bottom of every pane."""

    following: reactive[bool] = reactive(True)
    """New rows are written as they arrive; off, they wait and are counted."""

    min_level: reactive[str | None] = reactive(None)
    """Only this level and above (None: all)."""

    def __init__(self, db: Database, *, poll: bool = True) -> None:
        super().__init__(id="notifications")
        self.db = db
        self.poll = poll
        self.last_id = 0
        self.rows: list[NotificationRow] = []  # what the feed shows, oldest first
        self.waiting: list[NotificationRow] = []
        self.shown = 0
        self._polling = False

    def compose(self) -> ComposeResult:
        yield FeedList(id="feed")

    @property
    def feed(self) -> FeedList:
        return self.query_one(FeedList)

    def on_mount(self) -> None:
        self._update_title()
        self.reload()
        if self.poll:
            self.set_interval(POLL_SECONDS, self._poll)

    def watch_following(self, following: bool) -> None:
        if following and self.waiting:
            self._write(self.waiting)
            self.waiting = []
        if following:
            self._show_newest()
        self._update_title()

    def watch_min_level(self) -> None:
        self.reload()

    def _update_title(self) -> None:
        state = "following" if self.following else f"paused, {len(self.waiting)} new (end resumes)"
        level = f"level ≥ {self.min_level}" if self.min_level else "all levels"
        self.border_title = f"Recent notifications · {state} · {level}"
        keys = "f follow" if self.following else "end/f resume"
        self.border_subtitle = f"{keys} · l level · tab, enter open"

    @work(exclusive=True, group="notifications-reload", exit_on_error=False)
    async def reload(self) -> None:
        rows = await store_access.read(
            self.db, recent_notifications, limit=BACKLOG, min_level=self.min_level
        )
        self.feed.clear_options()
        self.rows = []
        self.shown = 0
        self.waiting = []
        self.last_id = max((n.id or 0 for n in rows), default=self.last_id)
        self._write(rows)
        self._show_newest()

    def _poll(self) -> None:
        # One poll at a time: a slow database must not pile up threads.
        if self.is_mounted and not self._polling:
            self._polling = True
            self._fetch_new()

    @work(group="notifications-poll", exit_on_error=False)
    async def _fetch_new(self) -> None:
        try:
            rows = await store_access.read(
                self.db, notifications_after, self.last_id, min_level=self.min_level
            )
        finally:
            self._polling = False
        if not rows:
            return
        self.last_id = max(n.id or 0 for n in rows)
        if self.following:
            self._write(rows)
            self._show_newest()
        else:
            self.waiting.extend(rows)
            self._update_title()

    def _write(self, rows: Sequence[NotificationRow]) -> None:
        feed = self.feed
        self.rows.extend(rows)
        self.shown += len(rows)
        if len(self.rows) > BACKLOG:
            # Past the backlog the oldest go: one rebuild per batch, not one per row.
            self.rows = self.rows[-BACKLOG:]
            feed.clear_options()
            feed.add_options(as_text(n) for n in self.rows)
        else:
            feed.add_options(as_text(n) for n in rows)

    def _show_newest(self) -> None:
        feed = self.feed
        if feed.has_focus and feed.option_count:
            feed.highlighted = feed.option_count - 1
        # Now: add_options has measured the new rows, and after a rebuild (past the backlog)
        # the list stands at its top; left there until the refresh, every poll would paint
        # the oldest rows for a frame, then the newest (a flicker, and twice the bytes on an
        # SSH link). Again after the refresh, for rows measured only then (a resize).
        feed.scroll_end(animate=False, immediate=True)
        feed.call_after_refresh(feed.scroll_end, animate=False, immediate=True)

    @on(OptionList.OptionSelected, "#feed")
    def _open(self, event: OptionList.OptionSelected) -> None:
        if not 0 <= event.option_index < len(self.rows):
            return
        n = self.rows[event.option_index]
        fields: list[tuple[str, object]] = [
            ("at", fmt.when_long(n.at)),
            ("level", n.level.lower()),
            ("integration", n.integration),
            ("run", n.run_id),
            ("event", n.event),
            ("message", n.message),
            *((key, value) for key, value in (n.data or {}).items()),
        ]
        self.app.push_screen(DetailsScreen("Notification", fields))

    def action_follow(self) -> None:
        self.following = not self.following

    def action_level(self) -> None:
        index = LEVEL_STEPS.index(self.min_level)
        self.min_level = LEVEL_STEPS[(index + 1) % len(LEVEL_STEPS)]
        self._update_title()
