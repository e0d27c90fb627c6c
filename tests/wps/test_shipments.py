"""get_shipments and get_invoice against the WPS sandbox: partial, full, idempotent."""

from __future__ import annotations

import sqlalchemy as sa

from store.models import Invoice, OrderLine, Shipment, ShipmentLine

from .conftest import Wps, run_job


async def sent_request(wps: Wps, lines: list[tuple[str, int]]) -> int:
    rid = wps.order(lines)
    run = await run_job(wps.db, wps.integration("send_orders"))
    assert run.status == "succeeded", run.error
    return rid


def ship(
    wps: Wps, po: str, tracking: str | None, lines: list[tuple[str, int]] | None = None
) -> None:
    body: dict[str, object] = {}
    if tracking:
        body["tracking_number"] = tracking
    if lines:
        body["lines"] = [{"sku": s, "quantity": q} for s, q in lines]
    wps.control.post(f"/_sandbox/orders/{po}/ship", json=body).raise_for_status()


def shipments(wps: Wps) -> list[Shipment]:
    with wps.db.read() as session:
        return list(session.scalars(sa.select(Shipment).order_by(Shipment.id)))


def shipped_qty(wps: Wps) -> dict[str, int]:
    with wps.db.read() as session:
        return {line.sku: line.quantity_shipped for line in session.scalars(sa.select(OrderLine))}


async def test_partial_then_full_shipment(wps: Wps) -> None:
    sku = wps.orderable_skus(1, at_least=3)[0]
    rid = await sent_request(wps, [(sku, 3)])
    po = wps.request(rid).po_number
    iid = wps.integration("get_shipments")
    ship(wps, po, "1ZPART", [(sku, 1)])
    run = await run_job(wps.db, iid)
    assert run.status == "succeeded", run.error
    assert run.counters == {"shipments_created": 1}
    assert wps.request(rid).status == "partially_shipped"
    assert wps.order_of(rid).status == "partially_shipped"
    assert shipped_qty(wps) == {f"WPS-{sku}": 1}
    ship(wps, po, "1ZREST")
    run = await run_job(wps.db, iid)
    assert run.counters == {"shipments_created": 1}
    assert wps.request(rid).status == "shipped" and wps.order_of(rid).status == "shipped"
    assert shipped_qty(wps) == {f"WPS-{sku}": 3}
    rows = shipments(wps)
    assert [s.tracking_number for s in rows] == ["1ZPART", "1ZREST"]
    assert all(s.request_id == rid and s.carrier for s in rows)
    with wps.db.read() as session:
        assert sum(sl.quantity for sl in session.scalars(sa.select(ShipmentLine))) == 3
    # Idempotent, and shipped requests are no longer polled by default.
    again = await run_job(wps.db, wps.integration("get_shipments", {"statuses": ["shipped"]}))
    assert again.counters == {}
    assert len(shipments(wps)) == 2 and shipped_qty(wps) == {f"WPS-{sku}": 3}


async def test_shipment_without_tracking_is_reported_then_picked_up(wps_sqlite: Wps) -> None:
    wps = wps_sqlite
    rid = await sent_request(wps, [(wps.orderable_skus(1)[0], 1)])
    po = wps.request(rid).po_number
    iid = wps.integration("get_shipments")
    ship(wps, po, None)
    run = await run_job(wps.db, iid)
    assert run.status == "partial"
    assert "shipped without tracking number" in (run.summary or "")
    assert shipments(wps) == [] and wps.request(rid).status == "sent"
    wps.control.post(
        f"/_sandbox/orders/{po}/tracking", json={"tracking_number": "9400LATE"}
    ).raise_for_status()
    run = await run_job(wps.db, iid)
    assert run.status == "succeeded"
    assert [s.tracking_number for s in shipments(wps)] == ["9400LATE"]
    assert wps.request(rid).status == "shipped"


async def test_cancelled_po_cancels_the_request(wps_sqlite: Wps) -> None:
    wps = wps_sqlite
    rid = await sent_request(wps, [(wps.orderable_skus(1)[0], 1)])
    wps.control.post(f"/_sandbox/orders/{wps.request(rid).po_number}/cancel").raise_for_status()
    await run_job(wps.db, wps.integration("get_shipments"))
    assert wps.request(rid).status == "cancelled"
    assert wps.order_of(rid).status == "cancelled"


async def test_get_invoice_records_invoice_numbers(wps_sqlite: Wps) -> None:
    wps = wps_sqlite
    rid = await sent_request(wps, [(wps.orderable_skus(1)[0], 1)])
    po = wps.request(rid).po_number
    ship(wps, po, "1ZINV")
    iid = wps.integration("get_invoice")
    run = await run_job(wps.db, iid)
    assert run.status == "succeeded", run.error
    await run_job(wps.db, iid)
    with wps.db.read() as session:
        invoices = list(session.scalars(sa.select(Invoice)))
    detail = wps.state.orders[po]["order_details"][0]
    assert [(i.external_id, i.request_id) for i in invoices] == [
        (str(detail["invoice_number"]), rid)
    ]
    assert invoices[0].total is not None
