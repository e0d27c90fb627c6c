"""Get Shipments in the guide's words, against the WPS sandbox: status, estimated delivery,
notes, line names and the shipping address kept on the shipment; the Shipment Status
Filter; orders updated within the last X days; the shipment mapping template."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from connectors.settings import SettingsError, no_templates
from connectors.wps.settings import ShipmentSettings
from store.models import FulfillmentRequest, Shipment, ShipmentLine
from store.models._types import utcnow

from .conftest import Wps, run_job
from .test_shipments import sent_request, ship, shipments


def progress(wps: Wps, po: str, **body: Any) -> None:
    wps.control.post(f"/_sandbox/orders/{po}/status", json=body).raise_for_status()


def shipment_lines(wps: Wps) -> list[ShipmentLine]:
    with wps.db.read() as session:
        return list(session.scalars(sa.select(ShipmentLine).order_by(ShipmentLine.id)))


async def test_status_delivery_date_notes_names_and_address_are_kept(wps_sqlite: Wps) -> None:
    wps = wps_sqlite
    sku = wps.orderable_skus(1)[0]
    rid = await sent_request(wps, [(sku, 1)])
    po = wps.request(rid).po_number
    ship(wps, po, "1ZFIELDS")
    iid = wps.integration("get_shipments")
    run = await run_job(wps.db, iid)
    assert run.counters == {"shipments_created": 1}, run.summary
    (row,) = shipments(wps)
    assert row.status == "Shipped"
    assert (row.estimated_delivery, row.notes) == (None, None)
    assert row.ship_to == {"address1": "1 Main St", "city": "Boise", "state": "ID", "zip": "83702"}
    item = wps.state.items[wps.state.sku_index[sku]]
    assert [(line.sku, line.quantity, line.name) for line in shipment_lines(wps)] == [
        (sku, 1, item["name"])
    ]
    # The carrier moves it on; WPS (assumed fields) adds a delivery date and a note.
    progress(
        wps,
        po,
        status="IN TRANSIT",
        estimated_delivery_date="2026-12-03",
        notes="Fragile,\x1b[2J handle with care",
    )
    again = await run_job(wps.db, wps.integration("get_shipments", {"statuses": ["shipped"]}))
    assert again.counters == {}, again.summary  # nothing new: the same shipment, updated
    (row,) = shipments(wps)
    assert (row.status, row.estimated_delivery, row.notes) == (
        "In Transit",
        date(2026, 12, 3),
        "Fragile, [2J handle with care",
    )
    progress(wps, po, status="DELIVERED")
    await run_job(wps.db, wps.integration("get_shipments", {"statuses": ["shipped"]}))
    assert shipments(wps)[0].status == "Delivered"
    assert len(shipment_lines(wps)) == 1


async def test_the_status_filter_records_only_the_statuses_asked_for(wps_sqlite: Wps) -> None:
    wps = wps_sqlite
    rid = await sent_request(wps, [(wps.orderable_skus(1)[0], 1)])
    po = wps.request(rid).po_number
    ship(wps, po, "1ZFILTER")
    iid = wps.integration("get_shipments", {"shipment_status_filter": ["delivered"]})
    run = await run_job(wps.db, iid)
    assert (run.status, run.counters) == ("succeeded", {})
    assert shipments(wps) == [] and wps.request(rid).status == "sent"
    progress(wps, po, status="IN TRANSIT")
    await run_job(wps.db, iid)
    assert shipments(wps) == []
    progress(wps, po, status="DELIVERED")
    run = await run_job(wps.db, iid)
    assert run.counters == {"shipments_created": 1}
    assert shipments(wps)[0].status == "Delivered" and wps.request(rid).status == "shipped"


async def test_only_orders_updated_within_the_last_days_are_synced(wps_sqlite: Wps) -> None:
    wps = wps_sqlite
    rids = [wps.order([(s, 1)], number=str(n)) for n, s in enumerate(wps.orderable_skus(2))]
    sent = await run_job(wps.db, wps.integration("send_orders"))
    assert sent.counters == {"sent": 2}, sent.summary
    with wps.db.write() as session:
        session.execute(
            sa.update(FulfillmentRequest)
            .where(FulfillmentRequest.id == rids[0])  # type: ignore[arg-type]
            .values(updated_at=utcnow() - timedelta(days=9))
        )
    for n, rid in enumerate(rids):
        ship(wps, wps.request(rid).po_number, f"1ZDAYS{n}")
    run = await run_job(wps.db, wps.integration("get_shipments", {"updated_within_days": 7}))
    assert run.counters == {"shipments_created": 1}, run.summary
    assert [s.request_id for s in shipments(wps)] == [rids[1]]
    assert wps.request(rids[0]).status == "sent"


async def test_a_shipment_template_maps_and_disables_fields(wps_sqlite: Wps) -> None:
    wps = wps_sqlite
    rid = await sent_request(wps, [(wps.orderable_skus(1)[0], 1)])
    po = wps.request(rid).po_number
    ship(wps, po, "1ZTEMPLATE")
    template = {
        "line_item_name": "none",
        "shipping_country": "value:US",
        "shipment_notes": "field:detail.warehouse",
    }
    run = await run_job(wps.db, wps.integration("get_shipments", {"mapping_template": template}))
    assert run.counters == {"shipments_created": 1}, run.summary
    (row,) = shipments(wps)
    assert row.ship_to["country"] == "US"
    assert row.notes == wps.state.orders[po]["order_details"][0]["warehouse"]
    assert [line.name for line in shipment_lines(wps)] == [None]


def parse(raw: dict[str, Any]) -> ShipmentSettings:
    return ShipmentSettings.parse(
        raw, integration="wps/get_shipments", kind="get_shipments", templates=no_templates
    )


def test_an_unmapped_tracking_number_is_refused_in_the_guide_words() -> None:
    with pytest.raises(SettingsError) as refused:
        parse({"mapping_template": {"tracking_number": "none"}})
    assert str(refused.value) == (
        "Invalid request: Missing required field 'tracking_number' for shipment sync"
    )
    with pytest.raises(SettingsError, match="cannot map carrier; targets are order_id,"):
        parse({"mapping_template": {"carrier": "field:detail.ship_via"}})


def test_the_status_filter_takes_the_guide_words() -> None:
    assert parse({}).status_filter == ("Shipped", "In Transit", "Delivered")
    assert parse({"shipment_status_filter": "shipped, in transit"}).status_filter == (
        "Shipped",
        "In Transit",
    )
    with pytest.raises(SettingsError) as refused:
        parse({"shipment_status_filter": ["Lost"]})
    assert str(refused.value) == (
        "get_shipments setting 'shipment_status_filter' must list some of Shipped, In Transit, "
        "Delivered, not ['Lost']"
    )
    with pytest.raises(SettingsError, match="updated_within_days"):
        parse({"updated_within_days": 0})


async def test_a_missing_tracking_number_reads_as_the_guide_says(wps_sqlite: Wps) -> None:
    wps = wps_sqlite
    rid = await sent_request(wps, [(wps.orderable_skus(1)[0], 1)])
    ship(wps, wps.request(rid).po_number, None)
    run = await run_job(wps.db, wps.integration("get_shipments"))
    assert run.status == "partial"
    assert "Invalid request: Missing required field 'tracking_number' for shipment sync" in (
        run.summary or ""
    )
    with wps.db.read() as session:
        assert session.scalars(sa.select(Shipment)).first() is None
