"""A fictional dropship business written straight into the store.

Used by tests, benchmarks and (until the sandbox peers drive it) the demo: two sources,
three channels, listings in every state, orders in every status, shipments, runs and
notifications. Deterministic for a given seed. Bulk rows go in with set-based inserts.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from store.db import Database
from store.models import (
    Channel,
    FulfillmentRequest,
    Integration,
    InventoryItem,
    JobRun,
    Listing,
    ListingVariant,
    Notification,
    Order,
    OrderLine,
    Shipment,
    Source,
)
from store.models._types import utcnow
from store.models.catalog import LinkState
from store.models.orders import OrderStatus, RequestStatus

SOURCES = (("Western Power Sports", "wps", "WPS-"), ("US Direct", "usdirect", "USD-"))
CHANNELS = (
    ("woo-demo", "woocommerce"),
    ("magento-demo", "magento"),
    ("shipstation-demo", "shipstation"),
)
PRODUCTS = ("Brake Pad", "Chain Kit", "Air Filter", "Spark Plug", "Hand Grip", "Oil Filter")
COLOURS = ("Black", "Red", "Blue")


def _states(i: int) -> dict[str, Any]:
    """Spread listings over every link state and flag, most of them linked."""
    state = LinkState.LINKED
    if i % 11 == 3:
        state = LinkState.BROKEN_LINK
    elif i % 13 == 5:
        state = LinkState.UNLINKED
    elif i % 17 == 7:
        state = LinkState.DELISTED
    return {
        "link_state": state.value,
        "paused": i % 9 == 2,
        "hidden": i % 14 == 6,
        "pending": "hide" if i % 28 == 6 else None,
        "needs_attention": "channel refused the price: below MAP" if i % 31 == 4 else None,
    }


def seed_listings(db: Database, channel_id: int, count: int, *, prefix: str = "WPS-") -> None:
    """`count` listing variants (3 per listing) on one channel, inserted in batches."""
    rng = random.Random(count)
    now = utcnow()
    batch = 30_000  # a multiple of 3: a batch never splits a parent
    for start in range(0, count, batch):
        stop = min(start + batch, count)
        parents = range(start // 3, (stop + 2) // 3)
        with db.write() as session:
            first_id = session.scalar(sa.select(sa.func.coalesce(sa.func.max(Listing.id), 0)))
            session.execute(
                sa.insert(Listing),
                [
                    {
                        "channel_id": channel_id,
                        "master_sku": f"{prefix}{p:07d}",
                        "external_id": str(10_000 + p),
                        "title": f"{PRODUCTS[p % len(PRODUCTS)]} {p}",
                        "description": "",
                        "images": [],
                        "created_at": now,
                        "updated_at": now,
                    }
                    for p in parents
                ],
            )
            ids = dict(
                session.execute(
                    sa.select(col(Listing.master_sku), col(Listing.id)).where(
                        col(Listing.id) > first_id
                    )
                ).all()
            )
            session.execute(
                sa.insert(ListingVariant),
                [
                    {
                        "listing_id": ids[f"{prefix}{i // 3:07d}"],
                        "channel_id": channel_id,
                        "sku": f"{prefix}{i // 3:07d}-{COLOURS[i % 3][:3].upper()}",
                        "master_sku": f"{prefix}{i // 3:07d}-{COLOURS[i % 3][:3].upper()}",
                        "external_id": str(500_000 + i),
                        "title": f"{PRODUCTS[(i // 3) % len(PRODUCTS)]} {i // 3} {COLOURS[i % 3]}",
                        "images": [],
                        "price": Decimal(rng.randrange(999, 19_999)) / 100,
                        "quantity": rng.randrange(0, 40),
                        "updated_at": now,
                        "extra": {},
                        **_states(i),
                    }
                    for i in range(start, stop)
                ],
            )


def seed_demo_business(db: Database, *, listings: int = 300, orders: int = 60) -> None:
    """The whole fictional business; call on an empty, upgraded database."""
    rng = random.Random(7)
    now = utcnow()
    with db.write() as session:
        sources = [Source(name=n, kind=k, sku_prefix=p) for n, k, p in SOURCES]
        channels = [Channel(name=n, kind=k, auto_process=(k == "woocommerce")) for n, k in CHANNELS]
        session.add_all([*sources, *channels])
        session.flush()
        _seed_integrations(session, sources, channels)
    for channel, share in zip(channels, (0.6, 0.3, 0.1), strict=True):
        assert channel.id is not None
        prefix = "WPS-" if channel.kind == "woocommerce" else f"{channel.kind[:3].upper()}-"
        seed_listings(db, channel.id, max(3, int(listings * share)), prefix=prefix)
    with db.write() as session:
        _seed_inventory(session, sources[0], rng)
        _seed_orders(session, channels, sources, orders, rng)
        _seed_runs_and_notifications(session, now)


def _seed_integrations(session: Session, sources: list[Source], channels: list[Channel]) -> None:
    for s in sources:
        for kind, seconds in (
            ("get_inventory", 3600),
            ("send_orders", 300),
            ("get_shipments", 900),
        ):
            session.add(
                Integration(
                    name=f"{s.kind}-demo/{kind}",
                    kind=kind,
                    source_id=s.id,
                    schedule_type="interval",
                    schedule_value=str(seconds),
                )
            )
    for c in channels:
        for kind, seconds in (("import_listings", 0), ("sync_listings", 600), ("get_orders", 300)):
            session.add(
                Integration(
                    name=f"{c.name}/{kind}",
                    kind=kind,
                    channel_id=c.id,
                    schedule_type="manual" if seconds == 0 else "interval",
                    schedule_value="" if seconds == 0 else str(seconds),
                )
            )
    session.flush()


def _seed_inventory(session: Session, source: Source, rng: random.Random) -> None:
    rows: list[dict[str, Any]] = [
        {
            "source_id": source.id,
            "sku": f"WPS-{i // 3:07d}-{COLOURS[i % 3][:3].upper()}",
            "master_sku": f"WPS-{i // 3:07d}-{COLOURS[i % 3][:3].upper()}",
            "parent_sku": f"WPS-{i // 3:07d}",
            "title": f"{PRODUCTS[(i // 3) % len(PRODUCTS)]} {i // 3}",
            "images": [],
            "warehouse_quantities": {"ca": rng.randrange(0, 20), "tx": rng.randrange(0, 20)},
            "cost": Decimal(rng.randrange(500, 9_000)) / 100,
            "quantity": rng.randrange(0, 40),
            "updated_at": utcnow(),
        }
        for i in range(60)
    ]
    session.execute(sa.insert(InventoryItem), rows)


def _seed_orders(
    session: Session,
    channels: list[Channel],
    sources: list[Source],
    count: int,
    rng: random.Random,
) -> None:
    statuses = list(OrderStatus)
    for n in range(count):
        status = statuses[n % len(statuses)]
        channel = channels[n % len(channels)]
        placed = utcnow() - timedelta(hours=count - n)
        order = Order(
            channel_id=channel.id or 0,
            external_id=str(9000 + n),
            number=f"#{9000 + n}",
            status=status.value,
            hold_reason=(
                "no shipping mapping for 'local_pickup': add it in the channel's shipping mappings"
                if status is OrderStatus.ON_HOLD
                else None
            ),
            customer_name=rng.choice(
                ("Ada Byron", "Grace Hopper", "Ken Thompson", "Barbara Liskov")
            ),
            customer_email="customer@example.com",
            shipping_text="Flat rate",
            shipping_policy="flat_rate",
            total=Decimal(rng.randrange(2_000, 40_000)) / 100,
            placed_at=placed,
        )
        session.add(order)
        session.flush()
        line = OrderLine(
            order_id=order.id or 0,
            external_id=f"{order.external_id}-1",
            sku=f"WPS-{n:07d}-BLA",
            title="Brake Pad",
            quantity=1 + n % 3,
        )
        session.add(line)
        if status in (OrderStatus.NEW, OrderStatus.ON_HOLD, OrderStatus.CANCELLED):
            continue
        request_status = {
            OrderStatus.ROUTED: RequestStatus.PENDING,
            OrderStatus.SENT: RequestStatus.SENT,
            OrderStatus.FAILED: RequestStatus.FAILED,
            OrderStatus.PARTIALLY_SHIPPED: RequestStatus.PARTIALLY_SHIPPED,
        }.get(status, RequestStatus.SHIPPED)
        source = sources[n % len(sources)]
        request = FulfillmentRequest(
            order_id=order.id or 0,
            source_id=source.id or 0,
            po_number=f"DD-{order.id:06d}-{source.kind.upper()}",
            status=request_status.value,
            shipping_method="BEST",
            attempts=0 if request_status is RequestStatus.PENDING else 1,
            # Sent half an hour after the order came in (the dashboard's POs sent).
            sent_at=(
                None
                if request_status in (RequestStatus.PENDING, RequestStatus.FAILED)
                else placed + timedelta(minutes=30)
            ),
            last_error=(
                "Invalid request: Missing required field 'customer_email' for order creation"
                if request_status is RequestStatus.FAILED
                else None
            ),
        )
        session.add(request)
        session.flush()
        if request_status in (RequestStatus.SHIPPED, RequestStatus.PARTIALLY_SHIPPED):
            session.add(
                Shipment(
                    source_id=source.id or 0,
                    order_id=order.id or 0,
                    request_id=request.id or 0,
                    external_id=f"S{request.id}",
                    carrier="UPS",
                    service="Ground",
                    tracking_number=f"1Z999AA1{n:010d}",
                    shipped_at=placed + timedelta(hours=20),
                    recorded_at=placed + timedelta(hours=20, minutes=40),
                    synced_at=placed + timedelta(hours=21) if n % 2 else None,
                    # A source that says (US Direct's words), and one that does not.
                    status=("Delivered", "In Transit", None)[n % 3],
                )
            )


def _seed_runs_and_notifications(session: Session, now: Any) -> None:
    integrations = list(session.scalars(sa.select(Integration).order_by(col(Integration.id))))
    statuses = ("succeeded", "partial", "failed", "succeeded")
    for i, integration in enumerate(integrations):
        status = statuses[i % len(statuses)]
        finished = now - timedelta(minutes=5 * (len(integrations) - i))
        session.add(
            JobRun(
                integration_id=integration.id or 0,
                trigger="schedule",
                status=status,
                queued_at=finished - timedelta(seconds=40),
                started_at=finished - timedelta(seconds=30),
                finished_at=finished,
                counters={"created": 3 * i, "updated": 10 + i, "failed": i % 3},
                progress_done=100,
                progress_total=100,
                error="HTTP 503 from the supplier after 5 attempts" if status == "failed" else None,
                summary=f"{integration.kind}: created {3 * i}, updated {10 + i}, failed {i % 3}",
            )
        )
        level = {"failed": "error", "partial": "warning"}.get(status, "info")
        session.add(
            Notification(
                at=finished,
                level=level,
                integration_id=integration.id,
                integration=integration.name,
                event="run.finished",
                message=f"{integration.kind} {status}: created {3 * i}, updated {10 + i}, "
                f"failed {i % 3}",
                data={},
            )
        )
