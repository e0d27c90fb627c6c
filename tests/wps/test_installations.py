"""Two installations on one WPS account: their POs never meet, and a foreign PO is refused.

Each database numbers its orders from 1; before installation ids both made the same PO,
and the second business took the first one's order at WPS (and its tracking) for its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
import structlog

from connectors.sandboxing.serve import serve
from connectors.settings import SettingsError, no_templates
from connectors.wps.sandbox import build
from connectors.wps.settings import SendSettings
from console.runtime.logging import configure_logging, flush_notifications, shutdown_logging
from store.db import Database, open_database
from store.installation import installation_id
from store.models import Installation, Notification, Shipment
from store.settings import StoreSettings

from .conftest import Wps, run_job, wire_wps


@pytest.fixture
def two_stores(db: Database, tmp_path: Path) -> Iterator[tuple[Wps, Wps]]:
    """`db` and a second SQLite store, each with a WPS source on the same sandbox account."""
    home = tmp_path / "second"
    home.mkdir()
    url = f"sqlite:///{home / 'dropdeck.db'}"
    other = open_database(StoreSettings(home=home, database_url=url))
    sandbox = build(seed=5, size=240)
    server = serve(sandbox.app)
    control = httpx.Client(base_url=server.base_url)
    try:
        yield wire_wps(db, sandbox, server, control), wire_wps(other, sandbox, server, control)
    finally:
        control.close()
        server.stop()
        other.dispose()


def tracking_of(wps: Wps, request_id: int) -> list[str]:
    order_id = wps.request(request_id).order_id
    with wps.db.read() as session:
        return list(
            session.scalars(
                sa.select(Shipment.tracking_number).where(Shipment.order_id == order_id)
            )
        )


async def test_same_local_ids_never_cross(two_stores: tuple[Wps, Wps]) -> None:
    first, second = two_stores
    sku_a, sku_b = first.orderable_skus(2)
    rid_a = first.order([(sku_a, 1)], customer=("Ada", "Lovelace"))
    rid_b = second.order([(sku_b, 2)], customer=("Grace", "Hopper"))
    assert first.order_of(rid_a).id == second.order_of(rid_b).id == 1  # the same local ids
    po_a, po_b = first.request(rid_a).po_number, second.request(rid_b).po_number
    assert po_a != po_b
    for wps in (first, second):
        run = await run_job(wps.db, wps.integration("send_orders"))
        assert run.status == "succeeded" and run.counters == {"sent": 1}, run.error
    assert first.state.orders[po_a]["ship_name"] == "Ada Lovelace"
    assert second.state.orders[po_b]["ship_name"] == "Grace Hopper"
    for po, tracking in ((po_a, "1ZADA"), (po_b, "1ZGRACE")):
        first.control.post(
            f"/_sandbox/orders/{po}/ship", json={"tracking_number": tracking}
        ).raise_for_status()
    for wps in (first, second):
        run = await run_job(wps.db, wps.integration("get_shipments"))
        assert run.status == "succeeded", run.error
    assert tracking_of(first, rid_a) == ["1ZADA"] and first.request(rid_a).status == "shipped"
    assert tracking_of(second, rid_b) == ["1ZGRACE"] and second.request(rid_b).status == "shipped"


async def test_a_foreign_po_with_other_contents_is_refused(
    two_stores: tuple[Wps, Wps], tmp_path: Path
) -> None:
    first, second = two_stores
    # The second store made the same PO (as every store did before installation ids).
    with first.db.write() as session:
        same = installation_id(session)
    with second.db.write() as session:
        session.add(Installation(id=1, installation_id=same))
    sku_a, sku_b = first.orderable_skus(2)
    rid_a = first.order([(sku_a, 1)])
    rid_b = second.order([(sku_b, 1)], customer=("Grace", "Hopper"))
    po = first.request(rid_a).po_number
    assert second.request(rid_b).po_number == po
    run = await run_job(first.db, first.integration("send_orders"))
    assert run.counters == {"sent": 1}, run.error
    configure_logging(tmp_path / "second", db=second.db)  # as the second store's worker
    try:
        run = await run_job(second.db, second.integration("send_orders"))
        flush_notifications()
    finally:
        shutdown_logging()
        structlog.reset_defaults()
    message = (
        f"PO {po} exists at WPS with other contents (placed by another system?): "
        "not sent, not marked"
    )
    assert run.status == "partial" and run.counters == {"failed": 1}
    request = second.request(rid_b)
    assert (request.status, request.external_id, request.last_error) == ("failed", None, message)
    # Nothing sent: WPS still holds the first store's order alone.
    details = first.state.orders[po]["order_details"]
    assert [i["sku"] for d in details for i in d["items"]] == [sku_a]
    with second.db.read() as session:
        levels = session.scalars(
            sa.select(Notification.level).where(Notification.message.contains("other contents"))  # type: ignore[attr-defined]
        ).all()
    assert "error" in levels


async def test_po_prefix_goes_before_every_po(wps_sqlite: Wps) -> None:
    wps = wps_sqlite
    iid = wps.integration("send_orders", {"po_prefix": "acme-"})
    rid = wps.order([(wps.orderable_skus(1)[0], 1)])
    po = wps.request(rid).po_number
    with wps.db.read() as session:
        made = session.scalars(sa.select(Installation.installation_id)).one()
    assert po == f"ACME-DD{made}-{wps.order_of(rid).id}S{wps.source_id}"
    run = await run_job(wps.db, iid)
    assert run.counters == {"sent": 1}, run.error
    assert po in wps.state.orders


@pytest.mark.parametrize(
    ("prefix", "problem"),
    [
        ("ACME SHOP", "must be at most 8 letters, digits or '-'"),
        ("TOOLONGPREFIX", "must be at most 8 letters, digits or '-'"),
    ],
)
def test_a_bad_po_prefix_is_refused_at_set_up(prefix: str, problem: str) -> None:
    with pytest.raises(SettingsError) as refused:
        SendSettings.parse(
            {"po_prefix": prefix},
            integration="wps/send_orders",
            kind="send_orders",
            templates=no_templates,
        )
    assert f"send_orders setting 'po_prefix': PO prefix {prefix!r} {problem}" == str(refused.value)
