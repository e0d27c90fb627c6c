"""The tracking note a customer reads: the carrier named for every WPS ship-via code (not
"Shipped via BEST BEST"), and the channel's SKUs (what the customer bought), not WPS's."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from connectors.woocommerce.mapping import shipment_note
from connectors.wps.mapping import shipped_via
from store.commands.shipment_push import shipments_to_push
from store.models import Channel

from .conftest import Wps, run_job


@pytest.mark.parametrize(
    ("code", "tracking", "named"),
    [
        ("AH2D", "123456789012", ("FedEx", "2 Day (Alaska/Hawaii)")),
        ("FE1D", "123456789012", ("FedEx", "1 Day")),
        ("FE2D", "123456789012", ("FedEx", "2 Day")),
        ("UP1D", "1Z999AA10123456784", ("UPS", "1 Day Red")),
        ("UP2D", "1Z999AA10123456784", ("UPS", "2 Day Blue")),
        ("US1C", "9400111899223197428490", ("USPS", "Priority Mail")),
        ("US4C", "9400111899223197428490", ("USPS", "Parcel Post")),
        ("FDXG", "123456789012", ("FedEx", "Ground")),
        ("CO5", "C11111111111111", ("OnTrac", "Ground")),
        ("BEST", "1Z999AA10123456784", ("UPS", "Ground")),
        ("BEST", "9400111899223197428490", ("USPS", "Ground")),
        ("BEST", "123456789012", ("FedEx", "Ground")),
        ("BEST", "ABC", ("Best ground method", "")),
        ("ZZ9X", "ABC", ("ZZ9X", "")),
    ],
)
def test_every_ship_via_code_is_named(code: str, tracking: str, named: tuple[str, str]) -> None:
    assert shipped_via(code, tracking) == named


async def test_the_note_names_the_carrier_and_the_channels_skus(wps_sqlite: Wps) -> None:
    wps = wps_sqlite
    sku = wps.orderable_skus(1)[0]
    rid = wps.order([(sku, 2)], method="BEST")
    assert (await run_job(wps.db, wps.integration("send_orders"))).counters == {"sent": 1}
    po = wps.request(rid).po_number
    wps.control.post(
        f"/_sandbox/orders/{po}/ship", json={"tracking_number": "1Z999AA10123456784"}
    ).raise_for_status()
    assert (await run_job(wps.db, wps.integration("get_shipments"))).status == "succeeded"
    with wps.db.read() as session:
        channel_id = session.scalars(sa.select(Channel.id)).one()
        (push,) = shipments_to_push(session, channel_id)
    assert (push.carrier, push.service) == ("UPS", "Ground")
    assert [(line.sku, line.quantity) for line in push.lines] == [(f"WPS-{sku}", 2)]
    note = shipment_note(
        push.carrier,
        push.service,
        push.tracking_number,
        [(line.sku, line.quantity) for line in push.lines],
    )
    assert note == f"Shipped via UPS Ground, tracking number 1Z999AA10123456784: WPS-{sku} x2"


async def test_a_shipment_without_tracking_fails_in_the_guides_words(wps_sqlite: Wps) -> None:
    wps = wps_sqlite
    rid = wps.order([(wps.orderable_skus(1)[0], 1)])
    assert (await run_job(wps.db, wps.integration("send_orders"))).counters == {"sent": 1}
    po = wps.request(rid).po_number
    wps.control.post(f"/_sandbox/orders/{po}/ship", json={}).raise_for_status()
    run = await run_job(wps.db, wps.integration("get_shipments"))
    assert run.status == "partial"
    assert "Invalid request: Missing required field 'tracking_number' for shipment sync" in (
        run.summary or ""
    )
