"""Scheduling: interval and cron fire, manual-only never does, edits apply live, one leader."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from console.runtime.logging import LoggingSetup
from console.runtime.scheduler import Scheduler, trigger_for
from console.runtime.settings import RuntimeSettings
from store.commands.runs import set_integration_paused
from store.db import Database
from store.models import Integration, Notification

from .helpers import runs_of, seed


async def wait_until(cond, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while not await asyncio.to_thread(cond):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.05)


def test_trigger_rules() -> None:
    def integ(**kw: object) -> Integration:
        base: dict[str, object] = {"name": "x", "kind": "get_inventory", "id": 1}
        base.update(kw)
        return Integration(**base)

    assert trigger_for(integ(schedule_type="manual")) is None
    assert trigger_for(integ(schedule_type="interval", schedule_value="60")) is not None
    assert trigger_for(integ(schedule_type="cron", schedule_value="*/5 * * * *")) is not None
    # import_listings is manual by rule, whatever its schedule says
    assert (
        trigger_for(integ(kind="import_listings", schedule_type="interval", schedule_value="1"))
        is None
    )
    assert trigger_for(integ(schedule_type="interval", schedule_value="1", enabled=False)) is None
    paused = integ(schedule_type="interval", schedule_value="1", paused_reason="401")
    assert trigger_for(paused) is None
    with pytest.raises(ValueError):
        trigger_for(integ(schedule_type="interval", schedule_value="often"))
    with pytest.raises(ValueError):
        trigger_for(integ(schedule_type="cron", schedule_value="every day"))


async def test_interval_fires_manual_never_and_edits_apply_live(
    db: Database, fast: RuntimeSettings
) -> None:
    every = seed(db, "fake/every", schedule=("interval", "0.5"))
    manual = seed(db, "fake/manual")
    importer = seed(db, "fake/import", kind="import_listings", schedule=("interval", "0.5"))
    sched = Scheduler(db, refresh_seconds=fast.scheduler_refresh_seconds)
    stop = asyncio.Event()
    task = asyncio.create_task(sched.run(stop))
    try:
        await wait_until(lambda: runs_of(db, every))
        assert runs_of(db, every)[0].trigger == "schedule"
        assert set(sched.jobs()) == {every}
        assert runs_of(db, manual) == [] and runs_of(db, importer) == []
        # Live edits: pause one, give the manual one a schedule.
        with db.write() as session:
            row = session.get(Integration, every)
            assert row is not None
            set_integration_paused(session, row, "test", actor="test")
            m = session.get(Integration, manual)
            assert m is not None
            m.schedule_type, m.schedule_value = "interval", "0.5"
        await wait_until(lambda: set(sched.jobs()) == {manual})
        await wait_until(lambda: runs_of(db, manual))
    finally:
        stop.set()
        await task
    assert not sched.is_leader


async def test_cron_job_fires_and_reschedules_to_the_next_cron_time(
    db: Database, fast: RuntimeSettings
) -> None:
    cron = seed(db, "fake/cron", schedule=("cron", "*/5 * * * *"))
    sched = Scheduler(db, refresh_seconds=60)
    try:
        await sched.tick()
        job = sched.jobs()[cron]
        assert job.next_run_time.minute % 5 == 0
        assert runs_of(db, cron) == []
        job.modify(next_run_time=datetime.now(UTC))  # pretend the cron time has come
        assert sched.aps is not None
        sched.aps.wakeup()
        for _ in range(100):
            if runs_of(db, cron):
                break
            await asyncio.sleep(0.05)
        assert [r.trigger for r in runs_of(db, cron)] == ["schedule"]
        nxt = sched.jobs()[cron].next_run_time
        assert nxt > datetime.now(UTC) and nxt.minute % 5 == 0
        assert nxt - datetime.now(UTC) <= timedelta(minutes=5)
    finally:
        sched._stop_aps()
        sched.lock.release()


async def test_only_one_scheduler_leads_and_a_standby_takes_over(db: Database) -> None:
    a = Scheduler(db, refresh_seconds=60)
    b = Scheduler(db, refresh_seconds=60)
    await a.tick()
    await b.tick()
    assert a.is_leader and not b.is_leader
    a._stop_aps()
    a.lock.release()
    await b.tick()
    assert b.is_leader
    b._stop_aps()
    b.lock.release()


async def test_a_schedule_that_cannot_be_used_pauses_only_its_integration(
    db: Database, fast: RuntimeSettings, logs: LoggingSetup, monkeypatch: pytest.MonkeyPatch
) -> None:
    from apscheduler.triggers.interval import IntervalTrigger

    from console.runtime import scheduler as scheduler_module

    good = seed(db, "fake/good", schedule=("interval", "0.3"))
    # Written before set-up validated intervals (`--every 10000000000h`).
    stored = seed(db, "fake/stored", schedule=("interval", "36000000000000"))
    bad_cron = seed(db, "fake/cron", schedule=("cron", "every day"))
    # A trigger APScheduler itself cannot place (what raised OverflowError on every tick).
    overflow = seed(db, "fake/overflow", schedule=("interval", "60"))
    checked = scheduler_module.trigger_for

    def trigger_for(integration: Integration):  # type: ignore[no-untyped-def]
        if integration.name == "fake/overflow" and integration.paused_reason is None:
            return IntervalTrigger(seconds=36_000_000_000_000, timezone=UTC)
        return checked(integration)

    monkeypatch.setattr(scheduler_module, "trigger_for", trigger_for)
    sched = Scheduler(db, refresh_seconds=fast.scheduler_refresh_seconds)
    stop = asyncio.Event()
    task = asyncio.create_task(sched.run(stop))
    try:
        await wait_until(lambda: runs_of(db, good))
        await asyncio.sleep(3 * fast.scheduler_refresh_seconds)  # later ticks change nothing
    finally:
        stop.set()
        await task
    with db.read() as session:
        reasons = {
            i: session.get(Integration, i).paused_reason for i in (good, stored, bad_cron, overflow)
        }  # type: ignore[union-attr]
    assert reasons[good] is None
    assert reasons[stored] is not None and "at most 31 days" in reasons[stored]
    assert reasons[bad_cron] is not None and "cron schedule 'every day'" in reasons[bad_cron]
    assert reasons[overflow] is not None and "cannot be used" in reasons[overflow]
    assert runs_of(db, stored) == runs_of(db, bad_cron) == runs_of(db, overflow) == []
    logs.flush()
    with db.read() as session:
        paused = session.scalars(
            sa.select(Notification).where(Notification.event == "integration.paused")
        ).all()
    assert sorted(n.integration or "" for n in paused) == [
        "fake/cron",
        "fake/overflow",
        "fake/stored",
    ]
    assert {n.level for n in paused} == {"error"}
    assert all("dropdeck integrations unpause" in n.message for n in paused)


def test_intervals_are_bounded() -> None:
    def interval(value: str) -> Integration:
        return Integration(
            name="x", kind="get_inventory", id=1, schedule_type="interval", schedule_value=value
        )

    assert trigger_for(interval(str(31 * 24 * 3600))) is not None
    for value in (str(31 * 24 * 3600 + 1), "36000000000000", "1e300", "0", "-5", "nan"):
        with pytest.raises(ValueError):
            trigger_for(interval(value))
