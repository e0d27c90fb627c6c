"""An integration the engine paused: paused with its reason in Sources, its notification in
the feed, and `p` unpauses it (audited)."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from textual.widgets import DataTable, OptionList, Static

from console.tui.app import DropdeckApp
from console.tui.panes.sources import SourcesPane
from store.commands.notify import insert_notifications
from store.commands.runs import record_run_outcome
from store.db import Database
from store.models import AuditEvent, Integration

from .conftest import settle, wait_until

NAME = "wps-demo/send_orders"
REASON = "WPS rejected the API key (HTTP 401)"


def _pause_as_the_engine_does(db: Database) -> int:
    """What a worker does when a run ends with an auth failure: the policy, then the log."""
    with db.write() as session:
        integration = session.scalars(sa.select(Integration).where(Integration.name == NAME)).one()
        assert integration.id is not None
        paused = record_run_outcome(
            session, integration.id, failed=True, pause_reason=REASON, max_consecutive_failures=5
        )
        assert paused == REASON
        insert_notifications(
            session,
            [
                {
                    "level": "error",
                    "event": "integration.paused",
                    "integration": NAME,
                    "integration_id": integration.id,
                    "message": f"{NAME} paused: {REASON}. Fix the cause, then unpause it",
                    "data": {"reason": REASON},
                }
            ],
        )
        return integration.id


async def test_engine_pause_shows_with_its_reason_and_p_unpauses(
    make_app: Callable[..., DropdeckApp], demo_db: Database
) -> None:
    app = make_app(pane="orders")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        integration_id = _pause_as_the_engine_does(demo_db)
        feed = app.query_one("#notifications #feed", OptionList)
        await wait_until(
            pilot,
            lambda: any(
                f"{NAME} paused" in str(feed.get_option_at_index(i).prompt)
                for i in range(feed.option_count)
            ),
        )
        await pilot.press("1")
        await settle(pilot)
        pane = app.query_one(SourcesPane)
        rows = [r.name for r in pane.rows]
        table = pane.query_one(DataTable)
        assert str(table.get_row_at(rows.index(NAME))[3]) == "paused"
        assert "1 paused" in str(pane.query_one(".pane-title", Static).render())
        reason = pane.query_one(".paused-reason", Static)
        assert not reason.display  # the first row is not paused
        table.move_cursor(row=rows.index(NAME))
        await settle(pilot)
        assert reason.display
        assert str(reason.render()) == f"{NAME} paused: {REASON} — p unpauses"
        await pilot.press("p")
        await settle(pilot)
        assert (
            not reason.display and str(table.get_row_at(rows.index(NAME))[3]) == "enabled"
        )  # the CLI's word
    with demo_db.read() as session:
        assert session.get(Integration, integration_id).paused_reason is None
        audit = session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(a.action, a.actor.split("@")[1]) for a in audit] == [
        ("integration.pause", "runtime"),
        ("integration.unpause", "console"),
    ]
    assert audit[1].before == {"paused_reason": REASON}
