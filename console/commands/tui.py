"""`dropdeck` with no command: open the console on the operator's store."""

from __future__ import annotations

import logging

import structlog

from store.db import Database

from ..context import open_store
from ..runtime.logging import configure_logging, shutdown_logging


def _silence_logging() -> None:
    """A read-only console runs no jobs and writes nothing, not even a log file (its user
    may not be allowed to); nothing it logs may reach the terminal it draws on either."""
    structlog.configure(logger_factory=structlog.ReturnLoggerFactory(), processors=[])
    logging.getLogger().addHandler(logging.NullHandler())


def run_console(db: Database, *, readonly: bool = False) -> int:
    """Open the console on `db` until the operator quits; returns the exit status.

    Read-only: no embedded worker, no log file, no notification rows; `db` should be opened
    read-only too (`open_store(readonly=True)`), so the database refuses any write."""
    from console.tui.app import DropdeckApp  # textual loads only when the console opens

    if readonly:
        _silence_logging()
    else:
        # Jobs the console's own worker runs report to the log file and the notification
        # table like any worker's; nothing goes to the terminal the console draws on.
        configure_logging(db.settings.home, db=db, stderr=False)
    try:
        app = DropdeckApp(db, readonly=readonly, start_worker=not readonly)
        result = app.run()
    finally:
        shutdown_logging()
    return app.return_code if app.return_code is not None else int(result or 0)


def open_console(readonly: bool) -> int:
    db = open_store(readonly=readonly)
    try:
        return run_console(db, readonly=readonly)
    finally:
        db.dispose()
