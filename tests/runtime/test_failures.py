"""The runtime fails loudly and keeps what it says: unreadable secrets, broken log sinks,
summaries written with the run row, private log files."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa
import structlog
from cryptography.fernet import Fernet

from console.runtime.logging import LoggingSetup, configure_logging, shutdown_logging
from console.runtime.settings import RuntimeSettings
from store.commands.runs import queue_run
from store.db import Database
from store.models import Integration, JobRun, Notification
from store.models.runtime import RunTrigger

from .helpers import runs_of, seed, wait_for, worker_cmd, worker_env
from .test_policy import run_once


def _notes(db: Database) -> list[Notification]:
    with db.read() as session:
        return list(session.scalars(sa.select(Notification).order_by(Notification.id)))


def _integration(db: Database, iid: int) -> Integration:
    with db.read() as session:
        row = session.get(Integration, iid)
    assert row is not None
    return row


@pytest.mark.parametrize("broken", ["wrong DROPDECK_SECRET_KEY", "unreadable secret.key"])
def test_a_secret_that_cannot_be_read_fails_the_run_and_pauses(
    db: Database, tmp_path: Path, broken: str
) -> None:
    iid = seed(db, "fake/secret", kind="get_inventory")
    with db.write() as session:
        run_id = queue_run(session, iid, RunTrigger.MANUAL).id
    env = worker_env(db.settings.database_url, db.settings.home)
    if broken.startswith("wrong"):
        env["DROPDECK_SECRET_KEY"] = Fernet.generate_key().decode()
    else:
        env.pop("DROPDECK_SECRET_KEY")
        (db.settings.home / "secret.key").mkdir(
            parents=True
        )  # exists, cannot be read as a key (root too)
    stderr = tmp_path / "worker.err"
    worker = subprocess.Popen(
        worker_cmd(), env=env, stdout=subprocess.DEVNULL, stderr=stderr.open("wb")
    )
    try:
        # A worker process starts in about a second; on a loaded machine it can take a
        # minute (imports), so the limits are generous: they only stop a hung test.
        run = wait_for(
            lambda: next((r for r in runs_of(db, iid) if r.finished_at is not None), None),
            timeout=120,
            what="the run to finish",
        )
    finally:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=60) == 0, stderr.read_text()
    assert run.id == run_id and run.status == "failed"
    assert run.error is not None
    assert run.error.startswith(
        "cannot decrypt the secrets of connection conn-fake/secret: the secret key changed?"
    )
    assert _integration(db, iid).paused_reason == run.error
    notes = [(n.event, n.level) for n in _notes(db) if n.run_id == run_id]
    assert ("run.finished", "error") in notes and ("integration.paused", "error") in notes
    err = stderr.read_text()
    assert "Task exception was never retrieved" not in err
    assert "Logging error" not in err
    assert "cannot decrypt the secrets of connection conn-fake/secret" in err
    assert not [r for r in runs_of(db) if r.status == "running"]


async def test_a_runs_summary_exists_as_soon_as_its_row_is_finished(
    db: Database, fast: RuntimeSettings, logs: LoggingSetup
) -> None:
    assert logs.notifications is not None
    logs.notifications.flush_every = 3600  # the writer thread no longer writes on its own
    await asyncio.sleep(0.3)  # let it start its long wait
    iid = seed(db, "fake/import", kind="import_listings")
    run = await run_once(db, fast, iid)  # returns when the run row is finished
    notes = [(n.event, n.run_id) for n in _notes(db)]  # no logs.flush(): nothing helped
    assert notes == [
        ("record.failed", run.id),
        ("record.failed", run.id),
        ("run.finished", run.id),
    ]


def test_stderr_prints_structured_tracebacks(
    _isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging(_isolated_home, stderr=True)
    try:
        log = structlog.get_logger("dropdeck.test")
        try:
            {}["missing-key"]
        except KeyError:
            log.exception("worker.claim_failed", sku="Helmet \x1b]0;PWNED\x07\x1b[2J")
        try:
            1 / 0  # noqa: B018
        except ZeroDivisionError:
            logging.getLogger("apscheduler.test").exception("plain stdlib record")
        log.warning("Helmet \x1b]0;PWNED\x07\x1b[2J order")  # the event text is printed as is
    finally:
        shutdown_logging()
        structlog.reset_defaults()
    err = capsys.readouterr().err
    assert "Logging error" not in err and "TypeError" not in err
    assert "worker.claim_failed" in err
    assert "Traceback (most recent call last)" in err
    assert "KeyError: 'missing-key'" in err
    assert "ZeroDivisionError: division by zero" in err
    assert "\x1b" not in err and "\x07" not in err
    assert "Helmet ␛]0;PWNED␇␛[2J order" in err


def test_log_files_are_created_private(_isolated_home: Path) -> None:
    old = os.umask(0o022)
    try:
        setup = configure_logging(_isolated_home, max_bytes=2_000, backups=2)
        log = structlog.get_logger("dropdeck.test")
        for n in range(60):
            log.info("filler", n=n, text="x" * 80)
        setup.flush()
    finally:
        shutdown_logging()
        structlog.reset_defaults()
        os.umask(old)
    logs = sorted((_isolated_home / "logs").glob("dropdeck.jsonl*"))
    assert [p.name for p in logs] == ["dropdeck.jsonl", "dropdeck.jsonl.1", "dropdeck.jsonl.2"]
    assert {oct(p.stat().st_mode & 0o777) for p in logs} == {"0o600"}


def test_a_failure_while_recording_is_logged_not_lost(
    db: Database, fast: RuntimeSettings, logs: LoggingSetup, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash in the run's own bookkeeping names the run instead of an unretrieved task."""
    from console.runtime import runs

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(runs, "_finish", broken)
    iid = seed(db, "fake/count", kind="get_inventory")

    async def go() -> None:
        from console.runtime.worker import Worker

        with db.write() as session:
            queue_run(session, iid, RunTrigger.MANUAL)
        worker = Worker(db, settings=fast, schedule=False)
        stop = asyncio.Event()
        task = asyncio.create_task(worker.run(stop))
        for _ in range(100):
            if worker.executed:
                break
            await asyncio.sleep(0.02)
        stop.set()
        await task

    asyncio.run(go())
    logs.flush()
    unrecorded = [n for n in _notes(db) if n.event == "run.unrecorded"]
    assert len(unrecorded) == 1
    assert "RuntimeError: database went away" in unrecorded[0].message
    with db.read() as session:
        assert session.scalars(sa.select(JobRun.status)).one() == "running"  # swept later
