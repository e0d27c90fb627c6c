"""The CLI's twins of console actions against the WPS sandbox: `run --wait --json`, a run
where every record failed exits 1, `orders send/resubmit --json`, and `--shipping-method`
checked before anything changes."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from console.cli import main
from store.models import AuditEvent, JobRun

from .conftest import Wps, run_job


def test_run_wait_json_is_one_object_saying_how_the_run_ended(
    wps_sqlite: Wps, capsys: pytest.CaptureFixture[str]
) -> None:
    wps = wps_sqlite
    wps.order([(wps.orderable_skus(1)[0], 1)])
    wps.integration("send_orders")
    assert main(["run", "wps/send_orders", "--wait", "--json"]) == 0
    out = capsys.readouterr().out
    result = json.loads(out)  # one object, nothing else on stdout
    assert result["action"] == "run" and result["status"] == "succeeded"
    assert result["counters"]["sent"] == 1 and result["every_record_failed"] is False
    assert result["summary"] == "send_orders succeeded: 1 sent"


def test_a_run_where_every_record_failed_exits_1(
    wps_sqlite: Wps, capsys: pytest.CaptureFixture[str]
) -> None:
    """FDXG is refused by WPS for this address: the one request fails, the run is partial,
    and nothing got through, so a script must not read it as done."""
    wps = wps_sqlite
    wps.order([(wps.orderable_skus(1)[0], 1)], method="FDXG", number="3001")
    wps.integration("send_orders")
    assert main(["run", "wps/send_orders", "--wait"]) == 1
    out = capsys.readouterr().out
    assert "every record failed (1); nothing got through" in out
    assert main(["run", "wps/send_orders", "--wait", "--json"]) == 0  # nothing left to send
    result = json.loads(capsys.readouterr().out)
    assert result["every_record_failed"] is False


async def test_resubmit_checks_the_shipping_method_at_once(
    wps_sqlite: Wps, capsys: pytest.CaptureFixture[str]
) -> None:
    wps = wps_sqlite
    rid = wps.order([(wps.orderable_skus(1)[0], 1)], method="FDXG", number="3001")
    iid = wps.integration("send_orders")
    await run_job(wps.db, iid)
    assert wps.request(rid).status == "failed"
    assert main(["orders", "resubmit", "3001", "--shipping-method", "UPS2"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "'UPS2' is not a WPS shipping method; use one of AH2D, BEST, FE1D" in err[0]
    assert wps.request(rid).status == "failed"  # nothing changed
    with wps.db.read() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0
    # A known code in any case is taken as WPS writes it; --json says what was done.
    assert main(["orders", "resubmit", "3001", "--shipping-method", "fe2d", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    po = wps.request(rid).po_number
    assert result == {
        "action": "orders.resubmit",
        "order": "3001",
        "resubmitted": [{"po_number": po, "source": "wps"}],
    }
    assert wps.request(rid).shipping_method == "FE2D"


def test_orders_send_json(wps_sqlite: Wps, capsys: pytest.CaptureFixture[str]) -> None:
    wps = wps_sqlite
    rid = wps.order([(wps.orderable_skus(1)[0], 1)], auto_process=False)
    wps.integration("send_orders")
    po = wps.request(rid).po_number
    assert main(["orders", "send", po, "--json"]) == 0
    out = capsys.readouterr().out
    result = json.loads(out)  # the run's own summary is not printed beside it
    request = wps.request(rid)
    assert result["action"] == "orders.send" and result["po_number"] == po
    assert (result["status"], result["external_id"]) == ("sent", request.external_id)
    with wps.db.read() as session:
        assert session.get(JobRun, result["run"]) is not None
