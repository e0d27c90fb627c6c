"""`dropdeck` with no command: open the console on the operator's store."""

from __future__ import annotations

from store.db import Database

from ..context import open_store
from ..runtime.logging import configure_logging, shutdown_logging


def run_console(db: Database, *, readonly: bool = False) -> int:
    """Open the console on `db` until the operator quits; returns the exit status."""
    from console.tui.app import DropdeckApp  # textual loads only when the console opens

    # Jobs the console's own worker runs report to the log file and the notification
    # table like any worker's; nothing goes to the terminal the console draws on.
    configure_logging(db.settings.home, db=db, stderr=False)
    try:
        app = DropdeckApp(db, readonly=readonly)
        result = app.run()
    finally:
        shutdown_logging()
    return app.return_code if app.return_code is not None else int(result or 0)


def open_console(readonly: bool) -> int:
    db = open_store()
    try:
        return run_console(db, readonly=readonly)
    finally:
        db.dispose()
