"""`dropdeck run NAME --wait` with no worker alive runs it in this process (said on stderr),
through the same claim as a worker: it never waits for ever."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from console.cli import main
from store.models import AuditEvent, JobRun, Worker
from store.models._types import utcnow

from .conftest import Wps


def test_run_wait_without_a_worker_runs_here(
    wps_sqlite: Wps, capsys: pytest.CaptureFixture[str]
) -> None:
    wps = wps_sqlite
    rid = wps.order([(wps.orderable_skus(1)[0], 1)])
    wps.integration("send_orders")
    status = main(["run", "wps/send_orders", "--wait"])
    out, err = capsys.readouterr()
    assert status == 0, err
    assert "no worker is running: running it in this process" in err
    assert "send_orders succeeded: 1 sent" in out
    assert wps.request(rid).status == "sent" and wps.request(rid).po_number in wps.state.orders
    with wps.db.read() as session:
        run = session.scalars(sa.select(JobRun)).one()
        assert (run.status, run.worker_id is not None) == ("succeeded", True)
        assert session.scalar(sa.select(sa.func.count()).select_from(Worker)) == 0


def test_run_wait_here_takes_the_run_lock(
    wps_sqlite: Wps, capsys: pytest.CaptureFixture[str]
) -> None:
    """Another process's run of the same integration (running, lease ended: its worker died)
    is swept first; only then is this one claimed. Never two runs of one integration."""
    wps = wps_sqlite
    iid = wps.integration("send_orders")
    with wps.db.write() as session:
        session.add(
            JobRun(
                integration_id=iid,
                status="running",
                worker_id="gone:1:abc",
                lease_expires_at=utcnow() - timedelta(seconds=1),
            )
        )
    status = main(["run", "wps/send_orders", "--wait"])
    _, err = capsys.readouterr()
    assert status == 0, err
    with wps.db.read() as session:
        runs = session.scalars(sa.select(JobRun).order_by(JobRun.id)).all()  # type: ignore[arg-type]
    assert [r.status for r in runs] == ["failed", "succeeded"]
    assert runs[0].finished_at is not None and runs[1].started_at >= runs[0].finished_at  # type: ignore[operator]


def test_orders_send_sends_one_pending_request_now(
    wps_sqlite: Wps, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Auto-process off: the request waits; `orders send` sends it now, once, audited."""
    wps = wps_sqlite
    rid = wps.order([(wps.orderable_skus(1)[0], 1)], auto_process=False)
    other = wps.order([(wps.orderable_skus(2)[1], 1)], number="1002", auto_process=False)
    wps.integration("send_orders")
    po = wps.request(rid).po_number
    status = main(["orders", "send", po])
    out, err = capsys.readouterr()
    assert status == 0, err
    request = wps.request(rid)
    assert request.status == "sent" and f"PO {po}: sent as order {request.external_id}" in out
    assert wps.request(other).status == "pending"  # only the one asked for
    with wps.db.read() as session:
        audit = session.scalars(sa.select(AuditEvent)).one()
    assert (audit.action, audit.record_id) == ("fulfillment_request.send", str(rid))
    # Again: refused, nothing placed twice.
    assert main(["orders", "send", po]) == 1
    _, err = capsys.readouterr()
    assert f"PO {po} is already at the source" in err
    assert len(wps.state.orders) == 1
    monkeypatch.setenv("DROPDECK_ROLE", "readonly")
    assert main(["orders", "send", "1002"]) == 1
    _, err = capsys.readouterr()
    assert "this operator is read-only" in err and wps.request(other).status == "pending"
