"""Send Orders fields the guide names, against the WPS sandbox."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from connectors.settings import SettingsError, no_templates
from connectors.wps.settings import SendSettings
from store.commands.fulfillment import resubmit_request
from store.models import FulfillmentRequest, Order, OrderLine

from .conftest import Wps, run_job


async def test_ah2d_is_for_alaska_and_hawaii_only(wps_sqlite: Wps) -> None:
    wps = wps_sqlite
    rid = wps.order([(wps.orderable_skus(1)[0], 1)], method="AH2D")  # ships to Boise, ID
    run = await run_job(wps.db, wps.integration("send_orders"))
    request = wps.request(rid)
    assert run.status == "partial" and (request.status, request.attempts) == ("failed", 0)
    assert request.last_error == (
        "shipping method AH2D is FedEx 2-Day for Alaska and Hawaii only, and this order ships "
        "to ID; use FE2D (resubmit with --shipping-method)"
    )
    assert wps.state.orders == {}
    with wps.db.write() as session:
        order = session.get(Order, request.order_id)
        assert order is not None
        session.execute(
            sa.update(FulfillmentRequest)
            .where(FulfillmentRequest.id == rid)  # type: ignore[arg-type]
            .values(shipping_address={**order.shipping_address, "state": "AK", "city": "Juneau"})
        )
        resubmit_request(session, rid, actor="ada@cli")
    run = await run_job(wps.db, wps.integration("send_orders"))
    assert run.counters == {"sent": 1}, run.summary
    assert wps.state.orders[request.po_number]["ship_state"] == "AK"


def test_an_unknown_order_mapping_target_is_refused_at_set_up() -> None:
    with pytest.raises(SettingsError) as refused:
        SendSettings.parse(
            {"mapping_template": {"customer_phone": "field:order.phone"}},
            integration="wps/send_orders",
            kind="send_orders",
            templates=no_templates,
        )
    assert str(refused.value).startswith(
        "send_orders setting 'mapping_template': cannot map customer_phone; targets are "
        "customer_email, customer_first_name, customer_last_name, billing_street_address_1,"
    )


def _shopper(wps: Wps, rid: int, **order: Any) -> None:
    """Give the request's order a buyer (billing) other than its recipient, and a note."""
    with wps.db.write() as session:
        request = session.get(FulfillmentRequest, rid)
        assert request is not None
        session.execute(
            sa.update(Order)
            .where(Order.id == request.order_id)  # type: ignore[arg-type]
            .values(**order)
        )
        session.execute(
            sa.update(OrderLine)
            .where(OrderLine.order_id == request.order_id)  # type: ignore[arg-type]
            .values(title="Fly Racing Jersey, Black L", price=Decimal("24.50"))
        )


BILLING = {
    "first_name": "Grace",
    "last_name": "Hopper",
    "address_1": "123 Main St",
    "city": "San Francisco",
    "state": "CA",
    "postcode": "94105",
    "country": "US",
}


async def test_every_send_orders_field_reaches_the_wps_cart(wps_sqlite: Wps) -> None:
    wps = wps_sqlite
    sku = wps.orderable_skus(1)[0]
    rid = wps.order([(sku, 1)], number="1232")
    placed = datetime(2026, 5, 29, 10, 0, tzinfo=UTC)
    note = 'Please ship quickly!\x1b[31m It\'s a gift "for" Zoë; leave it by the back door, thanks'
    _shopper(
        wps,
        rid,
        billing_address=BILLING,
        total=Decimal("102.60"),
        placed_at=placed,
        details={"customer_note": note},
    )
    run = await run_job(wps.db, wps.integration("send_orders", {"order_status": "on hold"}))
    assert run.counters == {"sent": 1}, run.summary
    po = wps.request(rid).po_number
    answer = wps.control.get(f"/_sandbox/orders/{po}/carts").json()["carts"]
    assert len(answer) == 1
    cart = answer[0]
    assert {k: cart.get(k) for k in EXPECTED} == EXPECTED
    # The note in WPS's two 50-character comment lines, control characters gone.
    assert cart["comment1"] == 'Please ship quickly! [31m It\'s a gift "for" Zoë;'
    assert cart["comment2"] == "leave it by the back door, thanks"
    assert cart["items"] == [
        {"item_sku": sku, "quantity": 1, "price": "24.50", "name": "Fly Racing Jersey, Black L"}
    ]
    # Order Status "On Hold": WPS holds the order; nothing ships until it is released.
    details = wps.state.orders[po]["order_details"]
    assert {d["order_status"] for d in details} == {"ON HOLD"}
    assert wps.control.post(f"/_sandbox/orders/{po}/ship", json={}).status_code == 409
    assert wps.control.post(f"/_sandbox/orders/{po}/release").status_code == 200
    assert wps.control.post(f"/_sandbox/orders/{po}/ship", json={}).status_code == 200


EXPECTED = {
    "email": "ada@example.com",
    "ship_name": "Ada Lovelace",
    "ship_address1": "1 Main St",
    "ship_city": "Boise",
    "ship_state": "ID",
    "ship_zip": "83702",
    "customer_first_name": "Grace",
    "customer_last_name": "Hopper",
    "bill_address1": "123 Main St",
    "bill_city": "San Francisco",
    "bill_state": "CA",
    "bill_zip": "94105",
    "bill_country": "US",
    "description": "1232",  # the channel's order number: the External Order ID
    "order_date": "2026-05-29T10:00:00Z",
    "order_total": "102.60",
    "hold_order": True,
}


async def test_order_status_pending_places_the_order_open(wps_sqlite: Wps) -> None:
    wps = wps_sqlite
    rid = wps.order([(wps.orderable_skus(1)[0], 1)])
    run = await run_job(wps.db, wps.integration("send_orders"))
    assert run.counters == {"sent": 1}, run.summary
    po = wps.request(rid).po_number
    assert wps.state.submitted[po][0].fields["hold_order"] is False
    assert {d["order_status"] for d in wps.state.orders[po]["order_details"]} <= {
        "OPEN",
        "BACKORDERED",
    }


def test_order_status_takes_the_guide_words_only() -> None:
    def parse(value: Any) -> SendSettings:
        return SendSettings.parse(
            {"order_status": value},
            integration="wps/send_orders",
            kind="send_orders",
            templates=no_templates,
        )

    assert parse("Awaiting Payment").order_status == "Awaiting Payment"
    assert parse(" pending ").order_status == "Pending"
    with pytest.raises(SettingsError) as refused:
        parse("Shipped")
    assert str(refused.value) == (
        "send_orders setting 'order_status' must be one of 'Pending', 'On Hold', "
        "'Awaiting Payment' (WPS places an order as it comes, or holds it), not 'Shipped'"
    )


async def test_a_shipping_country_outside_the_us_is_refused_before_sending(
    wps_sqlite: Wps,
) -> None:
    wps = wps_sqlite
    rid = wps.order([(wps.orderable_skus(1)[0], 1)])
    with wps.db.write() as session:
        request = session.get(FulfillmentRequest, rid)
        assert request is not None
        request.shipping_address = {**request.shipping_address, "country": "CA"}
        session.add(request)
    run = await run_job(wps.db, wps.integration("send_orders"))
    request = wps.request(rid)
    assert (run.status, request.status, request.attempts) == ("partial", "failed", 0)
    assert request.last_error == (
        "WPS drop-ships to US addresses only (its cart has no country), and this order ships "
        "to CA; route it to another source"
    )
    assert wps.state.orders == {} and wps.state.carts == {}


async def test_fields_can_be_disabled_or_mapped_elsewhere(wps_sqlite: Wps) -> None:
    wps = wps_sqlite
    rid = wps.order([(wps.orderable_skus(1)[0], 1)], number="77")
    _shopper(wps, rid, billing_address=BILLING, details={"customer_note": "hello"})
    template = {
        "customer_note": "none",
        "billing_city": "none",
        "order_id": "field:order.external_id",
        "line_item_name": "none",
    }
    run = await run_job(wps.db, wps.integration("send_orders", {"mapping_template": template}))
    assert run.counters == {"sent": 1}, run.summary
    cart = wps.state.submitted[wps.request(rid).po_number][0]
    assert "comment1" not in cart.fields and "bill_city" not in cart.fields
    assert cart.fields["description"] == "ext-77"
    assert cart.fields["bill_address1"] == "123 Main St"
    assert list(cart.line_fields.values()) == [{"price": "24.50"}]


def test_a_long_note_fills_both_comment_lines_and_is_cut() -> None:
    from connectors.wps.mapping import comment_lines

    lines = comment_lines("word " * 40 + "x" * 120)
    assert len(lines) == 2 and all(len(line) <= 50 for line in lines)
    assert lines[1].endswith("…")
    assert comment_lines("y" * 70) == ["y" * 50, "y" * 20]
