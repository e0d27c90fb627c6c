"""Send Orders fields the guide names, against the WPS sandbox."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from connectors.settings import SettingsError, no_templates
from connectors.wps.settings import SendSettings
from store.commands.fulfillment import resubmit_request
from store.models import FulfillmentRequest, Order

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
        "customer_email, ship_name,"
    )
