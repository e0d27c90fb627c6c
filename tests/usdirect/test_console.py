"""The console's order details show the order's shipments (with the source's status),
invoices and the routing preview; the Shipments pane shows the status too."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import sqlalchemy as sa

from console.tui.app import DropdeckApp
from console.tui.screens.details import DetailsScreen
from store.db import Database
from store.models import FulfillmentRequest, Invoice, Order, Shipment
from store.models._types import utcnow
from tests.tui.conftest import demo_db, make_app, settle, wait_until  # noqa: F401  (fixtures)
from tests.tui.test_hostile_text import screen_text


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
        session.add(
            Shipment(
                source_id=request.source_id,
                order_id=order.id or 0,
                request_id=request.id or 0,
                external_id="SHP-STATUS-1",
                carrier="UPS",
                tracking_number="1ZSTATUS01",
                shipped_at=utcnow(),
                status="Out for Delivery",
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
        [shipped] = [line for line in sections["Shipments"] if "1ZSTATUS01" in line]
        assert shipped.startswith("1ZSTATUS01 via UPS: Out for Delivery, from ")
        assert f"(PO {po})" in shipped
        [billed] = sections["Invoices"]
        assert billed.startswith("INV-10293: 129.95 from ")
        assert billed.endswith(f"(PO {po}, channel order number {po})")
        # Where each line would go now (ending with how many requests), or why it cannot.
        preview = sections["Routing preview"]
        assert preview[-1].startswith(("= ", "on hold: "))


async def test_the_shipments_pane_shows_the_sources_status(
    make_app: Callable[..., DropdeckApp],  # noqa: F811
    demo_db: Database,  # noqa: F811
) -> None:
    with demo_db.write() as session:
        shipment = session.scalars(sa.select(Shipment).order_by(Shipment.id.desc())).first()  # type: ignore[union-attr]
        assert shipment is not None
        shipment.status = "In Transit"
        tracking = shipment.tracking_number
    app = make_app(pane="shipments")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        row = app.current_pane.table.cursor_row
        assert row.tracking_number == tracking and row.status == "In Transit"
        assert "In Transit" in screen_text(app)
