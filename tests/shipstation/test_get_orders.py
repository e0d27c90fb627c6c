"""get_orders against the served ShipStation sandbox, run by the job engine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from connectors.shipstation.mapping import filter_time
from connectors.shipstation.sandbox import TAGS, USERS
from store.models.orders import OrderStatus
from store.models.runtime import RunStatus

from .conftest import ShipStationChannel

OPS, SAM = USERS[0]["userId"], USERS[1]["userId"]
DROPSHIP = TAGS[1]["tagId"]


def days_ago(n: float) -> str:
    return filter_time(datetime.now(UTC) - timedelta(days=n))


async def test_new_orders_import_once_route_and_hold_on_unmapped_shipping_text(
    channel: ShipStationChannel,
) -> None:
    channel.stock("SS-000001", "SS-000002")
    channel.map_shipping("USPS Priority Mail")
    routed = channel.place(["SS-000001"], requestedShippingService="USPS Priority Mail")
    held = channel.place(["SS-000002"], requestedShippingService="Next Day  Air")
    channel.place(["SS-000001"], orderStatus="awaiting_payment")
    run = await channel.run("get_orders")
    assert run.status == RunStatus.SUCCEEDED.value, run.summary
    assert run.counters["orders_created"] == 2
    ours = channel.orders()
    assert set(ours) == {str(routed["orderId"]), str(held["orderId"])}
    assert ours[str(routed["orderId"])].status == OrderStatus.ROUTED.value
    hold = ours[str(held["orderId"])]
    assert hold.status == OrderStatus.ON_HOLD.value
    assert hold.shipping_text == "Next Day  Air"  # the exact imported text
    assert "Missing shipping mapping 'next_day_air'" in (hold.hold_reason or "")

    again = await channel.run("get_orders")
    assert again.counters.get("orders_created", 0) == 0
    assert again.counters["skipped"] == 2  # both known; the held one was tried again
    assert "orders_held" not in again.counters  # still held for the same reason: not news
    assert len(channel.orders()) == 2
    channel.map_shipping("Next Day  Air", "express")
    await channel.run("get_orders")
    assert channel.orders()[str(held["orderId"])].status == OrderStatus.ROUTED.value


async def test_status_filter_and_days_window(channel: ShipStationChannel) -> None:
    fresh = channel.place(["SS-000001"], orderStatus="on_hold")
    old = channel.place(["SS-000002"], orderStatus="on_hold", createDate=days_ago(10))
    channel.place(["SS-000003"])  # awaiting_shipment: not asked for
    run = await channel.run("get_orders", statuses=["on_hold"], days=7)
    assert set(channel.orders()) == {str(fresh["orderId"])}
    assert run.counters["orders_created"] == 1
    await channel.run("get_orders", statuses=["on_hold"], days=30)
    assert set(channel.orders()) == {str(fresh["orderId"]), str(old["orderId"])}


async def test_nothing_imported_says_why_in_the_guides_words(
    channel: ShipStationChannel,
) -> None:
    channel.place(["SS-000001"], orderStatus="awaiting_payment")
    channel.place(["SS-000002"], orderStatus="on_hold")
    channel.place(["SS-000003"], createDate=days_ago(12))
    channel.place(["SS-000004"], orderStatus="shipped")  # done in ShipStation: not missed
    run = await channel.run("get_orders", days=7)
    assert run.status == RunStatus.SUCCEEDED.value
    summary = run.summary or ""
    assert "My orders are not importing: 2 orders created within the last 7 days" in summary
    assert (
        "(awaiting_payment: 1, on_hold: 1)" in summary
        or "(on_hold: 1, awaiting_payment: 1)" in summary
    )
    assert "ensure it matches your configurations for this operation" in summary
    assert "1 order with status awaiting_shipment is 'too old' for us to import" in summary
    assert '"Get Orders Created within the last X Days" configuration (now 7)' in summary


async def test_an_imported_order_is_not_reported_as_skipped(channel: ShipStationChannel) -> None:
    channel.place(["SS-000001"])
    await channel.run("get_orders", days=7)
    run = await channel.run("get_orders", days=7)
    assert "not importing" not in (run.summary or "")


async def test_tag_id_imports_only_tagged_orders_through_listbytag(
    channel: ShipStationChannel,
) -> None:
    tagged = channel.place(["SS-000001"], tagIds=[DROPSHIP])
    channel.place(["SS-000002"], tagIds=[TAGS[0]["tagId"]])
    channel.place(["SS-000003"])
    old = channel.place(["SS-000004"], tagIds=[DROPSHIP], createDate=days_ago(20))
    run = await channel.run("get_orders", tag_id=str(DROPSHIP), days=7)
    assert set(channel.orders()) == {str(tagged["orderId"])}
    assert str(old["orderId"]) not in channel.orders()
    assert run.counters["orders_created"] == 1
    nothing = await channel.run("get_orders", tag_id=DROPSHIP, days=7)
    summary = nothing.summary or ""
    assert "2 orders created within the last 7 days do not carry Tag ID" in summary
    assert "'too old' for us to import" in summary


async def test_an_unknown_tag_or_user_stops_the_run_before_import(
    channel: ShipStationChannel,
) -> None:
    channel.place(["SS-000001"])
    run = await channel.run("get_orders", tag_id=999)
    assert run.status == RunStatus.FAILED.value
    assert "Tag ID 999 is not a tag of this ShipStation account" in (run.error or "")
    run = await channel.run(
        "get_orders", tag_id=None, assign_user_id="00000000-0000-0000-0000-000000000001"
    )
    assert run.status == RunStatus.FAILED.value
    assert "is not a user of this ShipStation account" in (run.error or "")
    assert not channel.orders()


@pytest.mark.parametrize("bad", [{"tag_id": "Dropship"}, {"assign_user_id": "ops"}, {"days": 0}])
async def test_bad_settings_fail_in_one_line_naming_the_setting(
    channel: ShipStationChannel, bad: dict[str, object]
) -> None:
    run = await channel.run("get_orders", **bad)
    assert run.status == RunStatus.FAILED.value
    assert f"invalid setting: {next(iter(bad))}" in (run.error or "")
    assert "\n" not in (run.error or "")


async def test_assign_user_after_import_batched_and_never_again(
    channel: ShipStationChannel,
) -> None:
    placed = [channel.place([f"SS-00000{n}"]) for n in range(1, 4)]
    ids = sorted(o["orderId"] for o in placed)
    run = await channel.run("get_orders", assign_user_id=OPS)
    assert run.counters["users_assigned"] == 3
    assert [sorted(batch) for batch, _ in channel.state.assign_calls] == [ids]  # one batch
    assert {channel.state.orders[i]["userId"] for i in ids} == {OPS}

    # An operator hands one order to Sam and unassigns another in ShipStation: a re-run
    # (and a new order) must not undo that.
    channel.state.orders[ids[0]]["userId"] = SAM
    channel.state.orders[ids[1]]["userId"] = None
    later = channel.place(["SS-000005"])
    await channel.run("get_orders", assign_user_id=OPS)
    assert channel.state.assign_calls[1:] == [([later["orderId"]], OPS)]
    assert channel.state.orders[ids[0]]["userId"] == SAM
    assert channel.state.orders[ids[1]]["userId"] is None


async def test_assignment_cut_off_by_a_dead_worker_is_looked_at_not_repeated(
    channel: ShipStationChannel,
) -> None:
    """The worker recorded the request and ShipStation applied it, then the worker died
    before confirming: the next run sees the user on the order and only confirms."""
    from store.commands import order_writes

    order = channel.place(["SS-000001"])
    await channel.run("get_orders")
    [ours] = channel.orders().values()
    with channel.db.write() as session:
        order_writes.record_write(
            session,
            [ours.id or 0],
            "shipstation.assign_user",
            "requested",
            actor="ss-demo/get_orders",
            after={"userId": OPS},
        )
    channel.state.orders[order["orderId"]]["userId"] = OPS  # ShipStation had applied it
    run = await channel.run("get_orders", assign_user_id=OPS)
    assert channel.state.assign_calls == []
    assert run.counters.get("users_assigned", 0) == 0
    assert [a.record_id for a in channel.audit("shipstation.assign_user")] == [str(ours.id)]
