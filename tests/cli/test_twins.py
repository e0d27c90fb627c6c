"""The console's panes and actions at the command line: `runs` (list, show with its own log
lines, cancel), listing backing in `listings --json`, and `--json` on actions."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from console.runtime import demo_data
from store.db import Database
from store.models import AuditEvent, Integration, JobRun, ListingVariant, Worker
from store.models._types import utcnow
from store.models.catalog import routed_master_sku
from store.queries.listings import page_listings, supplier_items

from .conftest import Run


def _runs(db: Database) -> list[JobRun]:
    with db.read() as session:
        return list(session.scalars(sa.select(JobRun).order_by(sa.desc(JobRun.id))))


def test_runs_lists_newest_first_a_page_at_a_time_and_filters(
    sqlite_db: Database, cli: Run
) -> None:
    demo_data.seed_demo_business(sqlite_db, listings=30, orders=6)
    runs = _runs(sqlite_db)
    status, out, _ = cli("runs", "--json", "--limit", "4")
    assert status == 0
    page = json.loads(out)
    assert [r["id"] for r in page] == [r.id for r in runs[:4]]
    status, out, _ = cli("runs", "--json", "--limit", "4", "--before", str(page[-1]["id"]))
    assert [r["id"] for r in json.loads(out)] == [r.id for r in runs[4:8]]
    status, out, _ = cli("runs", "--limit", "4")
    assert f"older runs: dropdeck runs --before {page[-1]['id']}" in out
    status, out, _ = cli(
        "runs", "list", "--json", "--integration", "woo-demo/", "--status", "failed"
    )
    rows = json.loads(out)
    assert rows and all(r["integration"].startswith("woo-demo/") for r in rows)
    assert all(r["status"] == "failed" for r in rows)
    assert set(rows[0]) >= {"id", "integration", "status", "started_by", "summary", "error"}
    assert cli("runs", "--status", "sideways")[0] == 2


def test_runs_show_has_the_runs_own_log_lines_only(sqlite_db: Database, cli: Run) -> None:
    demo_data.seed_demo_business(sqlite_db, listings=30, orders=6)
    run = _runs(sqlite_db)[-1]
    logs = Path(os.environ["DROPDECK_HOME"]) / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    lines = [
        {"event": "run.started", "level": "info", "run_id": run.id, "run_uid": run.run_uid},
        # The same run id from a database that was reset: not this run's.
        {"event": "run.started", "level": "info", "run_id": run.id, "run_uid": "other-db-run"},
        {"event": "record.failed", "level": "warning", "run_id": run.id, "run_uid": run.run_uid,
         "message": "SKU-1: no price"},
    ]  # fmt: skip
    (logs / "dropdeck.jsonl").write_text("".join(json.dumps(e) + "\n" for e in lines))
    status, out, _ = cli("runs", "show", str(run.id))
    assert status == 0
    assert out.startswith(f"Run {run.id}\n")
    assert "Log (last 2 lines)" in out and "record.failed SKU-1: no price" in out
    assert out.count("run.started") == 1
    status, out, _ = cli("runs", "show", str(run.id), "--json")
    shown = json.loads(out)
    assert shown["id"] == run.id and [e["run_uid"] for e in shown["log"]] == [run.run_uid] * 2
    assert shown["counters"] == run.counters
    status, _, err = cli("runs", "show", "999999")
    assert status == 1 and "no run 999999; list them with 'dropdeck runs'" in err


def test_runs_cancel_is_the_jobs_panes_cancel(sqlite_db: Database, cli: Run) -> None:
    demo_data.seed_demo_business(sqlite_db, listings=30, orders=6)
    with sqlite_db.write() as session:
        iid = session.scalars(sa.select(Integration.id)).first()
        queued = JobRun(integration_id=iid, status="queued")
        running = JobRun(integration_id=iid, status="running", started_at=utcnow())
        session.add_all([queued, running])
        session.flush()
        qid, rid = queued.id, running.id
    status, out, _ = cli("runs", "cancel", str(qid))
    assert status == 0 and f"run {qid} (" in out and "cancelled: it never starts" in out
    status, out, _ = cli("runs", "cancel", str(rid), "--json")
    assert status == 0
    assert json.loads(out) | {"integration": None} == {
        "action": "run.cancel",
        "run": rid,
        "integration": None,
        "outcome": "requested",
        "status": None,
    }
    with sqlite_db.read() as session:
        assert session.get(JobRun, qid).status == "cancelled"  # type: ignore[union-attr]
        still = session.get(JobRun, rid)
        assert still is not None and still.status == "running"  # stops at its next page
        assert (still.cancel_requested_by or "").endswith("@cli")
        actions = list(session.scalars(sa.select(AuditEvent.action)))
    assert actions.count("run.cancel") == 2
    finished = next(r for r in _runs(sqlite_db) if r.status == "succeeded")
    status, out, _ = cli("runs", "cancel", str(finished.id))
    assert status == 1 and "had already ended (succeeded)" in out


def test_listings_json_says_what_backs_each_listing(sqlite_db: Database, cli: Run) -> None:
    demo_data.seed_demo_business(sqlite_db, listings=30, orders=3)
    status, out, _ = cli("listings", "--json")
    rows = {r["sku"]: r for r in json.loads(out)}
    backed = rows["WPS-0000000-BLA"]  # the demo's WPS inventory carries it
    assert backed["master_sku"] == "WPS-0000000-BLA"
    assert (backed["source"], backed["sources"]) == (
        "Western Power Sports",
        ["Western Power Sports"],
    )
    assert backed["type"] == "variation" and backed["parent_id"] and backed["product_id"]
    unbacked = next(r for r in rows.values() if r["sku"].startswith("MAG-"))
    assert unbacked["source"] is None and unbacked["sources"] == []
    status, out, _ = cli("listings", "--sku", "MAG-")
    assert status == 0
    assert all(line.rstrip().endswith("none") for line in out.splitlines()[1:])


def test_listings_json_and_the_console_agree_on_a_listing_with_no_master_sku(
    sqlite_db: Database, cli: Run
) -> None:
    # A store selling the supplier's own SKUs: no link, the SKU itself is what routing
    # looks up. --json, the console's Supplier column and routing say the same source.
    demo_data.seed_demo_business(sqlite_db, listings=30, orders=3)
    sku = "WPS-0000000-BLA"
    with sqlite_db.write() as session:
        unset = session.execute(
            sa.update(ListingVariant).where(ListingVariant.sku == sku).values(master_sku=None)
        )
        assert unset.rowcount >= 1
    status, out, _ = cli("listings", "--json", "--sku", sku)
    assert status == 0
    [row] = json.loads(out)
    assert row["master_sku"] == sku
    assert (row["source"], row["sources"]) == ("Western Power Sports", ["Western Power Sports"])
    with sqlite_db.read() as session:
        [shown] = page_listings(session, sku_prefix=sku, limit=5)
        carried = supplier_items(session, routed_master_sku(shown.master_sku, shown.sku))
    assert (shown.master_sku, shown.supplier) == (sku, row["source"])
    assert [i.source for i in carried] == row["sources"]


def test_actions_say_what_was_done_as_one_json_object(sqlite_db: Database, cli: Run) -> None:
    demo_data.seed_demo_business(sqlite_db, listings=30, orders=3)
    name = "woo-demo/get_orders"
    for argv, expected in (
        (("integrations", "pause", name), {"action": "integration.pause", "changed": True}),
        (("integrations", "pause", name), {"changed": False}),
        (("integrations", "unpause", name), {"action": "integration.unpause", "changed": True}),
        (("integrations", "disable", name), {"action": "integration.update"}),
    ):
        status, out, err = cli(*argv, "--json")
        assert status == 0, err
        result = json.loads(out)
        assert result.items() >= expected.items(), (argv, result)
        assert result["integration"] == name
    assert result["after"]["enabled"] is False and result["before"]["enabled"] is True
    status, out, _ = cli("integrations", "enable", name)
    assert status == 0 and out == f"integration {name} updated (every 5m, enabled)\n"
    status, out, _ = cli("listings", "hide", "WPS-0000000-BLA", "WPS-0000000-BLA", "--json")
    assert json.loads(out) == {
        "action": "listings.hide",
        "changed": ["WPS-0000000-BLA"],
        "unchanged": [],
        "refused": {},
        "unknown": [],
    }
    status, out, _ = cli("run", name, "--json")
    queued = json.loads(out)
    assert queued["action"] == "run" and queued["already_queued"] is False
    assert queued["worker"] is False and isinstance(queued["run"], int)


def _wait_for(proc: subprocess.Popen[str], text: str, seen: list[str]) -> None:
    assert proc.stderr is not None
    while not any(text in line for line in seen):
        line = proc.stderr.readline()
        assert line, f"{text!r} never said; stderr: {seen}"
        seen.append(line)


def test_ctrl_c_on_run_wait_says_the_run_goes_on_and_a_second_cancels_it(
    sqlite_db: Database,
) -> None:
    """A live worker has the run (here: a heartbeat, so it stays queued)."""
    demo_data.seed_demo_business(sqlite_db, listings=30, orders=3)

    def start(name: str) -> tuple[subprocess.Popen[str], list[str]]:
        with sqlite_db.write() as session:  # a fresh heartbeat for each (slow machines)
            session.merge(Worker(id="elsewhere:1:abc", host="elsewhere", pid=1))
        proc = subprocess.Popen(
            [sys.executable, "-m", "console", "run", name, "--wait"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        seen: list[str] = []
        _wait_for(proc, "queued, waiting for a worker", seen)
        return proc, seen

    proc, seen = start("woo-demo/get_orders")
    proc.send_signal(signal.SIGINT)
    _wait_for(proc, "goes on in the worker", seen)
    assert proc.wait(timeout=60) == 130
    run = _runs(sqlite_db)[0]
    assert run.status == "queued"  # it goes on
    assert (
        f"run {run.id} goes on in the worker (follow it: 'dropdeck runs show {run.id}')"
        in "".join(seen)
    )

    proc, seen = start("woo-demo/sync_listings")
    proc.send_signal(signal.SIGINT)
    _wait_for(proc, "Ctrl+C again", seen)
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    assert proc.stderr is not None
    seen.append(proc.stderr.read())
    assert proc.wait(timeout=60) == 130, seen
    run = _runs(sqlite_db)[0]
    assert run.status == "cancelled"
    assert f"run {run.id} cancelled: it never starts" in "".join(seen)
