"""Recent Notifications: always visible, tails the `notification` table by id.

A timer asks for rows newer than the last id every half second, in a thread, so rows
written by any process (a worker, the CLI) appear within a second. New rows are written
in one batch per poll. `f` stops following (new rows wait, counted in the title);
`l` steps the minimum level.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widgets import RichLog

from store.db import Database
from store.models import Notification
from store.queries.notifications import notifications_after, recent_notifications

from .. import format as fmt
from .. import store_access

POLL_SECONDS = 0.5
BACKLOG = 200
LEVEL_STEPS = (None, "info", "warning", "error")


def as_text(n: Notification) -> Text:
    level = n.level.lower()
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{fmt.when(n.at)} ", style="dim")
    text.append(f"{level.upper():<7}", style=fmt.LEVEL_STYLES.get(level, ""))
    if n.integration:
        text.append(f" {n.integration}", style="bold")
    text.append(f" {n.message}")
    return text


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
        self.waiting: list[Notification] = []
        self.shown = 0
        self._polling = False

    def compose(self) -> ComposeResult:
        yield RichLog(max_lines=BACKLOG, wrap=False, markup=False, highlight=False)

    def on_mount(self) -> None:
        self._update_title()
        self.reload()
        if self.poll:
            self.set_interval(POLL_SECONDS, self._poll)

    def watch_following(self, following: bool) -> None:
        if following and self.waiting:
            self._write(self.waiting)
            self.waiting = []
        self._update_title()

    def watch_min_level(self) -> None:
        self.reload()

    def _update_title(self) -> None:
        state = "following" if self.following else f"paused, {len(self.waiting)} new"
        level = f"level ≥ {self.min_level}" if self.min_level else "all levels"
        self.border_title = f"Recent notifications · {state} · {level}"
        self.border_subtitle = "f follow · l level"

    @work(exclusive=True, group="notifications-reload", exit_on_error=False)
    async def reload(self) -> None:
        rows = await store_access.read(
            self.db, recent_notifications, limit=BACKLOG, min_level=self.min_level
        )
        log = self.query_one(RichLog)
        log.clear()
        self.shown = 0
        self.waiting = []
        self.last_id = max((n.id or 0 for n in rows), default=self.last_id)
        self._write(rows)

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
        else:
            self.waiting.extend(rows)
            self._update_title()

    def _write(self, rows: Sequence[Notification]) -> None:
        log = self.query_one(RichLog)
        for n in rows:
            log.write(as_text(n), scroll_end=self.following)
        self.shown += len(rows)

    def action_follow(self) -> None:
        self.following = not self.following

    def action_level(self) -> None:
        index = LEVEL_STEPS.index(self.min_level)
        self.min_level = LEVEL_STEPS[(index + 1) % len(LEVEL_STEPS)]
        self._update_title()
