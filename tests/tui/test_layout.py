"""What fits at 80 columns and what appears at 120: each pane keeps its essential columns
whole at 80 (Listings' title, Pending, Orders' requests) and adds the rest when wider;
the command palette uses the screen's height."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from textual.command import CommandList

from console.tui.app import DropdeckApp
from console.tui.panes.orders import _status
from console.tui.widgets.paged_table import PagedTable
from store.db import Database
from store.models import Order

from .conftest import settle, wait_until


def _header_and_rows(app: DropdeckApp, table_id: str) -> tuple[str, list[str]]:
    table = app.query_one(f"#{table_id}", PagedTable)
    lines = [table.strips.line(table, y).text for y in range(min(12, len(table.rows) + 1))]
    return lines[0], lines[1:]


async def test_listings_at_80_show_title_and_pending_whole_and_more_at_120(
    make_app: Callable[..., DropdeckApp],
) -> None:
    for width, shown, hidden in ((80, ["Title", "Pending"], ["Channel", "Qty"]), (120, [], [])):
        app = make_app(pane="listings")
        async with app.run_test(size=(width, 24)) as pilot:
            await settle(pilot)
            header, rows = _header_and_rows(app, "listing-table")
            table = app.query_one("#listing-table", PagedTable)
            for title in shown:
                assert title in header
            for title in hidden:
                assert title not in header
            if width == 120:
                assert "Channel" in header and "Qty" in header
            for line, row in zip(rows, table.rows, strict=False):
                assert row.title in line  # type: ignore[attr-defined]
                if row.pending:  # type: ignore[attr-defined]
                    assert f" {row.pending} " in line  # type: ignore[attr-defined]


async def test_orders_at_80_show_each_request_whole(
    make_app: Callable[..., DropdeckApp],
) -> None:
    app = make_app(pane="orders")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        header, rows = _header_and_rows(app, "orders-table")
        table = app.query_one("#orders-table", PagedTable)
        assert header.split() == ["Order", "Status", "Placed", "UTC", "Total", "Requests"]
        checked = 0
        for line, row in zip(rows, table.rows, strict=False):
            for req in row.fulfillment_requests:  # type: ignore[attr-defined]
                assert f"{_status(req.status).plain} {req.source}" in line
                checked += 1
        assert checked


async def test_the_palette_lists_most_of_the_screen_at_80x24(
    make_app: Callable[..., DropdeckApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: bool(app.screen.query(CommandList)))
        await pilot.pause(0.3)
        results = app.screen.query_one(CommandList)
        await wait_until(pilot, lambda: results.option_count > 0)
        await pilot.pause(0.2)
        assert results.size.height >= 16  # of 24 rows: 8 entries with their help line


async def test_orders_at_80_tell_long_alike_numbers_apart_by_their_end(
    make_app: Callable[..., DropdeckApp], demo_db: Database
) -> None:
    # Magento increment ids (and ShipStation numbers) share their start: 000000123.
    with demo_db.write() as session:
        newest = session.scalars(sa.select(Order).order_by(Order.id.desc()).limit(3)).all()  # type: ignore[union-attr]
        for order, number in zip(newest, ("000000123", "000000124", "#77"), strict=True):
            order.number = number
    app = make_app(pane="orders")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        _, rows = _header_and_rows(app, "orders-table")
        cells = [line.split()[0] for line in rows]
    assert "…000123" in cells and "…000124" in cells
    assert "#77" in cells  # a short number stays whole
    assert not any(c.startswith("0000") for c in cells)
