"""`dropdeck` with no command: open the console on the operator's store."""

from __future__ import annotations

from store.db import Database

from ..context import open_store


def run_console(db: Database, *, readonly: bool = False) -> int:
    """Open the console on `db` until the operator quits; returns the exit status."""
    from console.tui.app import DropdeckApp  # textual loads only when the console opens

    app = DropdeckApp(db, readonly=readonly)
    result = app.run()
    return app.return_code if app.return_code is not None else int(result or 0)


def open_console(readonly: bool) -> int:
    db = open_store()
    try:
        return run_console(db, readonly=readonly)
    finally:
        db.dispose()
