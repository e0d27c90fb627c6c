"""The dashboard's hourly series and run strips, bucketed in SQL, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from store.db import Database
from store.models import (
    Channel,
    FulfillmentRequest,
    Integration,
    JobRun,
    Order,
    Shipment,
    Source,
)
from store.queries.dashboard import dashboard, window

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
HOUR = timedelta(hours=1)


def _seed(db: Database) -> None:
    """woo (a channel) and wps (a source), with times on and around the bucket edges."""
    with db.write() as s:
        woo, mag = Channel(name="woo", kind="woocommerce"), Channel(name="mag", kind="magento")
        wps = Source(name="wps", kind="wps")
        s.add_all([woo, mag, wps])
        s.flush()
        get_orders = Integration(name="woo/get_orders", kind="get_orders", channel_id=woo.id)
        send = Integration(name="wps/send_orders", kind="send_orders", source_id=wps.id)
        idle = Integration(name="mag/sync_listings", kind="sync_listings", channel_id=mag.id)
        s.add_all([get_orders, send, idle])
        s.flush()
        placed = [
            NOW,  # this hour (the last bucket)
            NOW.replace(minute=0),  # the first instant of this hour
            NOW.replace(minute=0) - timedelta(microseconds=100),  # 08:59:59.9999: the 8 o'clock
            NOW - 3 * HOUR,
            NOW - 23 * HOUR,  # 10:30 yesterday: the first bucket (10:00)
            NOW - 24 * HOUR,  # 09:30 yesterday: before the window
            NOW + timedelta(minutes=1),  # later than now: not counted
        ]
        orders = [
            Order(channel_id=woo.id or 0, external_id=str(n), number=f"#{n}", placed_at=at)
            for n, at in enumerate(placed)
        ]
        s.add_all(orders)
        s.flush()
        sent = [NOW - 2 * HOUR, NOW - 2 * HOUR + timedelta(minutes=10), NOW - 30 * HOUR, None]
        requests = [
            FulfillmentRequest(
                order_id=orders[n].id or 0, source_id=wps.id or 0, po_number=f"PO{n}", sent_at=at
            )
            for n, at in enumerate(sent)
        ]
        s.add_all(requests)
        s.flush()
        midnight = NOW.replace(hour=0, minute=0)  # a ship date with no time
        for n, (shipped, recorded, synced) in enumerate(
            [
                # From recorded: 1 h, synced in the 5 o'clock bucket (not 5 h 30 from midnight)
                (midnight, NOW - 5 * HOUR, NOW - 4 * HOUR),
                # No recorded time (stored before 0012): from the ship time, 2 h 5 m
                (NOW - 6 * HOUR, None, NOW - 4 * HOUR + timedelta(minutes=5)),
                (NOW - 2 * HOUR, NOW - 2 * HOUR, None),  # not synced yet: no lag yet
            ]
        ):
            s.add(
                Shipment(
                    source_id=wps.id or 0,
                    order_id=orders[n].id or 0,
                    request_id=requests[n].id or 0,
                    external_id=f"S{n}",
                    tracking_number=f"1Z{n}",
                    shipped_at=shipped,
                    recorded_at=recorded,
                    synced_at=synced,
                )
            )
        runs = [
            (get_orders, "succeeded", NOW - 7 * HOUR, {"created": 3}),
            (get_orders, "partial", NOW - 1 * HOUR, {"failed": 2}),
            (get_orders, "failed", NOW - 1 * HOUR, {}),  # a failed run counts once
            (get_orders, "running", None, {}),
            (get_orders, "queued", None, {}),  # no outcome yet: not in the strip
            (send, "failed", NOW - 40 * HOUR, {"failed": 9}),  # outside the window
            (send, "succeeded", NOW - 10 * HOUR, {"failed": 4}),
        ]
        for integration, status, finished, counters in runs:
            s.add(
                JobRun(
                    integration_id=integration.id or 0,
                    status=status,
                    finished_at=finished,
                    counters=counters,
                )
            )


def test_window_is_clock_hours_ending_with_this_one() -> None:
    assert window(NOW, 24) == datetime(2026, 3, 1, 10, tzinfo=UTC)
    assert window(NOW.replace(minute=0), 2) == datetime(2026, 3, 2, 8, tzinfo=UTC)


def test_hourly_series_per_channel_and_source(db: Database) -> None:
    _seed(db)
    with db.read() as s:
        d = dashboard(s, NOW)
    assert d.since == datetime(2026, 3, 1, 10, tzinfo=UTC) and d.until == NOW
    assert [c.name for c in d.channels] == ["mag", "woo"] and [s.name for s in d.sources] == ["wps"]
    woo, mag, wps = d.channels[1], d.channels[0], d.sources[0]
    # Bucket 23 is 09:00-09:30 today, 22 is 08:00, 0 is 10:00 yesterday.
    expected_orders = [0] * 24
    expected_orders[23], expected_orders[22], expected_orders[20], expected_orders[0] = 2, 1, 1, 1
    assert woo.activity == expected_orders
    assert mag.activity == [0] * 24 and mag.failures == [0] * 24 and mag.lag == [None] * 24
    expected_failures = [0] * 24
    expected_failures[22] = 3  # the partial run's 2 records and the failed run
    assert woo.failures == expected_failures
    lag: list[int | None] = [None] * 24
    lag[19] = 2 * 3600 + 5 * 60  # both synced in the 5 o'clock hour: the longer one
    assert woo.lag == lag
    expected_pos = [0] * 24
    expected_pos[21] = 2
    assert wps.activity == expected_pos
    expected_wps_failures = [0] * 24
    expected_wps_failures[13] = 4  # 23:30 yesterday's succeeded run with 4 failed records
    assert wps.failures == expected_wps_failures and wps.lag == []


def test_last_runs_oldest_first_without_queued(db: Database) -> None:
    _seed(db)
    with db.read() as s:
        runs = {r.name: r for r in dashboard(s, NOW, runs_per_integration=3).runs}
    assert list(runs) == ["mag/sync_listings", "woo/get_orders", "wps/send_orders"]
    assert runs["woo/get_orders"].statuses == ("partial", "failed", "running")
    assert runs["woo/get_orders"].owner == "woo"
    assert runs["wps/send_orders"].statuses == ("failed", "succeeded")
    assert runs["mag/sync_listings"].statuses == ()


def test_an_empty_store(db: Database) -> None:
    with db.read() as s:
        d = dashboard(s, NOW)
    assert (d.channels, d.sources, d.runs) == ([], [], [])


def test_a_shipment_is_recorded_once_and_keeps_that_time(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`recorded_at` (the sync lag's start) is the first time Dropdeck stored the tracking;
    the source reporting it again (a status that moves on) does not move it."""
    from store.commands import fulfillment
    from store.commands.fulfillment import ShipmentIn, record_shipments

    _seed(db)
    with db.read() as s:
        request_id = s.scalars(
            sa.select(FulfillmentRequest.id).order_by(FulfillmentRequest.id)
        ).first()
    assert request_id is not None
    shipment = ShipmentIn("NEW-1", "1ZNEW", "UPS", "Ground", NOW.replace(hour=0, minute=0), [])
    for at, status in ((NOW, "In Transit"), (NOW + HOUR, "Delivered")):
        monkeypatch.setattr(fulfillment, "utcnow", lambda at=at: at)
        with db.write() as s:
            record_shipments(s, request_id, [replace(shipment, status=status)])
    with db.read() as s:
        stored = s.scalars(sa.select(Shipment).where(Shipment.external_id == "NEW-1")).one()
    assert (stored.status, stored.recorded_at) == ("Delivered", NOW)
