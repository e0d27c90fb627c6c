"""Store data cannot drive the operator's terminal: hostile names, SKUs, customer names,
errors and notes are drawn with their control characters visible, and never as markup."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from textual.pilot import Pilot

from console.tui.app import DropdeckApp
from console.tui.screens.details import DetailsScreen
from store.commands.notify import insert_notifications
from store.db import Database
from store.models import Integration, ListingVariant, Order

from .conftest import FROZEN_NOW, settle, wait_until

HELMET = "Helmet \x1b]0;PWNED\x07\x1b[2J\x1b[41mEVIL"
SKU = "AAA-\x9b31m-\u202eKLIS"
CUSTOMER = "[red]x[/red] Ann\x1b[2J"
# What a terminal must never receive from store data.
RAW = ("\x1b", "\x07", "\x9b", "\u202e")


@pytest.fixture
def hostile_db(demo_db: Database) -> Iterator[Database]:
    with demo_db.write() as session:
        first = session.scalars(sa.select(ListingVariant).order_by(ListingVariant.sku)).first()
        assert first is not None
        first.sku = SKU
        session.execute(sa.update(ListingVariant).values(title=HELMET))
        session.execute(sa.update(Order).values(customer_name=CUSTOMER))
        session.execute(
            sa.update(Integration).values(paused_reason="HTTP 401 \x1b]0;PWNED\x07 [b]bold[/b]")
        )
        insert_notifications(
            session,
            [
                {
                    "at": FROZEN_NOW,  # a fixed time: the snapshot shows it
                    "level": "error",
                    "event": "record.failed",
                    "message": f"{SKU}: {HELMET}",
                }
            ],
        )
    yield demo_db


def screen_text(app: DropdeckApp) -> str:
    """Every character the app would send for a full repaint of the current screen."""
    update = app.screen._compositor.render_full_update()
    return "\n".join("".join(seg.text for strip in line for seg in strip) for line in update.strips)


def assert_clean(text: str) -> None:
    found = [repr(c) for c in RAW if c in text]
    assert not found, f"raw control characters reached the screen: {found}"


@pytest.mark.parametrize(
    ("pane", "shown"),
    [
        ("listings", ["Helmet ␛]0;PWNED␇", "AAA-\\x9b31m-\\u202eKLIS"]),
        ("orders", ["[red]x[/red] …"]),  # the Customer column cuts it
        ("sources", ["[b]bold[/b]"]),  # the paused reason under the table, not bold
    ],
)
async def test_panes_show_hostile_store_text_visibly(
    hostile_db: Database, pane: str, shown: list[str]
) -> None:
    app = DropdeckApp(hostile_db, start_worker=False, live=False, pane=pane)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        text = screen_text(app)
    assert_clean(text)
    for part in shown:
        assert part in text
    # the feed at the bottom of every pane
    assert "AAA-\\x9b31m-\\u202eKLIS: Helmet ␛]0;PWNED␇␛[2J␛[41mEVIL" in text


async def test_details_dialog_and_toasts_show_hostile_text_literally(
    hostile_db: Database,
) -> None:
    app = DropdeckApp(hostile_db, start_worker=False, live=False, pane="orders")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailsScreen))
        await pilot.pause()
        details = screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        app.notify(f"refused {SKU}: [bold red]{HELMET}[/]", title="Action \x1b[2J failed")
        await wait_until(pilot, lambda: "Action ␛[2J failed" in screen_text(app))
        toast = screen_text(app)
    assert_clean(details)
    assert "[red]x[/red] Ann␛[2J" in details
    assert_clean(toast)
    assert "refused AAA-\\x9b31m-\\u202eKLIS: [bold red]Helmet" in toast  # not markup


def test_hostile_row_snapshot(hostile_db: Database, snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)

    app = DropdeckApp(hostile_db, start_worker=False, live=False, pane="listings")
    assert snap_compare(app, run_before=run_before, terminal_size=(80, 24))
