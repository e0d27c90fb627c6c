"""Deciding what is due: one leader process runs APScheduler and only queues runs.

Leadership is a lock that dies with its holder: `pg_try_advisory_lock` on a dedicated
PostgreSQL connection, or `fcntl.flock` on `<sqlite file>.scheduler.lock`. Every worker
tries for it; the holder runs an `AsyncIOScheduler` (coalesce, max_instances=1, misfire
grace 60 s) whose jobs call `queue_run(..., RunTrigger.SCHEDULE)` and nothing else.

The `integration` table is the source of truth (no APScheduler job store). The leader
re-reads it every few seconds and adds, reschedules or removes jobs, so edits to a
schedule, `enabled` or a pause take effect without a restart. Manual schedules, disabled or
paused integrations and `import_listings` (manual by rule) are never scheduled.

One integration's schedule cannot stop the others: a schedule that cannot be used (bad
value, out of bounds, or APScheduler refusing it) pauses that integration with the reason
and an error notification, and the rest are scheduled as usual.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import sqlalchemy as sa
import structlog
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from store.commands.runs import queue_run, set_integration_paused
from store.db import Database
from store.models import Integration
from store.models.config import IntegrationKind, ScheduleType
from store.models.runtime import RunTrigger

log = structlog.get_logger("dropdeck.scheduler")

LOCK_KEY = "dropdeck-scheduler"
MAX_INTERVAL_SECONDS = 31 * 24 * 3600  # a longer wait is a typo; APScheduler overflows on some
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 60}


class LeaderLock(Protocol):
    def try_acquire(self) -> bool: ...
    def still_held(self) -> bool: ...
    def release(self) -> None: ...


class FileLeaderLock:
    """`flock` on a file beside the SQLite database; the kernel drops it when we die."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def still_held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


class PgLeaderLock:
    """A session advisory lock held on one connection kept open for the process lifetime.

    Needs a direct connection: a transaction-mode pooler (PgBouncer) would drop it.
    """

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self._conn: sa.Connection | None = None

    def try_acquire(self) -> bool:
        conn = self.engine.connect()
        got = conn.execute(sa.select(sa.func.pg_try_advisory_lock(_pg_lock_id())))
        acquired = bool(got.scalar())
        conn.commit()
        if not acquired:
            conn.close()
            return False
        self._conn = conn
        return True

    def still_held(self) -> bool:
        if self._conn is None:
            return False
        try:
            self._conn.execute(sa.text("SELECT 1"))
            self._conn.commit()
        except sa.exc.DBAPIError:
            self._conn.invalidate()
            self._conn = None  # the session (and its lock) is gone
            return False
        return True

    def release(self) -> None:
        if self._conn is not None:
            try:
                self._conn.execute(sa.select(sa.func.pg_advisory_unlock(_pg_lock_id())))
                self._conn.commit()
            finally:
                self._conn.close()
                self._conn = None


def _pg_lock_id() -> sa.ColumnElement[int]:
    """Advisory locks are per database server: key by schema too, so businesses kept in
    separate schemas of one database (and parallel test schemas) each elect a leader."""
    return sa.func.hashtext(sa.func.concat(LOCK_KEY, ":", sa.func.current_schema()))


def leader_lock_for(db: Database) -> LeaderLock:
    """The right leader lock for this database."""
    if db.dialect == "postgresql":
        return PgLeaderLock(db.engine)
    path = db.settings.sqlite_path
    assert path is not None
    return FileLeaderLock(f"{path}.scheduler.lock")


def trigger_for(integration: Integration) -> BaseTrigger | None:
    """The APScheduler trigger of an integration, or None if it is never scheduled.

    Raises ValueError for a schedule that cannot be parsed.
    """
    if not integration.enabled or integration.paused_reason is not None:
        return None
    if integration.kind == IntegrationKind.IMPORT_LISTINGS.value:
        return None  # only ever run by hand
    kind = integration.schedule_type
    value = (integration.schedule_value or "").strip()
    if kind == ScheduleType.INTERVAL.value:
        try:
            seconds = float(value)
        except ValueError:
            raise ValueError(f"interval '{value}' is not a number of seconds") from None
        if not 0 < seconds <= MAX_INTERVAL_SECONDS:
            raise ValueError(
                f"interval '{value}' seconds must be more than 0 and at most 31 days "
                f"({MAX_INTERVAL_SECONDS})"
            )
        return IntervalTrigger(seconds=seconds, timezone=UTC)
    if kind == ScheduleType.CRON.value:
        return CronTrigger.from_crontab(value, timezone=UTC)
    return None


@dataclass(frozen=True)
class _Planned:
    signature: tuple[str, str]
    name: str


class Scheduler:
    """Leader election plus an APScheduler that mirrors the integration table."""

    def __init__(self, db: Database, *, refresh_seconds: float, lock: LeaderLock | None = None):
        self.db = db
        self.refresh_seconds = refresh_seconds
        self.lock = lock or leader_lock_for(db)
        self.aps: AsyncIOScheduler | None = None
        self._planned: dict[int, _Planned] = {}

    @property
    def is_leader(self) -> bool:
        return self.aps is not None

    async def run(self, stop: asyncio.Event) -> None:
        """Until `stop`: try to lead; while leading, keep jobs in step with the table."""
        try:
            while not stop.is_set():
                try:
                    await self.tick()
                except Exception:  # a database hiccup must not end scheduling for good
                    log.exception("scheduler.tick_failed")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.refresh_seconds)
        finally:
            self._stop_aps()
            await asyncio.to_thread(self.lock.release)

    async def tick(self) -> None:
        """One round: acquire/keep leadership, then sync jobs."""
        if self.aps is None:
            if not await asyncio.to_thread(self.lock.try_acquire):
                return
            self.aps = AsyncIOScheduler(job_defaults=JOB_DEFAULTS, timezone=UTC)
            self.aps.start()
            log.info("scheduler.leader", pid=os.getpid())
        elif not await asyncio.to_thread(self.lock.still_held):
            log.warning("scheduler.lost_leadership", message="lost the scheduler lock")
            self._stop_aps()
            await asyncio.to_thread(self.lock.release)
            return
        integrations = await asyncio.to_thread(self._load)
        broken = self.sync(integrations)
        if broken:
            await asyncio.to_thread(self._pause, broken)

    def _load(self) -> list[Integration]:
        with self.db.read() as session:
            return list(session.scalars(sa.select(Integration)))

    def sync(self, integrations: list[Integration]) -> dict[int, str]:
        """Add, reschedule and remove jobs to match `integrations`.

        Returns {integration id: reason} for schedules that cannot be used; those get no job.
        """
        assert self.aps is not None
        wanted: dict[int, tuple[_Planned, BaseTrigger]] = {}
        broken: dict[int, str] = {}
        now = datetime.now(UTC)
        for integration in integrations:
            assert integration.id is not None
            signature = (integration.schedule_type, integration.schedule_value)
            try:
                trigger = trigger_for(integration)
                if trigger is not None:
                    trigger.get_next_fire_time(None, now)  # fails here, not inside APScheduler
            except Exception as exc:
                broken[integration.id] = _unusable(signature, exc)
                continue
            if trigger is not None:
                wanted[integration.id] = (_Planned(signature, integration.name), trigger)
        for integration_id in list(self._planned):
            if integration_id not in wanted:
                self.aps.remove_job(_job_id(integration_id))
                log.info("schedule.removed", integration=self._planned.pop(integration_id).name)
        for integration_id, (planned, trigger) in wanted.items():
            current = self._planned.get(integration_id)
            if current == planned:
                continue
            try:
                self.aps.add_job(
                    self._enqueue,
                    trigger,
                    args=[integration_id],
                    id=_job_id(integration_id),
                    name=planned.name,
                    replace_existing=True,
                )
            except Exception as exc:
                broken[integration_id] = _unusable(planned.signature, exc)
                if current is not None:
                    self.aps.remove_job(_job_id(integration_id))
                    del self._planned[integration_id]
                continue
            self._planned[integration_id] = planned
            log.info("schedule.set", integration=planned.name, schedule=list(planned.signature))
        return broken

    def _pause(self, broken: dict[int, str]) -> None:
        """Pause each integration whose schedule cannot be used, saying why and how to fix it."""
        paused: list[tuple[int, str, str]] = []
        with self.db.write() as session:
            for integration_id, reason in broken.items():
                integration = session.get(Integration, integration_id)
                if integration is None or integration.paused_reason is not None:
                    continue
                set_integration_paused(session, integration, reason, actor="scheduler")
                paused.append((integration_id, integration.name, reason))
        for integration_id, name, reason in paused:
            log.error(
                "integration.paused",
                integration=name,
                integration_id=integration_id,
                reason=reason,
                message=f"{name} paused: {reason}. Fix the schedule (dropdeck integrations set "
                f"{name} --every 10m, or --cron '*/5 * * * *'), then unpause it "
                f"(p in the console, or: dropdeck integrations unpause {name})",
            )

    def jobs(self) -> dict[int, Any]:
        """integration id -> APScheduler job (for tests and diagnostics)."""
        if self.aps is None:
            return {}
        return {i: self.aps.get_job(_job_id(i)) for i in self._planned}

    async def _enqueue(self, integration_id: int) -> None:
        await asyncio.to_thread(self._queue, integration_id)

    def _queue(self, integration_id: int) -> None:
        with self.db.write() as session:
            integration = session.get(Integration, integration_id)
            # The table may have changed since the last sync.
            if integration is None or trigger_for_safe(integration) is None:
                return
            run = queue_run(session, integration_id, RunTrigger.SCHEDULE)
            run_id, name = run.id, integration.name
        log.info("run.queued", integration=name, integration_id=integration_id, run_id=run_id)

    def _stop_aps(self) -> None:
        if self.aps is not None:
            self.aps.shutdown(wait=False)
            self.aps = None
        self._planned.clear()


def _unusable(signature: tuple[str, str], exc: Exception) -> str:
    kind, value = signature
    return f"{kind} schedule '{value}' cannot be used: {exc}"


def trigger_for_safe(integration: Integration) -> BaseTrigger | None:
    try:
        return trigger_for(integration)
    except ValueError:
        return None


def _job_id(integration_id: int) -> str:
    return f"integration:{integration_id}"
