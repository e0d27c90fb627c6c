"""The console's order details show the order's invoices and the routing preview."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import sqlalchemy as sa

from console.tui.app import DropdeckApp
from console.tui.screens.details import DetailsScreen
from store.db import Database
from store.models import FulfillmentRequest, Invoice, Order
from tests.tui.conftest import demo_db, make_app, settle, wait_until  # noqa: F401  (fixtures)


async def test_order_details_show_invoices_and_routing_preview(
    make_app: Callable[..., DropdeckApp],  # noqa: F811
    demo_db: Database,  # noqa: F811
) -> None:
    with demo_db.write() as session:
        order = session.scalars(sa.select(Order).order_by(Order.id.desc())).first()  # type: ignore[union-attr]
        assert order is not None
        request = session.scalars(
            sa.select(FulfillmentRequest).where(FulfillmentRequest.order_id == order.id)
        ).first()
        assert request is not None
        session.add(
            Invoice(
                source_id=request.source_id,
                request_id=request.id,
                external_id="INV-10293",
                number="INV-10293",
                total=Decimal("129.95"),
                data={"channel_order_number": request.po_number},
            )
        )
        number, po = order.number, request.po_number
    app = make_app(pane="orders")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        assert app.current_pane.table.cursor_row.number == number
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailsScreen))
        sections = dict(app.screen.sections)
        [billed] = sections["Invoices"]
        assert billed.startswith("INV-10293: 129.95 from ")
        assert billed.endswith(f"(PO {po}, channel order number {po})")
        # Where each line would go now (ending with how many requests), or why it cannot.
        preview = sections["Routing preview"]
        assert preview[-1].startswith(("= ", "on hold: "))
