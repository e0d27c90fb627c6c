"""The console opens on what needs attention; each line's key opens its list, filtered."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from textual.widgets import DataTable, OptionList, Static

from console.tui.app import PANES, DropdeckApp
from console.tui.panes.attention import AttentionPane
from console.tui.panes.inventory import InventoryPane
from console.tui.panes.listings import ListingsPane
from console.tui.panes.orders import OrdersPane
from console.tui.panes.sources import SourcesPane
from console.tui.widgets.tab_bar import TabBar
from store.db import Database
from store.models import FulfillmentRequest, Integration, ListingVariant, Order
from store.models._types import utcnow
from store.queries.attention import attention
from store.queries.listings import ListingTab

from .conftest import settle, wait_until


def _lines(app: DropdeckApp) -> list[str]:
    options = app.query_one("#attention-list", OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_opens_on_the_attention_summary_with_the_counts(
    make_app: Callable[..., DropdeckApp], demo_db: Database
) -> None:
    with demo_db.read() as session:
        expected = attention(session)
        held = session.scalar(
            sa.select(sa.func.count()).select_from(Order).where(Order.status == "on_hold")
        )
    assert expected.held_orders == held and held
    app = DropdeckApp(demo_db, start_worker=False, live=False)  # as `dropdeck` opens it
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.current_pane.id == "attention"
        lines = _lines(app)
        assert lines[0].split()[:4] == ["h", "Held", "orders", str(expected.held_orders)]
        assert lines[1].split()[:4] == ["r", "Failed", "requests", str(expected.failed_requests)]
        assert lines[2].split()[:4] == ["b", "Broken", "links", f"{expected.broken_links:,}"]
        assert f"{expected.no_supplier:,}" in lines[4]
        assert "order #" in lines[0]  # the newest held order, with its reason
        assert not app.query_one("#attention-empty", Static).display


async def test_keys_jump_to_each_list_filtered(make_app: Callable[..., DropdeckApp]) -> None:
    app = make_app(pane="attention")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        orders = app.query_one(OrdersPane)
        assert app.current_pane is orders and orders.filter_text == "on hold"
        assert orders.table.rows and {r.status for r in orders.table.rows} == {"on_hold"}
        await pilot.press("0", "r")
        await settle(pilot)
        assert orders.filter_text == "failed"
        assert all(
            r.status == "failed" or any(q.status == "failed" for q in r.fulfillment_requests)
            for r in orders.table.rows
        )
        await pilot.press("0", "b")
        await settle(pilot)
        listings = app.query_one(ListingsPane)
        assert app.current_pane is listings and listings.tab is ListingTab.BROKEN_LINK
        assert {r.link_state for r in listings.table.rows} == {"broken_link"}
        await pilot.press("0", "n")
        await settle(pilot)
        assert listings.tab is ListingTab.NO_SUPPLIER
        assert listings.table.rows and all(r.supplier is None for r in listings.table.rows)
        # enter on a line opens the same list as its key
        await pilot.press("0", "down", "down", "enter")
        await settle(pilot)
        assert listings.tab is ListingTab.BROKEN_LINK


async def test_paused_integrations_open_sources_filtered(
    make_app: Callable[..., DropdeckApp], demo_db: Database
) -> None:
    with demo_db.write() as session:
        integration = session.scalars(
            sa.select(Integration).where(Integration.name == "wps-demo/send_orders")
        ).one()
        integration.paused_reason = "3 failed runs in a row"
        session.add(integration)
    app = make_app(pane="attention")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "wps-demo/send_orders: 3 failed runs in a row" in _lines(app)[3]
        await pilot.press("p")
        await settle(pilot)
        sources = app.query_one(SourcesPane)
        assert app.current_pane is sources and sources.filter_text == "paused"
        assert [r.name for r in sources.rows] == ["wps-demo/send_orders"]
        await pilot.press("escape")  # esc clears the filter the jump set
        await settle(pilot)
        assert sources.filter_text == "" and len(sources.rows) > 1


async def test_all_is_well_says_so_and_what_next(
    make_app: Callable[..., DropdeckApp], demo_db: Database
) -> None:
    with demo_db.write() as session:
        session.execute(sa.update(Order).values(status="completed", hold_reason=None))
        session.execute(sa.update(FulfillmentRequest).values(status="shipped"))
        session.execute(sa.update(ListingVariant).values(link_state="linked"))
        session.execute(sa.update(Integration).values(paused_reason=None))
    app = make_app(pane="attention")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        pane = app.query_one(AttentionPane)
        empty = app.query_one("#attention-empty", Static)
        assert empty.display
        assert "All is well" in str(empty.render())
        assert "Next:" in str(empty.render())
        assert "all is well" in str(pane.query_one(".pane-title", Static).render())


async def test_a_new_hold_shows_on_the_next_refresh(
    make_app: Callable[..., DropdeckApp], demo_db: Database
) -> None:
    app = make_app(pane="attention")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        pane = app.query_one(AttentionPane)
        assert pane.summary is not None
        before = pane.summary.held_orders
        with demo_db.write() as session:
            order = session.scalars(sa.select(Order).where(Order.status == "new")).first()
            assert order is not None
            order.status, order.hold_reason = "on_hold", "no source has stock for X x1"
            order.updated_at = utcnow()
            session.add(order)
        pane.load()
        await wait_until(
            pilot, lambda: pane.summary is not None and pane.summary.held_orders == before + 1
        )
        assert f"order {order.number}: no source has stock" in _lines(app)[0]


async def test_i_in_sources_opens_that_sources_inventory_paged_and_filterable(
    make_app: Callable[..., DropdeckApp], demo_db: Database
) -> None:
    with demo_db.write() as session:  # one item no listing is backed by
        session.execute(
            sa.update(ListingVariant)
            .where(ListingVariant.sku == "WPS-0000019-BLU")
            .values(master_sku="ELSEWHERE-1")
        )
    app = make_app(pane="sources")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        sources = app.query_one(SourcesPane)
        at = next(i for i, r in enumerate(sources.rows) if r.owner == "Western Power Sports")
        sources.query_one(DataTable).move_cursor(row=at)
        await pilot.press("i")
        await settle(pilot)
        pane = app.query_one(InventoryPane)
        assert app.current_pane is pane and pane.filter_text == "Western Power Sports"
        assert app.query_one("#nav", TabBar).active == PANES.index("sources")
        rows = pane.table.rows
        assert len(rows) == 60 and {r.source for r in rows} == {"Western Power Sports"}
        assert [r.sku for r in rows] == sorted(r.sku for r in rows)
        listed = {r.sku for r in rows if r.listed}
        assert "WPS-0000001-RED" in listed and "WPS-0000019-BLU" not in listed
        await pilot.press("slash", "space", *"blu")
        await wait_until(pilot, lambda: pane.filter_text == "Western Power Sports blu")
        await settle(pilot)
        assert pane.table.rows and all(r.sku.endswith("-BLU") for r in pane.table.rows)
