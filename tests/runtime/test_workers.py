"""Real `dropdeck worker` processes: exactly once across two workers, recovery after kill -9."""

from __future__ import annotations

import itertools
import signal
import subprocess
import time
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import sqlalchemy as sa

from console.cli import main
from store.commands.runs import queue_run
from store.db import Database
from store.models import Integration, JobRun
from store.models import Worker as WorkerRow
from store.models.runtime import RunTrigger

from .helpers import executions, runs_of, seed, wait_for, worker_cmd, worker_env

# Worker processes start in about a second, but take up to a minute on a loaded machine
# (their imports): these limits only stop a hung test.
SLOW = 120


def start_worker(db: Database, home: Path, log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        worker_cmd(),
        env=worker_env(db.settings.database_url, home),
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def stop(proc: subprocess.Popen[bytes]) -> int:
    proc.send_signal(signal.SIGTERM)
    return proc.wait(timeout=60)


def test_two_workers_execute_every_run_exactly_once(db: Database, tmp_path: Path) -> None:
    home = db.settings.home
    out = tmp_path / "executions.txt"
    ids = [
        seed(
            db,
            f"fake/every-{n}",
            schedule=("interval", "0.4"),
            settings={"out": str(out), "sleep": 0.3, "items": 3},
        )
        for n in range(4)
    ]
    workers = [start_worker(db, home, tmp_path / f"w{n}.log") for n in range(2)]
    try:
        # Operators press "run now" on top of the schedule.
        for _ in range(10):
            with db.write() as session:
                for iid in ids:
                    queue_run(session, iid, RunTrigger.MANUAL)
            time.sleep(0.3)
        wait_for(lambda: len(executions(out)) >= 24, timeout=SLOW, what="24 executions")
    finally:
        codes = [stop(w) for w in workers]
    assert codes == [0, 0]
    done = executions(out)
    counts = Counter(run_id for run_id, *_ in done)
    assert all(c == 1 for c in counts.values()), f"run executed twice: {counts.most_common(3)}"
    runs = runs_of(db)
    succeeded = {r.id for r in runs if r.status == "succeeded"}
    assert set(counts) == succeeded  # every succeeded run executed once, and only those
    assert {r.status for r in runs} <= {"succeeded", "queued", "cancelled"}
    # Never two runs of one integration at the same time.
    spans: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for _rid, name, _pid, start, end in done:
        spans[name].append((start, end))
    for name, items in spans.items():
        items.sort()
        for (_s1, e1), (s2, _e2) in itertools.pairwise(items):
            assert s2 >= e1, f"{name}: overlapping runs"
    assert {r.trigger for r in runs} == {"schedule", "manual"}
    pids = {pid for _rid, _name, pid, _s, _e in done}
    print(f"\n{len(done)} runs by {len(pids)} worker processes")


def test_kill_9_mid_run_is_recovered_by_the_next_worker(db: Database, tmp_path: Path) -> None:
    home = db.settings.home
    out = tmp_path / "executions.txt"
    iid = seed(db, "fake/slow", settings={"out": str(out), "sleep": 60, "items": 60})
    with db.write() as session:
        run_id = queue_run(session, iid, RunTrigger.MANUAL).id
    first = start_worker(db, home, tmp_path / "w1.log")

    def status() -> str:
        with db.read() as session:
            run = session.get(JobRun, run_id)
        assert run is not None
        return run.status

    try:
        wait_for(lambda: status() == "running", timeout=SLOW, what="the run to start")
        wait_for(lambda: runs_of(db, iid)[0].progress_done >= 2, timeout=SLOW, what="progress")
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    killed_at = time.monotonic()
    second = start_worker(db, home, tmp_path / "w2.log")
    try:
        wait_for(lambda: status() == "failed", timeout=SLOW, what="the abandoned run to fail")
        failover = time.monotonic() - killed_at
        run = runs_of(db, iid)[0]
        assert run.error is not None and "stopped responding" in run.error
        assert run.progress_done >= 2  # progress reached the database before the kill
        # The rerun is safe and completes.
        with db.write() as session:
            row = session.get(Integration, iid)
            assert row is not None
            row.settings = {"out": str(out), "sleep": 0.1, "items": 2}
            session.add(row)
            rerun_id = queue_run(session, iid, RunTrigger.RETRY).id
        wait_for(lambda: runs_of(db, iid)[-1].status == "succeeded", timeout=SLOW, what="the rerun")
    finally:
        assert stop(second) == 0
    assert [r.status for r in runs_of(db, iid)] == ["failed", "succeeded"]
    assert [e[0] for e in executions(out)] == [rerun_id]
    print(f"\nfailover (kill -9 to run marked failed): {failover:.2f}s")


@pytest.mark.parametrize("kind,code", [("import_listings", 0), ("sync_orders", 1)])
def test_cli_run_wait_prints_summary_and_exit_status(
    sqlite_db: Database,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    kind: str,
    code: int,
) -> None:
    seed(sqlite_db, "fake/x", kind=kind)
    worker = start_worker(sqlite_db, sqlite_db.settings.home, tmp_path / "w.log")
    try:
        assert main(["run", "fake/x", "--wait"]) == code
    finally:
        stop(worker)
    printed = capsys.readouterr().out
    if kind == "import_listings":
        assert "import_listings partial: 3 parents created, 2 failed" in printed
        assert "failed: BAD-2: missing required field 'price'" in printed
    else:
        assert "sync_orders failed" in printed and "error: unexpected RuntimeError" in printed
    assert main(["run", "no/such"]) == 1
    assert "no integration named 'no/such'" in capsys.readouterr().err


def test_killed_workers_neither_pause_the_integration_nor_stay_listed(
    db: Database, tmp_path: Path
) -> None:
    """A run abandoned by a kill -9 is failed, but the streak limit (here 1) counts only
    failures of the work itself; the dead workers' rows are deleted."""
    home = db.settings.home
    out = tmp_path / "executions.txt"
    iid = seed(
        db,
        "fake/slow",
        settings={"out": str(out), "sleep": 60, "items": 60, "max_consecutive_failures": 1},
    )
    killed: list[int] = []
    for n in range(2):
        with db.write() as session:
            run_id = queue_run(session, iid, RunTrigger.MANUAL).id
        worker = start_worker(db, home, tmp_path / f"w{n}.log")
        try:  # the second worker first sweeps the run the first one abandoned
            wait_for(
                lambda rid=run_id: (
                    [r.status for r in runs_of(db, iid) if r.id == rid] == ["running"]
                ),
                timeout=SLOW,
                what=f"run {run_id} to start",
            )
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait()
        killed.append(worker.pid)
    with db.write() as session:
        row = session.get(Integration, iid)
        assert row is not None
        row.settings = {**row.settings, "sleep": 0.1, "items": 2}
        session.add(row)
        last_id = queue_run(session, iid, RunTrigger.MANUAL).id
    survivor = start_worker(db, home, tmp_path / "w-last.log")
    try:
        wait_for(lambda: runs_of(db, iid)[-1].status == "succeeded", timeout=SLOW, what="run 3")

        def dead_rows() -> list[int]:
            with db.read() as session:
                return [p for p in session.scalars(sa.select(WorkerRow.pid)) if p in killed]

        wait_for(lambda: not dead_rows(), timeout=SLOW, what="the killed workers' rows to go")
    finally:
        assert stop(survivor) == 0
    runs = runs_of(db, iid)
    assert [r.status for r in runs] == ["failed", "failed", "succeeded"]
    assert all("stopped responding" in (r.error or "") for r in runs[:2])
    assert runs[-1].id == last_id
    with db.read() as session:
        row = session.get(Integration, iid)
    assert row is not None
    assert row.paused_reason is None and row.consecutive_failures == 0
