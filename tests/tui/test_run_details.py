"""`enter` in Jobs: the run's summary, counters, record errors and the tail of its log."""

from __future__ import annotations

import json
from collections.abc import Callable

from textual.widgets import Static

from console.tui.app import DropdeckApp
from console.tui.panes.jobs import LOG_LINES
from console.tui.screens.details import DetailsScreen
from console.tui.widgets.paged_table import PagedTable
from store.commands.notify import insert_notifications
from store.db import Database

from .conftest import settle, wait_until


def _write_log(db: Database, run_id: int, run_uid: str, lines: int) -> None:
    logs = db.settings.home / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    events = [
        {"timestamp": "2026-03-02T09:29:00Z", "level": "info", "event": "run.started"},
        *(
            {
                "timestamp": f"2026-03-02T09:29:{i % 60:02d}Z",
                "level": "info",
                "event": "page.fetched",
                "page": i,
            }
            for i in range(1, lines)
        ),
        {
            "timestamp": "2026-03-02T09:29:59Z",
            "level": "warning",
            "event": "record.failed",
            "message": "SKU WPS-1: no price",
        },
    ]
    with (logs / "dropdeck.jsonl").open("w", encoding="utf-8") as fh:
        for event in events:
            fh.write(
                json.dumps({**event, "run_id": run_id, "run_uid": run_uid, "logger": "test"}) + "\n"
            )
        # Other runs' lines must not show: one of another run id, and one of a run with the
        # same id in a database since reset (the demo resets its database, keeps its logs).
        fh.write(json.dumps({"event": "other.run", "run_id": run_id + 1000}) + "\n")
        other_db = {"event": "run.started", "run_id": run_id, "run_uid": "0" * 32}
        fh.write(json.dumps({**other_db, "worker": "from-an-older-database"}) + "\n")


async def test_run_details_show_record_errors_and_the_log_tail(
    make_app: Callable[..., DropdeckApp], demo_db: Database
) -> None:
    app = make_app(pane="jobs")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        run = app.query_one("#jobs-table", PagedTable).cursor_row
        assert run is not None
        _write_log(demo_db, run.id, run.run_uid, lines=LOG_LINES + 5)
        with demo_db.write() as session:
            insert_notifications(
                session,
                [
                    {
                        "level": "warning",
                        "event": "record.failed",
                        "message": "SKU WPS-1: no price",
                        "run_id": run.id,
                        "integration": run.integration,
                    }
                ],
            )
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailsScreen))
        text = str(app.screen.query_one("#details-text", Static).render())
    assert f"summary      {run.summary}" in text
    assert "Record errors (1)\nSKU WPS-1: no price" in text
    assert f"Log (last {LOG_LINES} lines)" in text
    assert "09:29:59 warning record.failed SKU WPS-1: no price" in text
    assert "page.fetched page=6\n" in text and "page=5\n" not in text  # only the tail
    assert "run.started" not in text and "other.run" not in text
    assert "from-an-older-database" not in text


async def test_run_details_without_log_lines_say_so(
    make_app: Callable[..., DropdeckApp],
) -> None:
    app = make_app(pane="jobs")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailsScreen))
        text = str(app.screen.query_one("#details-text", Static).render())
    assert "Record errors (0)\nnone" in text
    assert "no log lines on this host" in text
