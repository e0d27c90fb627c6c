"""`r` on a held order: add the missing shipping mapping and route again (audited); `i` in
Listings links a listing to a supplier's inventory item."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from textual.widgets import Input

from console.tui.app import DropdeckApp
from console.tui.panes.listings import ListingsPane
from console.tui.panes.orders import OrdersPane
from console.tui.screens.ask_value import AskValueScreen
from console.tui.screens.confirm import ConfirmScreen
from store.commands.channel_orders import missing_mapping_reason
from store.db import Database
from store.models import AuditEvent, Channel, ListingVariant, Order, OrderLine, ShippingMapping
from store.queries.listings import ListingTab

from .conftest import settle, wait_until


def _held_for_mapping(db: Database) -> str:
    """Make the newest held order one held for a missing 'Local pickup' mapping, its line a
    SKU with stock; sources ship by ground and express. Returns its number."""
    with db.write() as s:
        order = s.scalars(
            sa.select(Order).where(Order.status == "on_hold").order_by(Order.id.desc())
        ).first()
        assert order is not None
        channel = s.get(Channel, order.channel_id)
        assert channel is not None
        order.shipping_text = "Local pickup"
        order.hold_reason = missing_mapping_reason(
            channel.name, "local_pickup", "Local pickup", ["express", "ground"]
        )
        s.add(order)
        line = s.scalars(sa.select(OrderLine).where(OrderLine.order_id == order.id)).one()
        line.sku, line.quantity = "WPS-0000001-RED", 1
        s.add(line)
        for source_id, key in ((1, "ground"), (1, "express")):
            s.add(ShippingMapping(scope="source", owner_id=source_id, key=key, value="BEST"))
        return order.number


async def _select_order(pilot: object, pane: OrdersPane, number: str) -> None:
    at = next(i for i, r in enumerate(pane.table.rows) if r.number == number)
    pane.table.action_cursor(at - pane.table.cursor)


async def test_r_on_an_order_held_for_a_mapping_adds_it_and_routes_again(
    make_app: Callable[..., DropdeckApp], demo_db: Database
) -> None:
    number = _held_for_mapping(demo_db)
    app = make_app(pane="orders")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        pane = app.query_one(OrdersPane)
        await _select_order(pilot, pane, number)
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, AskValueScreen))
        screen = app.screen
        assert isinstance(screen, AskValueScreen) and screen.choices == ["express", "ground"]
        box = screen.query_one("#ask-input", Input)
        box.value = "overnight"  # not a policy the sources ship by: refused in the dialog
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        box.value = "GROUND"
        await pilot.press("enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, AskValueScreen))
        await settle(pilot)
        messages = [n.message for n in app._notifications]
        assert any(
            "local_pickup -> ground added" in m and f"order {number} routed" in m for m in messages
        )
    with demo_db.read() as s:
        order = s.scalars(sa.select(Order).where(Order.number == number)).one()
        assert (order.status, order.shipping_policy) == ("routed", "ground")
        actions = set(s.scalars(sa.select(AuditEvent.action)))
    assert {"shipping_mapping.set", "order.route_again"} <= actions


async def test_r_on_an_order_held_for_stock_routes_again_after_asking(
    make_app: Callable[..., DropdeckApp], demo_db: Database
) -> None:
    with demo_db.read() as s:
        number = s.scalars(
            sa.select(Order.number).where(Order.status == "on_hold").order_by(Order.id.desc())
        ).first()
    assert number is not None
    app = make_app(pane="orders")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        pane = app.query_one(OrdersPane)
        await _select_order(pilot, pane, number)
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "Route order" in app.screen.question  # type: ignore[attr-defined]
        await pilot.press("y")
        await wait_until(
            pilot, lambda: any("still on hold" in n.message for n in app._notifications)
        )
    with demo_db.read() as s:
        audited = s.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "order.route_again")
        ).one()
    assert audited.after["status"] == "on_hold"  # no supplier yet: held, with today's reason


async def test_i_links_a_listing_to_inventory_and_its_supplier_shows(
    make_app: Callable[..., DropdeckApp], demo_db: Database
) -> None:
    app = make_app(pane="listings")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        pane = app.query_one(ListingsPane)
        pane.show_tab(ListingTab.NO_SUPPLIER)
        await settle(pilot)
        row = pane.table.rows[0]
        assert row.supplier is None
        before = pane.counts[ListingTab.NO_SUPPLIER]
        await pilot.press("i")
        await wait_until(pilot, lambda: isinstance(app.screen, AskValueScreen))
        app.screen.query_one("#ask-input", Input).value = "WPS-0000001-RED"
        await pilot.press("enter")
        await wait_until(pilot, lambda: pane.counts.get(ListingTab.NO_SUPPLIER) == before - 1)
        assert row.id not in {r.id for r in pane.table.rows}  # it has a supplier now
    with demo_db.read() as s:
        variant = s.get(ListingVariant, row.id)
        assert variant is not None and variant.master_sku == "WPS-0000001-RED"
        audited = s.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "listing.link_inventory")
        ).one()
    assert audited.after == {"master_sku": "WPS-0000001-RED"}
