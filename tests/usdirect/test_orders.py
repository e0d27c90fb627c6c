"""send_orders, get_shipments and get_invoice against the US Direct sandbox."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
import sqlalchemy as sa

from connectors.settings import SettingsError, no_templates
from connectors.usdirect.settings import InvoiceSettings, ShipmentSettings
from console.cli import main
from store.models import Invoice, Shipment
from tests.usdirect.conftest import UsDirect
from tests.wps.conftest import run_direct, run_job

pytestmark = pytest.mark.e2e


def skus(usd: UsDirect, n: int) -> list[str]:
    return usd.state.primary[:n]


async def test_an_order_is_sent_once_with_po_ship_to_items_and_code(usd: UsDirect) -> None:
    a, b = skus(usd, 2)
    request_id = usd.order([(a, 2), (b, 1)], method="fedex-exp")
    send = usd.integration("send_orders")
    run = await run_job(usd.db, send)
    assert run.status == "succeeded", run.error
    request = usd.request(request_id)
    assert request.status == "sent"
    placed = usd.state.orders[request.po_number]
    assert request.external_id == placed["order_id"]
    assert placed["ship_method"] == "FEDEX-EXP"
    assert placed["items"][0]["sku"] == a and placed["items"][0]["quantity"] == 2
    assert placed["ship_to"]["name"] == "Ada Lovelace" and placed["ship_to"]["zip"] == "83702"
    again = await run_job(usd.db, send)
    assert again.status == "succeeded" and len(usd.state.orders) == 1


async def test_an_unknown_shipping_code_is_refused_before_sending(usd: UsDirect) -> None:
    request_id = usd.order([(skus(usd, 1)[0], 1)], method="UPS Ground")
    ctx = await run_direct(usd.db, usd.integration("send_orders"))
    assert usd.state.orders == {}
    request = usd.request(request_id)
    assert request.status == "failed"
    assert "shipping method 'UPS Ground' is not a US Direct shipping code; use one of " in (
        request.last_error or ""
    )
    assert ctx.counters["failed"] == 1


async def test_missing_required_fields_in_the_guides_words(usd: UsDirect) -> None:
    no_city = {"name": "Ada", "address1": "1 Main St", "state": "ID", "zip": "1", "country": "US"}
    request_id = usd.order([(skus(usd, 1)[0], 1)], address=no_city)
    await run_direct(usd.db, usd.integration("send_orders"))
    assert usd.request(request_id).last_error == (
        "Invalid request: Missing required field 'Ship To Address' for order creation (no city)"
    )
    assert usd.state.orders == {}


async def test_a_duplicate_po_is_reconciled_never_ordered_twice(usd: UsDirect) -> None:
    request_id = usd.order([(skus(usd, 1)[0], 1)])
    send = usd.integration("send_orders")
    await run_job(usd.db, send)
    po = usd.request(request_id).po_number
    # The run was interrupted after US Direct took the order: left `sending`.
    with usd.db.write() as session:
        row = session.get(type(usd.request(request_id)), request_id)
        assert row is not None
        row.status = "sending"
        session.add(row)
    run = await run_job(usd.db, send)
    assert run.counters.get("reconciled") == 1
    assert list(usd.state.orders) == [po]


async def test_partial_shipments_tracking_status_and_carrier_codes(usd: UsDirect) -> None:
    a, b = skus(usd, 2)
    request_id = usd.order([(a, 2), (b, 1)])
    await run_job(usd.db, usd.integration("send_orders"))
    po = usd.request(request_id).po_number
    usd.control.post(
        f"/_sandbox/orders/{po}/ship",
        json={"items": [{"sku": a, "quantity": 2}], "carrier": "UPS", "tracking_number": "1ZA"},
    ).raise_for_status()
    track = usd.integration("get_shipments")
    first = await run_job(usd.db, track)
    assert first.counters["shipments_created"] == 1
    assert usd.request(request_id).status == "partially_shipped"
    usd.control.post(
        f"/_sandbox/orders/{po}/ship",
        json={"carrier": "USPS", "ship_method": "USPS-PRIORITY", "tracking_number": "9400"},
    ).raise_for_status()
    second = await run_job(usd.db, track)
    assert second.counters["shipments_created"] == 1
    assert usd.request(request_id).status == "shipped"
    with usd.db.read() as session:
        rows = session.execute(
            sa.select(Shipment.tracking_number, Shipment.carrier, Shipment.service).order_by(
                Shipment.id
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        ("1ZA", "UPS", "UPS-GND"),
        ("9400", "USPS", "USPS-PRIORITY"),
    ]
    third = await run_job(usd.db, usd.integration("get_shipments", {"statuses": ["shipped"]}))
    assert "shipments_created" not in third.counters  # tracking comes back once


async def test_shipment_status_is_kept_and_follows_us_direct(usd: UsDirect) -> None:
    request_id = usd.order([(skus(usd, 1)[0], 1)])
    await run_job(usd.db, usd.integration("send_orders"))
    po = usd.request(request_id).po_number
    shipped = usd.control.post(f"/_sandbox/orders/{po}/ship", json={"tracking_number": "1ZS"})
    shipment_id = shipped.raise_for_status().json()["shipment_id"]
    track = usd.integration("get_shipments", {"statuses": ["sent", "shipped"]})

    def status() -> str | None:
        with usd.db.read() as session:
            return session.scalars(sa.select(Shipment.status)).one()

    await run_job(usd.db, track)
    assert status() == "In Transit"
    usd.control.put(
        f"/_sandbox/shipments/{shipment_id}/status", json={"status": "Delivered"}
    ).raise_for_status()
    again = await run_job(usd.db, track)
    assert status() == "Delivered" and "shipments_created" not in again.counters


async def test_dropdeck_shipments_lists_status_by_order(
    usd_sqlite: UsDirect, capsys: pytest.CaptureFixture[str]
) -> None:
    usd = usd_sqlite
    request_id = usd.order([(skus(usd, 1)[0], 1)], number="5500")
    await run_job(usd.db, usd.integration("send_orders"))
    po = usd.request(request_id).po_number
    usd.control.post(
        f"/_sandbox/orders/{po}/ship", json={"tracking_number": "1ZCLI", "carrier": "UPS"}
    ).raise_for_status()
    await run_job(usd.db, usd.integration("get_shipments"))
    assert main(["shipments", "--order", "5500", "--json"]) == 0
    [row] = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (row["order_number"], row["po_number"], row["tracking_number"]) == ("5500", po, "1ZCLI")
    assert (row["status"], row["carrier"], row["source"]) == ("In Transit", "UPS", "usdirect")
    assert row["estimated_delivery"] is None and row["synced_at"] is None
    assert main(["shipments"]) == 0
    out = capsys.readouterr().out
    assert "1ZCLI" in out and "In Transit" in out
    assert main(["shipments", "--order", "nope"]) == 1
    assert capsys.readouterr().err.strip().endswith("no order 'nope'; see 'dropdeck orders'")


async def test_invoices_with_number_total_and_channel_order_number(usd: UsDirect) -> None:
    request_id = usd.order([(skus(usd, 1)[0], 3)])
    await run_job(usd.db, usd.integration("send_orders"))
    po = usd.request(request_id).po_number
    invoices = usd.integration("get_invoice")
    early = await run_job(usd.db, invoices)
    assert early.status == "succeeded" and "invoices" not in early.counters  # not shipped yet
    usd.control.post(f"/_sandbox/orders/{po}/ship", json={}).raise_for_status()
    run = await run_job(usd.db, invoices)
    assert run.counters["invoices"] == 1
    with usd.db.read() as session:
        [invoice] = session.scalars(sa.select(Invoice)).all()
    price = Decimal(usd.state.products[skus(usd, 1)[0]]["price"])
    assert invoice.total == price * 3 + Decimal("7.50")
    assert invoice.number.startswith("INV-") and invoice.request_id == request_id
    assert invoice.data["channel_order_number"] == po


async def test_invoices_without_the_reseller_token_say_what_to_fix(usd: UsDirect) -> None:
    request_id = usd.order([(skus(usd, 1)[0], 1)])
    await run_job(usd.db, usd.integration("send_orders"))
    po = usd.request(request_id).po_number
    usd.control.post(f"/_sandbox/orders/{po}/ship", json={}).raise_for_status()
    usd.state.reseller_token = "rotated"
    run = await run_job(usd.db, usd.integration("get_invoice"))
    assert run.status == "failed"
    assert "HTTP 403" in (run.error or "")
    assert "confirm the Reseller Token (on the US Direct connection card) is configured" in (
        run.error or ""
    )


async def test_dropdeck_invoices_lists_them_by_order(
    usd_sqlite: UsDirect, capsys: pytest.CaptureFixture[str]
) -> None:
    usd = usd_sqlite
    request_id = usd.order([(skus(usd, 1)[0], 1)], number="5400")
    await run_job(usd.db, usd.integration("send_orders"))
    po = usd.request(request_id).po_number
    usd.control.post(f"/_sandbox/orders/{po}/ship", json={}).raise_for_status()
    await run_job(usd.db, usd.integration("get_invoice"))
    assert main(["invoices", "--order", "5400", "--json"]) == 0
    # The worker's log lines go to stdout too; the JSON is the last line.
    [row] = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (row["order_number"], row["po_number"], row["channel_order_number"]) == ("5400", po, po)
    assert row["number"].startswith("INV-") and row["source"] == "usdirect"
    assert main(["invoices"]) == 0
    assert row["number"] in capsys.readouterr().out
    assert main(["invoices", "--order", "nope"]) == 1
    assert capsys.readouterr().err.strip().endswith("no order 'nope'; see 'dropdeck orders'")


async def test_faults_never_make_a_second_order(usd: UsDirect) -> None:
    from store.commands.fulfillment import resubmit_request

    rids = [usd.order([(sku, 1)], number=str(3000 + i)) for i, sku in enumerate(skus(usd, 6))]
    send = usd.integration("send_orders")
    usd.faults(seed=4, error_rate=0.25, drop_connection=0.15, malformed=0.1, burst_429=2)
    for _ in range(12):
        await run_direct(usd.db, send)
        failed = [r for r in rids if usd.request(r).status == "failed"]
        if not failed and all(usd.request(r).status == "sent" for r in rids):
            break
        with usd.db.write() as session:
            for r in failed:
                resubmit_request(session, r, actor="test@cli")
    usd.faults(error_rate=0.0, drop_connection=0.0, malformed=0.0)
    for r in rids:
        request = usd.request(r)
        assert request.status == "sent", (request.status, request.last_error)
        assert request.po_number in usd.state.orders
    assert len(usd.state.orders) == len(rids)


def test_shipment_and_invoice_templates_name_their_required_fields() -> None:
    how = {"templates": no_templates}
    with pytest.raises(SettingsError) as caught:
        ShipmentSettings.parse(
            {"mapping_template": {"Tracking Number": "none"}},
            integration="u",
            kind="get_shipments",
            **how,
        )
    assert str(caught.value) == (
        "Invalid request: Missing required field 'Tracking Number' for shipment sync"
    )
    with pytest.raises(SettingsError) as caught:
        InvoiceSettings.parse(
            {"mapping_template": {"Invoice Number": "empty"}},
            integration="u",
            kind="get_invoice",
            **how,
        )
    assert str(caught.value) == (
        "Invalid request: Missing required field 'Invoice Number' for invoice sync"
    )
    with pytest.raises(SettingsError, match="cannot map Weight"):
        ShipmentSettings.parse(
            {"mapping_template": {"Weight": "field:w"}},
            integration="u",
            kind="get_shipments",
            **how,
        )


async def test_invoice_template_maps_the_total_and_a_shipment_without_tracking_is_reported(
    usd: UsDirect,
) -> None:
    request_id = usd.order([(skus(usd, 1)[0], 2)])
    await run_job(usd.db, usd.integration("send_orders"))
    po = usd.request(request_id).po_number
    usd.control.post(f"/_sandbox/orders/{po}/ship", json={}).raise_for_status()
    usd.state.shipments[0]["tracking_number"] = ""  # US Direct sent no tracking yet
    ctx = await run_direct(usd.db, usd.integration("get_shipments"))
    assert ctx.record_errors == [
        {
            "record": f"PO {po}",
            "error": "Invalid request: Missing required field 'Tracking Number' for shipment sync",
        }
    ]
    subtotal = {"mapping_template": {"Invoice Total": "field:subtotal"}}
    await run_job(usd.db, usd.integration("get_invoice", subtotal))
    with usd.db.read() as session:
        [invoice] = session.scalars(sa.select(Invoice)).all()
    assert invoice.total == Decimal(usd.state.products[skus(usd, 1)[0]]["price"]) * 2


async def test_an_invoice_for_another_po_is_reported_not_recorded(usd: UsDirect) -> None:
    request_id = usd.order([(skus(usd, 1)[0], 1)])
    await run_job(usd.db, usd.integration("send_orders"))
    po = usd.request(request_id).po_number
    usd.control.post(f"/_sandbox/orders/{po}/ship", json={}).raise_for_status()
    # A template whose Channel Order Number is not the Flx PO the invoice was asked for.
    other = {"mapping_template": {"Channel Order Number": "field:invoice_number"}}
    ctx = await run_direct(usd.db, usd.integration("get_invoice", other))
    [failure] = ctx.record_errors
    assert failure["record"] == f"PO {po}"
    assert failure["error"].startswith("the invoice is for Flx PO / Order Number 'INV-")
    assert failure["error"].endswith(
        "Invoices not pulling: confirm the order's Flx PO / Order Number matches the order "
        "you expect an invoice for"
    )
    with usd.db.read() as session:
        assert session.scalars(sa.select(Invoice)).all() == []


def test_verify_first_one_order_sent_by_hand(
    usd_sqlite: UsDirect, capsys: pytest.CaptureFixture[str]
) -> None:
    """The guide's Verify First: one order sent by hand (`dropdeck orders send`) before any
    schedule runs send_orders."""
    usd = usd_sqlite
    request_id = usd.order([(skus(usd, 1)[0], 1)], number="5600")
    usd.integration("send_orders")
    po = usd.request(request_id).po_number
    assert main(["orders", "send", "5600"]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1].startswith(f"PO {po}: sent as order ")
    assert list(usd.state.orders) == [po]
    assert usd.request(request_id).status == "sent"
