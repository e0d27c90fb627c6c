"""Listings pane: tab counts, filter, paging to the end, pause/hide through the store."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from console.runtime.demo_data import seed_listings
from console.tui.app import PANES, DropdeckApp
from console.tui.panes.listings import ListingsPane
from console.tui.screens.confirm import ConfirmScreen
from console.tui.widgets.paged_table import PagedTable
from console.tui.widgets.tab_bar import TabBar
from store.commands.audit import operator_name
from store.db import Database
from store.models import AuditEvent, Channel, ListingVariant
from store.queries.listings import CONSOLE_TABS, ListingTab, count_listings

from .conftest import settle, wait_until


def _table(app: DropdeckApp) -> PagedTable:
    return app.query_one("#listing-table", PagedTable)


async def test_tab_counts_match_the_store(
    make_app: Callable[..., DropdeckApp], demo_db: Database
) -> None:
    with demo_db.read() as session:
        expected = count_listings(session)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3")
        await settle(pilot)
        pane = app.query_one(ListingsPane)
        assert pane.counts == expected
        labels = app.query_one("#listing-tabs", TabBar).labels
        assert labels[1] == f"Linked {expected[ListingTab.LINKED]:,}"
        for step, tab in enumerate(CONSOLE_TABS[1:], start=1):
            await pilot.press("right_square_bracket")
            await settle(pilot)
            rows = _table(app).rows
            assert len(rows) == expected[tab], tab
            nav = app.query_one("#nav", TabBar)
            assert pane.tab is tab and nav.active == PANES.index("listings")  # still Listings
            assert app.query_one("#listing-tabs", TabBar).active == step


async def test_filter_narrows_rows(make_app: Callable[..., DropdeckApp]) -> None:
    app = make_app(pane="listings")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        before = len(_table(app).rows)
        await pilot.press("slash", *"WPS-000001", "enter")
        await settle(pilot)
        rows = _table(app).rows
        assert 0 < len(rows) < before
        assert all(r.sku.startswith("WPS-000001") for r in rows)
        assert app.query_one(ListingsPane).counts[ListingTab.ALL] == len(rows)


async def test_pause_changes_the_store_and_writes_an_audit_row(
    make_app: Callable[..., DropdeckApp], demo_db: Database
) -> None:
    app = make_app(pane="listings")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        row = _table(app).cursor_row
        assert row is not None and not row.paused
        await pilot.press("p")
        await settle(pilot)
        with demo_db.read() as session:
            assert session.get(ListingVariant, row.id).paused  # type: ignore[union-attr]
            audit = session.scalars(sa.select(AuditEvent)).all()
        assert [(a.action, a.record_id, a.actor) for a in audit] == [
            ("listing.pause", str(row.id), operator_name("console"))
        ]
        await wait_until(pilot, lambda: bool(_table(app).cursor_row.paused))  # re-read


async def test_marking_several_rows_asks_before_pausing(
    make_app: Callable[..., DropdeckApp], demo_db: Database
) -> None:
    app = make_app(pane="listings")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("space", "space", "space")
        marked = [r.id for r in _table(app).targets()]
        assert len(marked) == 3
        await pilot.press("h")
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen.question == "Hide 3 listings?"
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("p", "y")
        await settle(pilot)
        with demo_db.read() as session:
            paused = session.scalars(
                sa.select(ListingVariant.paused).where(ListingVariant.id.in_(marked))
            ).all()
            hidden = session.scalar(
                sa.select(sa.func.count()).where(
                    ListingVariant.id.in_(marked), ListingVariant.hidden.is_(True)
                )
            )
            audit = session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
        assert paused == [True, True, True]
        assert audit == 2  # one row was paused already in the demo data
        assert hidden == 0
        assert not _table(app).marks


async def test_end_and_home_page_by_keyset(sqlite_db: Database) -> None:
    with sqlite_db.write() as session:
        channel = Channel(name="big", kind="woocommerce")
        session.add(channel)
        session.flush()
        channel_id = channel.id
    seed_listings(sqlite_db, channel_id or 0, 2_000)
    with sqlite_db.read() as session:
        last_sku = session.scalar(sa.select(sa.func.max(ListingVariant.sku)))
    app = DropdeckApp(sqlite_db, start_worker=False, live=False, pane="listings")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = _table(app)
        assert not table.at_end and len(table.rows) == 256
        await pilot.press("end")
        await settle(pilot)
        assert table.cursor_row.sku == last_sku
        assert table.position == 1_999
        await pilot.press("pageup", "pageup")
        await settle(pilot)
        assert table.position == 1_999 - 2 * (table.size.height - 2)
        await pilot.press("home")
        await settle(pilot)
        assert table.position == 0 and table.at_start
        for _ in range(12):  # walk forward past several pages: fetched by keyset as we go
            table.action_cursor(200)
            await settle(pilot)
        assert table.position == 1_999 and table.at_end
        assert len(table.rows) <= 8 * 256


async def test_unlink_asks_then_unlinks_with_an_audit_row(
    make_app: Callable[..., DropdeckApp], demo_db: Database
) -> None:
    app = make_app(pane="listings")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        row = _table(app).cursor_row
        assert row is not None and row.link_state == "linked"
        await pilot.press("u")
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen.question == f"Unlink {row.sku} from the store product?"
        await pilot.press("n")
        await settle(pilot)
        with demo_db.read() as session:
            assert session.get_one(ListingVariant, row.id).link_state == row.link_state
        await pilot.press("u", "y")
        await settle(pilot)
        with demo_db.read() as session:
            after = session.get_one(ListingVariant, row.id)
            audit = session.scalars(sa.select(AuditEvent)).all()
        assert (after.link_state, after.external_id) == ("unlinked", None)
        assert [(a.action, a.record_id) for a in audit] == [("listing.unlink", str(row.id))]
