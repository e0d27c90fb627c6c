"""Several consoles on one database: each sees the others' actions within a second.

Twice a second the console reads the store's change counter (`store.changes`: one row, one
number, bumped by every committing write to a table a pane shows). Unchanged, nothing
happens: no query of the pane's rows, no repaint. Changed (another console, a worker, the
CLI), the visible pane re-reads its page; the others re-read when shown, as always.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from store.changes import store_version

from . import store_access

if TYPE_CHECKING:
    from .app import DropdeckApp

POLL_SECONDS = 0.5


class StoreWatch:
    def __init__(self, app: DropdeckApp) -> None:
        self.app = app
        self.version: int | None = None
        self._reading = False

    def start(self) -> None:
        self.app.set_interval(POLL_SECONDS, self._tick)

    def _tick(self) -> None:
        if not self._reading:  # a slow read (a busy database) is not stacked on
            self._reading = True
            self.app.run_worker(self._check(), group="store-watch", exit_on_error=False)

    async def _check(self) -> None:
        try:
            version = await store_access.read(self.app.db, store_version)
        finally:
            self._reading = False
        # The first read reloads too: the pane's first page may predate it (a change made
        # between that page and this read would otherwise never show).
        changed = version != self.version
        self.version = version
        if changed:
            pane = self.app.current_pane
            if pane.is_mounted and pane._started:
                pane.refresh_on_change()
