"""Once-per-order channel writes: recorded before sending, confirmed after, on both stores."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from store.commands import order_writes
from store.db import Database
from store.models import (
    AuditEvent,
    Channel,
    FulfillmentRequest,
    Order,
    OrderLine,
    Shipment,
    ShipmentLine,
    Source,
)

WHEN = datetime(2026, 6, 1, 12, tzinfo=UTC)


def seed(db: Database) -> tuple[int, list[int], list[int]]:
    """A channel with two orders of two lines (1 + 2 units); order 1 fully shipped in two
    shipments, order 2 one unit short. Returns (channel id, order ids, line ids)."""
    with db.write() as session:
        channel = Channel(name="ss", kind="shipstation")
        source = Source(name="wps", kind="wps")
        session.add_all([channel, source])
        session.flush()
        orders, lines = [], []
        for n in (1, 2):
            order = Order(
                channel_id=channel.id or 0,
                external_id=str(100 + n),
                number=str(n),
                placed_at=WHEN,
                imported_at=WHEN + timedelta(hours=n),
            )
            session.add(order)
            session.flush()
            orders.append(order.id or 0)
            request = FulfillmentRequest(
                order_id=order.id or 0, source_id=source.id or 0, po_number=f"PO{n}"
            )
            session.add(request)
            a = OrderLine(order_id=order.id or 0, external_id="a", sku="A", quantity=1)
            b = OrderLine(order_id=order.id or 0, external_id="b", sku="B", quantity=2)
            session.add_all([a, b])
            session.flush()
            lines += [a.id or 0, b.id or 0]
            shipped = [(a.id, 1), (b.id, 2)] if n == 1 else [(a.id, 1), (b.id, 1)]
            for k, (line_id, qty) in enumerate(shipped):
                shipment = Shipment(
                    source_id=source.id or 0,
                    order_id=order.id or 0,
                    request_id=request.id or 0,
                    external_id=f"S{n}{k}",
                    tracking_number=f"T{n}{k}",
                    shipped_at=WHEN,
                )
                session.add(shipment)
                session.flush()
                session.add(
                    ShipmentLine(
                        shipment_id=shipment.id or 0, order_line_id=line_id, sku="x", quantity=qty
                    )
                )
        return channel.id or 0, orders, lines


def test_order_ids_and_the_ones_imported_since(db: Database) -> None:
    channel, orders, _ = seed(db)
    with db.read() as session:
        assert order_writes.channel_order_ids(session, channel, ["101", "102", "999"]) == {
            "101": orders[0],
            "102": orders[1],
        }
        since = WHEN + timedelta(hours=1, minutes=30)
        recent = order_writes.channel_order_ids(
            session, channel, ["101", "102"], imported_since=since
        )
        assert recent == {"102": orders[1]}
        assert order_writes.channel_order_ids(session, channel + 1, ["101"]) == {}


def test_requested_then_done_and_nothing_else_counts(db: Database) -> None:
    _, orders, _ = seed(db)
    action = "shipstation.mark_shipped"
    with db.write() as session:
        order_writes.record_write(session, orders, action, "requested", actor="t", after={})
    with db.write() as session:
        order_writes.record_write(session, orders[:1], action, "done", actor="t", after={"x": 1})
        # another action on the same order is another record
        order_writes.record_write(session, orders[1:], "other", "done", actor="t", after={})
    with db.read() as session:
        assert order_writes.write_states(session, orders, action) == {
            orders[0]: "done",
            orders[1]: "requested",
        }
        audit = session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()  # type: ignore[arg-type]
    assert audit == [f"{action}.requested"] * 2 + [action, "other"]


def test_fully_shipped_counts_every_unit_of_every_line(db: Database) -> None:
    _, orders, _ = seed(db)
    with db.read() as session:
        assert order_writes.fully_shipped(session, orders) == {orders[0]: True, orders[1]: False}


def test_confirm_records_done_and_syncs_the_shipments_in_one_go(db: Database) -> None:
    _, orders, _ = seed(db)
    with db.write() as session:
        ids = list(session.scalars(sa.select(Shipment.id).where(Shipment.order_id == orders[0])))
        session.execute(sa.update(Shipment).values(sync_error="maybe sent"))
    with db.write() as session:
        order_writes.confirm_order_write(
            session,
            orders[0],
            "shipstation.mark_shipped",
            actor="t",
            after={},
            synced_shipments=ids,
        )
    with db.read() as session:
        rows = session.execute(
            sa.select(Shipment.order_id, Shipment.synced_at, Shipment.sync_error)
        ).all()
        state = order_writes.write_states(session, orders, "shipstation.mark_shipped")
    assert state == {orders[0]: "done"}
    assert all(
        (synced is not None and error is None) if order == orders[0] else synced is None
        for order, synced, error in rows
    )
