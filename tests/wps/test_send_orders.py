"""send_orders against the WPS sandbox: one WPS order per request, whatever happens."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from connectors.wps import operations
from store.commands import fulfillment
from store.commands.fulfillment import ResubmitRefused, resubmit_request
from store.models import AuditEvent, Integration

from .conftest import Wps, integration_row, run_direct, run_job


def wps_orders(wps: Wps, po: str) -> int:
    """How many WPS orders (order details) exist under a PO."""
    record = wps.state.orders.get(po)
    return 0 if record is None else len(record["order_details"])


async def test_send_places_one_order_and_rerun_adds_none(wps: Wps) -> None:
    a, b = wps.orderable_skus(2)
    rid = wps.order([(a, 1), (b, 2)])
    iid = wps.integration("send_orders")
    run = await run_job(wps.db, iid)
    assert run.status == "succeeded", run.error
    request = wps.request(rid)
    assert request.status == "sent" and request.attempts == 1 and request.external_id
    assert wps.order_of(rid).status == "sent"
    po = wps.state.orders[request.po_number]
    assert po["ship_name"] == "Ada Lovelace" and po["ship_zip"] == "83702"
    lines = {i["sku"]: i["quantity"] for d in po["order_details"] for i in d["items"]}
    assert lines == {a: 1, b: 2}
    again = await run_job(wps.db, iid)
    assert again.status == "succeeded"
    assert wps_orders(wps, request.po_number) == len(po["order_details"])
    assert wps.request(rid).attempts == 1


async def test_channel_without_auto_process_is_not_sent(wps_sqlite: Wps) -> None:
    wps = wps_sqlite
    rid = wps.order([(wps.orderable_skus(1)[0], 1)], auto_process=False)
    run = await run_job(wps.db, wps.integration("send_orders"))
    assert run.status == "succeeded"
    assert wps.request(rid).status == "pending" and not wps.state.orders


async def test_unsupported_method_refused_before_any_http(wps_sqlite: Wps) -> None:
    wps = wps_sqlite
    rid = wps.order([(wps.orderable_skus(1)[0], 1)], method="FDXG")
    wps.faults(expired_credentials=True)  # any request would fail the run with 401
    run = await run_job(wps.db, wps.integration("send_orders"))
    wps.faults(expired_credentials=False)
    assert run.status == "partial", run.error
    request = wps.request(rid)
    assert request.status == "failed" and request.attempts == 0
    assert request.last_error == (
        "shipping method 'FDXG' is not supported by WPS; use one of AH2D, BEST, FE1D, FE2D, "
        "UP1D, UP2D, US1C, US4C (map the order's shipping policy, or resubmit with "
        "--shipping-method)"
    )
    assert not wps.state.orders and not wps.state.carts


async def test_missing_customer_email_gives_the_exact_message(wps_sqlite: Wps) -> None:
    wps = wps_sqlite
    rid = wps.order([(wps.orderable_skus(1)[0], 1)], email=None)
    run = await run_job(wps.db, wps.integration("send_orders"))
    assert run.status == "partial"
    assert wps.request(rid).last_error == (
        "Invalid request: Missing required field 'customer_email' for order creation"
    )
    assert "customer_email" in (run.summary or "")
    assert not wps.state.orders


async def test_supplier_refusal_fails_the_request_with_its_message(wps_sqlite: Wps) -> None:
    wps = wps_sqlite
    sku = wps.orderable_skus(1)[0]
    rid = wps.order([(sku, 500)])
    run = await run_job(wps.db, wps.integration("send_orders"))
    assert run.status == "partial"
    request = wps.request(rid)
    assert request.status == "failed"
    assert request.last_error is not None
    assert request.last_error.startswith("WPS: The given data was invalid. quantity: Only ")
    assert wps.order_of(rid).status == "failed"
    assert not wps.state.orders and not wps.state.carts  # the half-built cart was removed


async def test_crash_after_wps_accepted_then_rerun_sends_nothing_new(
    wps: Wps, monkeypatch: pytest.MonkeyPatch
) -> None:
    rid = wps.order([(wps.orderable_skus(1)[0], 1)])
    iid = wps.integration("send_orders")
    real = fulfillment.mark_sent

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("worker died before committing")

    monkeypatch.setattr(fulfillment, "mark_sent", crash)
    run = await run_job(wps.db, iid)
    assert run.status == "failed"
    request = wps.request(rid)
    assert request.status == "sending" and wps_orders(wps, request.po_number) == 1
    monkeypatch.setattr(fulfillment, "mark_sent", real)
    rerun = await run_job(wps.db, iid)
    assert rerun.status == "succeeded", rerun.error
    assert rerun.counters == {"reconciled": 1}
    request = wps.request(rid)
    assert request.status == "sent" and request.external_id
    assert wps_orders(wps, request.po_number) == 1


async def test_crash_after_cart_opened_restarts_the_cart(
    wps_sqlite: Wps, monkeypatch: pytest.MonkeyPatch
) -> None:
    wps = wps_sqlite
    sku = wps.orderable_skus(1)[0]
    rid = wps.order([(sku, 2)])
    iid = wps.integration("send_orders")
    real = operations.WpsClient.submit_order

    async def crash(self: object, po: str) -> str:
        raise RuntimeError("worker died between cart and order")

    monkeypatch.setattr(operations.WpsClient, "submit_order", crash)
    assert (await run_job(wps.db, iid)).status == "failed"
    po = wps.request(rid).po_number
    assert po in wps.state.carts and wps.request(rid).status == "sending"
    monkeypatch.setattr(operations.WpsClient, "submit_order", real)
    rerun = await run_job(wps.db, iid)
    assert rerun.status == "succeeded", rerun.error
    assert wps.request(rid).status == "sent"
    assert wps_orders(wps, po) == 1 and po not in wps.state.carts
    items = [i for d in wps.state.orders[po]["order_details"] for i in d["items"]]
    assert sum(i["quantity"] for i in items) == 2  # not 4: the old cart was not reused


async def test_po_already_at_wps_is_recorded_not_reordered(wps_sqlite: Wps) -> None:
    wps = wps_sqlite
    sku = wps.orderable_skus(1)[0]
    rid = wps.order([(sku, 1)])
    po = wps.request(rid).po_number
    # Our own order, placed by a send whose answer was lost: the same lines and ship-to.
    wps.state.orders[po] = {
        "po_number": po,
        "ship_name": "Ada Lovelace",
        "ship_address": "1 Main St",
        "ship_city": "Boise",
        "ship_state": "ID",
        "ship_zip": "83702",
        "order_details": [{"order_number": "5999999", "items": [{"sku": sku, "quantity": 1}]}],
    }
    run = await run_job(wps.db, wps.integration("send_orders"))
    assert run.counters == {"reconciled": 1}
    assert wps.request(rid).external_id == "5999999" and wps_orders(wps, po) == 1


async def test_resubmit_after_editing_the_method_sends_once(wps: Wps) -> None:
    rid = wps.order([(wps.orderable_skus(1)[0], 1)], method="FDXG")
    iid = wps.integration("send_orders")
    assert (await run_job(wps.db, iid)).status == "partial"
    assert wps.request(rid).status == "failed"
    with wps.db.write() as session:
        resubmit_request(session, rid, shipping_method="UP2D", actor="ada@cli")
    assert wps.request(rid).status == "pending" and wps.order_of(rid).status == "routed"
    run = await run_job(wps.db, iid)
    assert run.status == "succeeded", run.error
    request = wps.request(rid)
    assert request.status == "sent"
    details = wps.state.orders[request.po_number]["order_details"]
    assert {d["ship_via"] for d in details} == {"UP2D"}
    assert (await run_job(wps.db, iid)).counters == {}
    assert wps_orders(wps, request.po_number) == len(details)
    with wps.db.read() as session:
        audit = session.scalars(sa.select(AuditEvent)).one()
    assert audit.action == "fulfillment_request.resubmit" and audit.actor == "ada@cli"
    assert audit.before["shipping_method"] == "FDXG"
    assert audit.after["shipping_method"] == "UP2D"
    with wps.db.write() as session, pytest.raises(ResubmitRefused, match="already at the source"):
        resubmit_request(session, rid, actor="ada@cli")


async def test_expired_credentials_pause_and_leave_the_request_to_reconcile(
    wps_sqlite: Wps,
) -> None:
    wps = wps_sqlite
    rid = wps.order([(wps.orderable_skus(1)[0], 1)])
    iid = wps.integration("send_orders")
    wps.faults(expired_credentials=True)
    run = await run_job(wps.db, iid)
    wps.faults(expired_credentials=False)
    assert run.status == "failed" and integration_row(wps.db, iid).paused_reason
    assert wps.request(rid).status == "sending"
    with wps.db.write() as session:
        session.execute(sa.update(Integration).values(paused_reason=None))
    assert (await run_job(wps.db, iid)).status == "succeeded"
    assert wps.request(rid).status == "sent" and wps_orders(wps, wps.request(rid).po_number) == 1


async def test_faults_never_duplicate_or_lose_an_order(wps_sqlite: Wps) -> None:
    wps = wps_sqlite
    skus = wps.orderable_skus(6)
    rids = [wps.order([(sku, 1)], number=str(2000 + i)) for i, sku in enumerate(skus)]
    iid = wps.integration("send_orders")
    wps.faults(seed=4, error_rate=0.25, drop_connection=0.15, malformed=0.1, burst_429=2)
    for _ in range(12):
        await run_direct(wps.db, iid)
        failed = [r for r in rids if wps.request(r).status == "failed"]
        if not failed and all(wps.request(r).status == "sent" for r in rids):
            break
        with wps.db.write() as session:
            for r in failed:
                resubmit_request(session, r, actor="test@cli")
    wps.faults(error_rate=0.0, drop_connection=0.0, malformed=0.0)
    for r in rids:
        request = wps.request(r)
        assert request.status == "sent", (request.status, request.last_error)
        assert wps_orders(wps, request.po_number) == 1
    assert len(wps.state.orders) == len(rids)
