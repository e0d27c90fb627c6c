"""`dropdeck orders resubmit`: edits, audit, --now, one-line errors and exit codes."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from console.cli import main
from store.models import AuditEvent, JobRun

from .conftest import Wps, run_job


async def test_resubmit_edits_and_queues_the_send(
    wps_sqlite: Wps, capsys: pytest.CaptureFixture[str]
) -> None:
    wps = wps_sqlite
    rid = wps.order([(wps.orderable_skus(1)[0], 1)], method="FDXG", number="3001")
    iid = wps.integration("send_orders")
    await run_job(wps.db, iid)
    assert wps.request(rid).status == "failed"
    argv = ["orders", "resubmit", "3001", "--shipping-method", "FE2D"]
    code = main([*argv, "--address", "city=Meridian", "--now"])
    out = capsys.readouterr().out
    assert code == 0
    assert f"PO {wps.request(rid).po_number} (wps) resubmitted; wps/send_orders run" in out
    request = wps.request(rid)
    assert request.status == "pending" and request.shipping_method == "FE2D"
    assert request.shipping_address["city"] == "Meridian"
    with wps.db.read() as session:
        assert session.scalars(sa.select(AuditEvent)).one().actor.endswith("@cli")
        queued = session.scalars(sa.select(JobRun).where(JobRun.status == "queued")).one()
    assert queued.integration_id == iid
    assert main(["orders", "resubmit", "3001"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no failed fulfillment request" in err[0]


def test_resubmit_errors_are_one_line(wps_sqlite: Wps, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["orders", "resubmit", "nope"]) == 1
    assert (
        capsys.readouterr()
        .err.strip()
        .endswith("no order 'nope'; list them with 'dropdeck orders'")
    )
    assert main(["orders", "resubmit", "1", "--address", "city"]) == 2
    assert "--address takes FIELD=VALUE" in capsys.readouterr().err
    assert main(["orders", "--json"]) == 0
