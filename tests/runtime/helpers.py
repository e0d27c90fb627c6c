"""Seeding integrations and waiting for conditions, shared by the runtime tests."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from store.crypto import SecretBox
from store.db import Database
from store.models import Connection, Integration, JobRun, Source

ROOT = Path(__file__).resolve().parents[2]
SECRET = "sk_live_TOPSECRET_91c2f7"


def seed(
    db: Database,
    name: str,
    *,
    kind: str = "get_inventory",
    schedule: tuple[str, str] = ("manual", ""),
    settings: dict[str, Any] | None = None,
    base_url: str = "http://127.0.0.1:9",
    secret: str = SECRET,
) -> int:
    """One fake source with a connection and one integration; returns the integration id."""
    box = SecretBox(db.settings.home)
    with db.write() as session:
        source = session.scalars(sa.select(Source).where(Source.name == f"src-{name}")).first()
        if source is None:
            conn = Connection(
                name=f"conn-{name}",
                system="fake",
                base_url=base_url,
                secrets=box.seal({"token": secret}),
            )
            session.add(conn)
            session.flush()
            source = Source(name=f"src-{name}", kind="fake", connection_id=conn.id)
            session.add(source)
            session.flush()
        integration = Integration(
            name=name,
            kind=kind,
            source_id=source.id,
            schedule_type=schedule[0],
            schedule_value=schedule[1],
            settings=settings or {},
        )
        session.add(integration)
        session.flush()
        assert integration.id is not None
        return integration.id


def runs_of(db: Database, integration_id: int | None = None) -> list[JobRun]:
    with db.read() as session:
        stmt = sa.select(JobRun).order_by(JobRun.id)  # type: ignore[arg-type]
        if integration_id is not None:
            stmt = stmt.where(JobRun.integration_id == integration_id)
        return list(session.scalars(stmt))


def wait_for(cond: Callable[[], Any], timeout: float = 15.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = cond()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def worker_env(db_url: str, home: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DROPDECK_DATABASE_URL=db_url,
        DROPDECK_HOME=str(home),
        DROPDECK_EXTRA_OPERATIONS="tests.runtime.fake_ops",
        DROPDECK_WORKER_POLL_SECONDS="0.1",
        DROPDECK_HEARTBEAT_SECONDS="0.5",
        DROPDECK_LEASE_SECONDS="2",
        DROPDECK_SCHEDULER_REFRESH_SECONDS="0.3",
        DROPDECK_SHUTDOWN_GRACE_SECONDS="5",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


def worker_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "console", "worker", *args]


def executions(out: Path) -> list[tuple[int, str, int, float, float]]:
    if not out.exists():
        return []
    rows = []
    for line in out.read_text().splitlines():
        run_id, name, pid, start, end = line.split()
        rows.append((int(run_id), name, int(pid), float(start), float(end)))
    return rows
