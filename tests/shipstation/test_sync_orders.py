"""sync_orders against the served ShipStation sandbox: markasshipped once per order, with
the account's carrier code, tracking number and ship date; partial shipments; faults."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from store.models.runtime import RunStatus

from .conftest import ShipStationChannel

SHIPPED_AT = datetime(2026, 5, 30, 18, 0, tzinfo=UTC)  # 11:00 in Los Angeles, May 30
# Tracking numbers in their carrier's shape (sync_orders refuses any other).
USPS = "9400111899223100000001"
FIRST = "1Z999AA10000000001"
SECOND = "1Z999AA10000000002"


async def imported(channel: ShipStationChannel, *skus: str) -> dict[str, Any]:
    """A ShipStation order of `skus` (one each), imported and routed to WPS."""
    channel.stock(*skus)
    channel.map_shipping("Standard")
    order = channel.place(list(skus))
    run = await channel.run("get_orders")
    assert run.counters.get("orders_routed") == 1, run.summary
    return order


def fulfillments(channel: ShipStationChannel, order: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in channel.state.fulfillments.values() if f["orderId"] == order["orderId"]]


async def test_a_shipped_order_is_marked_shipped_once_with_the_accounts_carrier(
    channel: ShipStationChannel,
) -> None:
    order = await imported(channel, "SS-000001")
    channel.ship(
        order["orderId"], [("SS-000001", 1)], carrier="USPS", tracking=USPS, shipped_at=SHIPPED_AT
    )
    run = await channel.run("sync_orders")
    assert run.status == RunStatus.SUCCEEDED.value, run.summary
    assert run.counters == {
        "orders_marked_shipped": 1,
        "shipments_synced": 1,
        "orders_completed": 1,
    }
    assert channel.orders()[str(order["orderId"])].status == "completed"
    [body] = channel.state.mark_calls
    assert body["orderId"] == order["orderId"]
    assert body["carrierCode"] == "stamps_com"  # USPS, as this account buys it
    assert body["trackingNumber"] == USPS
    assert body["shipDate"] == "2026-05-30"
    assert body["notifySalesChannel"] is True and body["notifyCustomer"] is False
    assert channel.state.orders[order["orderId"]]["orderStatus"] == "shipped"

    again = await channel.run("sync_orders")
    assert len(channel.state.mark_calls) == 1
    assert again.counters == {}


async def test_carrier_codes_setting_and_a_carrier_the_account_lacks(
    channel: ShipStationChannel,
) -> None:
    order = await imported(channel, "SS-000001")
    channel.ship(order["orderId"], [("SS-000001", 1)], carrier="OnTrac")
    run = await channel.run("sync_orders")
    assert run.status == RunStatus.PARTIAL.value
    assert "carrier 'OnTrac' has no ShipStation carrier code on this account" in (run.summary or "")
    assert channel.state.mark_calls == []
    channel.control("PUT", "carriers", json={"codes": ["ups", "ontrac"]})
    run = await channel.run("sync_orders", carrier_codes={"OnTrac": "ontrac"})
    assert run.status == RunStatus.SUCCEEDED.value, run.summary
    assert [b["carrierCode"] for b in channel.state.mark_calls] == ["ontrac"]


async def test_partial_shipments_wait_for_the_whole_order_by_default(
    channel: ShipStationChannel,
) -> None:
    order = await imported(channel, "SS-000001", "SS-000002")
    channel.ship(order["orderId"], [("SS-000001", 1)], tracking=FIRST)
    run = await channel.run("sync_orders")
    assert channel.state.mark_calls == []
    assert run.counters == {"orders_waiting": 1}
    assert "1 order has shipped in part and waits for the rest" in (run.summary or "")
    channel.ship(order["orderId"], [("SS-000002", 1)], tracking=SECOND)
    run = await channel.run("sync_orders")
    assert [b["trackingNumber"] for b in channel.state.mark_calls] == [FIRST]
    assert run.counters == {
        "orders_marked_shipped": 1,
        "shipments_synced": 2,
        "orders_completed": 1,
    }


async def test_partial_shipments_first_marks_with_the_first_then_covers_the_rest(
    channel: ShipStationChannel,
) -> None:
    order = await imported(channel, "SS-000001", "SS-000002")
    channel.ship(order["orderId"], [("SS-000001", 1)], tracking=FIRST)
    first = await channel.run("sync_orders", partial_shipments="first")
    assert [b["trackingNumber"] for b in channel.state.mark_calls] == [FIRST]
    assert "orders_completed" not in first.counters  # a line has not shipped yet
    channel.ship(order["orderId"], [("SS-000002", 1)], tracking=SECOND)
    run = await channel.run("sync_orders", partial_shipments="first")
    assert len(channel.state.mark_calls) == 1
    assert run.counters == {"shipments_covered": 1, "orders_completed": 1}
    assert "1 later shipment was not sent" in (run.summary or "")


async def test_a_worker_that_died_after_shipstation_accepted_never_marks_twice(
    channel: ShipStationChannel,
) -> None:
    """The request was recorded, ShipStation applied it, the worker died before confirming:
    the next run looks at the order, sees it shipped, and only records that."""
    from store.commands import order_writes

    order = await imported(channel, "SS-000001")
    channel.ship(order["orderId"], [("SS-000001", 1)])
    ours = channel.orders()[str(order["orderId"])]
    with channel.db.write() as session:
        order_writes.record_write(
            session,
            [ours.id or 0],
            "shipstation.mark_shipped",
            "requested",
            actor="ss-demo/sync_orders",
            after={},
        )
    channel.state.fulfil(
        channel.state.orders[order["orderId"]],
        {"carrierCode": "ups", "trackingNumber": "1ZSHIP000000000001"},
    )
    run = await channel.run("sync_orders")
    assert channel.state.mark_calls == []  # nothing sent again
    assert run.counters == {"already_shipped_in_shipstation": 1, "orders_completed": 1}
    assert len(fulfillments(channel, order)) == 1
    assert (await channel.run("sync_orders")).counters == {}


async def test_a_lost_answer_is_looked_for_before_sending_again(
    channel: ShipStationChannel,
) -> None:
    """markasshipped is applied in ShipStation but the answer is a 5xx: the POST is not
    retried blind; the next run looks, finds the order shipped and only records it."""
    order = await imported(channel, "SS-000001")
    channel.ship(order["orderId"], [("SS-000001", 1)])
    calls: list[int] = []
    inner = channel.sandbox.state.fulfil

    def fulfil_then_fail(o: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        inner(o, body)  # applied in ShipStation...
        calls.append(o["orderId"])
        raise ConnectionError("...but the answer never left")  # the server answers 500

    channel.sandbox.state.fulfil = fulfil_then_fail  # type: ignore[method-assign]
    run = await channel.run("sync_orders")
    channel.sandbox.state.fulfil = inner  # type: ignore[method-assign]
    assert calls == [order["orderId"]]
    assert run.status in (RunStatus.PARTIAL.value, RunStatus.FAILED.value)
    run = await channel.run("sync_orders")
    assert run.counters == {"already_shipped_in_shipstation": 1, "orders_completed": 1}, run.summary
    assert len(fulfillments(channel, order)) == 1


async def test_an_order_shipped_in_shipstation_meanwhile_is_not_marked_again(
    channel: ShipStationChannel,
) -> None:
    order = await imported(channel, "SS-000001")
    channel.ship(order["orderId"], [("SS-000001", 1)])
    channel.control("POST", f"orders/{order['orderId']}/shipments", json={})  # a label there
    run = await channel.run("sync_orders")
    assert run.counters == {"already_shipped_in_shipstation": 1, "orders_completed": 1}
    assert channel.state.mark_calls == []


async def test_an_order_cancelled_in_shipstation_is_a_record_error(
    channel: ShipStationChannel,
) -> None:
    order = await imported(channel, "SS-000001")
    channel.ship(order["orderId"], [("SS-000001", 1)])
    channel.control("PUT", f"orders/{order['orderId']}/status", json={"orderStatus": "cancelled"})
    run = await channel.run("sync_orders")
    assert run.status == RunStatus.PARTIAL.value
    assert "cancelled in ShipStation" in (run.summary or "")
    assert channel.state.mark_calls == []


async def test_rejected_credentials_pause_the_integration(channel: ShipStationChannel) -> None:
    order = await imported(channel, "SS-000001")
    channel.ship(order["orderId"], [("SS-000001", 1)])
    channel.sandbox.faults.update({"expired_credentials": True})
    run = await channel.run("sync_orders")
    assert run.status == RunStatus.FAILED.value
    assert "rejected the credentials" in (run.error or "")
    from store.models import Integration

    with channel.db.read() as session:
        import sqlalchemy as sa

        paused = session.scalars(
            sa.select(Integration.paused_reason).where(Integration.kind == "sync_orders")
        ).one()
    assert paused


async def test_a_malformed_tracking_number_is_refused_and_the_other_order_is_marked(
    channel: ShipStationChannel,
) -> None:
    """A tracking link with a terminal escape: refused with the one-line error, its order
    is not marked shipped in ShipStation; the other order goes in the same run."""
    channel.stock("SS-000001", "SS-000002")
    channel.map_shipping("Standard")
    bad = channel.place(["SS-000001"])
    good = channel.place(["SS-000002"])
    assert (await channel.run("get_orders")).counters.get("orders_routed") == 2
    hostile = "https://wwwapps.ups.com/track?n=\x1b]0;pwned\x07" + "1" * 30
    channel.ship(bad["orderId"], [("SS-000001", 1)], tracking=hostile)
    channel.ship(good["orderId"], [("SS-000002", 1)], tracking=SECOND)
    run = await channel.run("sync_orders")
    assert run.status == RunStatus.PARTIAL.value, run.summary
    message = (
        "tracking refused: the tracking number 'https://wwwapps.ups.com/track?n=␛]0;pwne…' "
        "is a link, not a number; correct it at the source; sent once it passes"
    )
    number = channel.orders()[str(bad["orderId"])].number
    assert f"order {number} shipment https://wwwapps.ups.com/track?n=␛]0;pwne…: {message}" in (
        run.summary or ""
    )
    assert [(b["orderId"], b["trackingNumber"]) for b in channel.state.mark_calls] == [
        (good["orderId"], SECOND)
    ]
    assert channel.state.orders[bad["orderId"]]["orderStatus"] == "awaiting_shipment"
    assert fulfillments(channel, bad) == []
    from store.models import Shipment

    with channel.db.read() as session:
        import sqlalchemy as sa

        errors = dict(
            session.execute(sa.select(Shipment.tracking_number, Shipment.sync_error)).all()
        )
    assert errors == {hostile: message, SECOND: None}
    assert run.counters == {
        "orders_marked_shipped": 1,
        "shipments_synced": 1,
        "orders_completed": 1,
        "failed": 1,
    }
