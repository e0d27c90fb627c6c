"""Scheduling: interval and cron fire, manual-only never does, edits apply live, one leader."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from console.runtime.scheduler import Scheduler, trigger_for
from console.runtime.settings import RuntimeSettings
from store.commands.runs import set_integration_paused
from store.db import Database
from store.models import Integration

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
