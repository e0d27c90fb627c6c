"""Two consoles on one database file: one sees the other's action within a second (the
store's change counter, polled), and an action on a row changed meanwhile is refused with
what the row is now, instead of overwriting it."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa

from console.tui.app import DropdeckApp
from console.tui.panes.base import Pane
from console.tui.panes.listings import ListingsPane
from console.tui.panes.orders import OrdersPane
from console.tui.panes.sources import SourcesPane
from store.db import Database, open_database
from store.models import ListingVariant, Order
from store.queries.listings import ListingTab
from store.queries.runs import list_integrations

from .conftest import settle, wait_until


@pytest.fixture
def second_db(demo_db: Database) -> Iterator[Database]:
    """The same database file through a second handle, as another operator's console."""
    other = open_database(demo_db.settings)
    yield other
    other.dispose()


def _first_paused(app: DropdeckApp) -> bool:
    row = app.query_one(SourcesPane).rows[0]
    return bool(getattr(row, "paused_reason", None))


async def test_an_action_in_one_console_shows_in_the_other_within_a_second(
    make_app: Callable[..., DropdeckApp],
    second_db: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Panes' own periodic refresh off: only the change signal can bring the news.
    monkeypatch.setattr(Pane, "REFRESH_SECONDS", 3600.0)
    monkeypatch.setattr(SourcesPane, "REFRESH_SECONDS", 3600.0)
    ann = make_app(live=True)
    bob = make_app(db=second_db, live=True)
    async with ann.run_test(size=(80, 24)) as a, bob.run_test(size=(80, 24)) as b:
        await settle(a)
        await settle(b)
        assert not _first_paused(ann) and not _first_paused(bob)
        await a.press("p")
        await wait_until(a, lambda: _first_paused(ann), timeout=5)
        # Bounded: well inside a second on an idle machine; 3 s is still far below the
        # 3600 s pane refresh, so only the change signal can have done it.
        await wait_until(b, lambda: _first_paused(bob), timeout=3)


async def test_a_stale_action_is_refused_with_what_the_row_is_now(
    make_app: Callable[..., DropdeckApp], second_db: Database
) -> None:
    ann = make_app()
    bob = make_app(db=second_db)  # not live: Bob's screen keeps what he saw
    async with (
        ann.run_test(size=(80, 24)) as a,
        bob.run_test(size=(80, 24), notifications=True) as b,
    ):
        await settle(a)
        await settle(b)
        name = bob.query_one(SourcesPane).rows[0].name
        await a.press("p")  # Ann pauses it
        await wait_until(a, lambda: _first_paused(ann))
        assert not _first_paused(bob)  # Bob still sees it enabled, and presses p to pause
        await b.press("p")
        await settle(b)
        messages = [n.message for n in bob._notifications]
        assert messages[-1] == (
            f"Integration {name} changed since you looked (now paused) — refreshed; "
            "press again to act"
        )
        assert _first_paused(bob)  # refreshed: Bob now sees Ann's pause, not undone
        with second_db.read() as session:
            now = {r.name: r for r in list_integrations(session, "source")}
        assert now[name].paused_reason and "paused by" in now[name].paused_reason
        await b.press("p")  # pressed again, on what is there now: it acts
        await settle(b)
        assert bob._notifications and [n.message for n in bob._notifications][-1] == (
            f"{name} unpaused"
        )


async def test_r_on_an_order_that_moved_on_says_so(make_app: Callable[..., DropdeckApp]) -> None:
    app = make_app(pane="orders")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        row = app.query_one(OrdersPane).table.cursor_row
        assert row is not None and row.status != "shipped"
        with app.db.write() as session:  # meanwhile a worker records its shipment
            session.execute(sa.update(Order).where(Order.id == row.id).values(status="shipped"))
        await pilot.press("r")
        await settle(pilot)
        assert [n.message for n in app._notifications][-1] == (
            f"Order {row.number} changed since you looked (now shipped) — refreshed; "
            "press again to act"
        )
        now = app.query_one(OrdersPane).table.cursor_row
        assert now is not None and now.status == "shipped"  # shown as it is now


async def test_a_stale_listing_action_changes_nothing(
    make_app: Callable[..., DropdeckApp],
) -> None:
    app = make_app(pane="listings")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        row = app.query_one(ListingsPane).table.cursor_row
        assert row is not None and not row.paused and not row.hidden
        with app.db.write() as session:  # another operator hides it
            session.execute(
                sa.update(ListingVariant).where(ListingVariant.id == row.id).values(hidden=True)
            )
        await pilot.press("p")
        await settle(pilot)
        state = row.link_state.replace("_", " ")
        assert [n.message for n in app._notifications][-1] == (
            f"Listing {row.sku} changed since you looked (now {state}, hidden) — refreshed; "
            "press again to act"
        )
        with app.db.read() as session:
            stored = session.get(ListingVariant, row.id)
        assert stored is not None and not stored.paused  # not paused behind the change


async def test_listings_show_a_change_at_once_and_its_tab_count_soon_after(
    make_app: Callable[..., DropdeckApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ListingsPane, "REFRESH_SECONDS", 3600.0)
    app = make_app(pane="listings", live=True)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(ListingsPane)
        await wait_until(pilot, lambda: ListingTab.PAUSED in pane.counts)
        paused = pane.counts[ListingTab.PAUSED]
        row = pane.table.cursor_row
        assert row is not None and not row.paused
        with app.db.write() as session:  # another operator pauses it
            session.execute(
                sa.update(ListingVariant).where(ListingVariant.id == row.id).values(paused=True)
            )

        def shown() -> bool:
            now = pane.table.cursor_row
            return now is not None and now.paused

        await wait_until(pilot, shown, timeout=3)
        # The counts follow within COUNT_EVERY (2 s) of the last count, not 3600 s.
        await wait_until(pilot, lambda: pane.counts[ListingTab.PAUSED] == paused + 1, timeout=5)
