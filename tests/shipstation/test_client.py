"""The ShipStation client against the sandbox: auth, pages, filters, writes and refusals."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from connectors.errors import AuthError, RetryBudgetExhausted
from connectors.paging import paginate
from connectors.shipstation import mapping
from connectors.shipstation.client import ShipStationClient, ShipStationRejected, api_reason

from .conftest import FROZEN_AT, Peer, sandbox_client


async def test_wrong_secret_is_an_auth_error_naming_shipstation(peer: Peer) -> None:
    http = sandbox_client(peer.sandbox, peer.clock, api_secret="wrong")
    with pytest.raises(AuthError) as info:
        await ShipStationClient(http).users()
    assert info.value.status == 401
    assert "wrong" not in str(info.value)
    await http.aclose()


async def test_orders_walk_every_page_with_status_and_date_filters(peer: Peer) -> None:
    since = mapping.filter_time(FROZEN_AT - timedelta(days=45))
    seen: list[dict[str, object]] = []

    async def fetch(page: object) -> object:
        return await peer.api.orders_page(
            int(page),  # type: ignore[call-overload]
            status="awaiting_shipment",
            created_from=since,
            size=2,
        )

    async for page in paginate(fetch, first=1):  # type: ignore[arg-type]
        seen.extend(page.items)
    expected = [
        o
        for o in peer.state.orders.values()
        if o["orderStatus"] == "awaiting_shipment"
        and mapping.parse_time(o["createDate"]) >= FROZEN_AT - timedelta(days=45)
    ]
    assert len(seen) == len(expected) > 2
    assert {o["orderId"] for o in seen} == {o["orderId"] for o in expected}


async def test_one_order_and_an_unknown_one(peer: Peer) -> None:
    order_id = next(iter(peer.state.orders))
    assert (await peer.api.order(order_id))["orderId"] == order_id  # type: ignore[index]
    assert await peer.api.order(1) is None


async def test_mark_as_shipped_then_its_fulfillment_is_visible(peer: Peer) -> None:
    order = next(o for o in peer.state.orders.values() if o["orderStatus"] == "awaiting_shipment")
    answer = await peer.api.mark_as_shipped(
        order["orderId"],
        carrier_code="ups",
        ship_date=date(2026, 6, 1),
        tracking_number="1ZTEST",
        notify_customer=False,
        notify_sales_channel=True,
    )
    assert answer["orderId"] == order["orderId"]
    found = await peer.api.fulfillments(order["orderId"])
    assert [(f["trackingNumber"], f["carrierCode"]) for f in found] == [("1ZTEST", "ups")]
    with pytest.raises(ShipStationRejected) as info:
        await peer.api.mark_as_shipped(
            order["orderId"],
            carrier_code="ups",
            ship_date=date(2026, 6, 1),
            tracking_number="1ZTEST",
            notify_customer=False,
            notify_sales_channel=True,
        )
    assert "already shipped" in info.value.reason


async def test_assign_user_is_all_or_nothing(peer: Peer) -> None:
    users = await peer.api.users()
    ids = list(peer.state.orders)[:2]
    with pytest.raises(ShipStationRejected):
        await peer.api.assign_user([*ids, 1], users[0]["userId"])
    assert all(peer.state.orders[i]["userId"] is None for i in ids)
    await peer.api.assign_user(ids, users[0]["userId"])
    assert all(peer.state.orders[i]["userId"] == users[0]["userId"] for i in ids)


def test_api_reason_reads_every_error_style() -> None:
    assert api_reason('{"message": "Invalid API credentials"}') == "Invalid API credentials"
    legacy = '{"Message": "An error has occurred.", "ExceptionMessage": "Invalid packageCode"}'
    assert api_reason(legacy) == "An error has occurred. Invalid packageCode"
    assert api_reason("") == "no detail given"
    assert api_reason("<html>oops</html>") == "<html>oops</html>"


async def test_a_429_burst_waits_for_the_reset_then_goes_on(peer: Peer) -> None:
    peer.sandbox.faults.update({"burst_429": 2})
    start = peer.clock.now()
    page = await peer.api.orders_page(1, status=None, size=5)
    waited = (peer.clock.now() - start).total_seconds()
    assert page.items
    assert 0 < waited <= 121  # the reset ShipStation named, twice at most, never a guess


async def test_5xx_on_a_read_is_retried_with_shipstations_legacy_body(peer: Peer) -> None:
    peer.sandbox.faults.update({"error_rate": 1.0})
    with pytest.raises(RetryBudgetExhausted) as info:
        await peer.api.users()
    assert "gave up after 5 attempts" in str(info.value)
    peer.sandbox.faults.update({"error_rate": 0.0})
    assert await peer.api.users()
