"""Queueing runs and pausing integrations (operators, the scheduler), and the worker's side
of a run: claim with a lease, renew it, expire abandoned runs, finish, failure policy."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from ..models import Integration, JobRun, Worker
from ..models._types import utcnow
from ..models.config import ScheduleType
from ..models.runtime import RunStatus, RunTrigger
from .audit import operator_name, record_audit


def queue_run(
    session: Session, integration_id: int, trigger: RunTrigger, *, started_by: str | None = None
) -> JobRun:
    """Queue a run, or return the one already queued (the database allows one per integration).

    `started_by` is who asked (`alice@console`); by default `schedule` for scheduled runs and
    the OS user otherwise."""
    existing = session.scalars(
        sa.select(JobRun).where(
            col(JobRun.integration_id) == integration_id,
            col(JobRun.status) == RunStatus.QUEUED.value,
        )
    ).first()
    if existing is not None:
        return existing
    if started_by is None:
        started_by = "schedule" if trigger is RunTrigger.SCHEDULE else operator_name(trigger.value)
    run = JobRun(
        integration_id=integration_id,
        trigger=trigger.value,
        status=RunStatus.QUEUED,
        started_by=started_by,
    )
    try:
        with session.begin_nested():
            session.add(run)
            session.flush()
    except IntegrityError:
        # Another process queued it between our read and our insert.
        return session.scalars(
            sa.select(JobRun).where(
                col(JobRun.integration_id) == integration_id,
                col(JobRun.status) == RunStatus.QUEUED.value,
            )
        ).one()
    return run


def queue_first_runs(session: Session) -> list[str]:
    """Queue a run of every enabled, unpaused interval integration that has never run; their
    names. An interval job first fires one interval after the scheduler starts, so a new
    `send_orders --every 5m` would otherwise wait 5 minutes (and `get_inventory --every 6h`,
    6 hours) before doing anything at all."""
    never_ran = ~sa.exists().where(col(JobRun.integration_id) == col(Integration.id))
    rows = session.execute(
        sa.select(col(Integration.id), col(Integration.name))
        .where(
            col(Integration.schedule_type) == ScheduleType.INTERVAL.value,
            col(Integration.enabled).is_(True),
            col(Integration.paused_reason).is_(None),
            never_ran,
        )
        .order_by(col(Integration.id))
    ).all()
    for integration_id, _ in rows:
        queue_run(session, integration_id, RunTrigger.SCHEDULE)
    return [str(name) for _, name in rows]


def set_integration_paused(
    session: Session, integration: Integration, reason: str | None, *, actor: str
) -> None:
    """Pause with a reason (None unpauses); audited; unpausing clears the failure streak."""
    before = {"paused_reason": integration.paused_reason}
    integration.paused_reason = reason
    integration.paused_at = utcnow() if reason else None
    if reason is None:
        integration.consecutive_failures = 0
    integration.updated_at = utcnow()
    session.add(integration)
    record_audit(
        session,
        actor=actor,
        action="integration.pause" if reason else "integration.unpause",
        record_type="integration",
        changes=[(str(integration.id), before, {"paused_reason": reason})],
    )


# --- the worker's side: claim, keep alive, expire, finish -------------------------------


def claim_next_run(
    session: Session,
    worker_id: str,
    lease_seconds: float,
    *,
    now: datetime | None = None,
    only_run: int | None = None,
) -> JobRun | None:
    """Claim the oldest queued run whose integration is free, enabled and not paused.

    Call inside `Database.write()`. On PostgreSQL the candidate row is locked with
    `FOR UPDATE SKIP LOCKED`, so concurrent workers pick different runs; on SQLite the write
    transaction is `BEGIN IMMEDIATE`, so claimers are serialised. Either way the partial
    unique index "one running run per integration" is the final guard: a claim that would
    break it is abandoned (None) instead of raising.
    """
    busy = sa.select(col(JobRun.integration_id)).where(
        col(JobRun.status) == RunStatus.RUNNING.value
    )
    runnable = sa.select(col(Integration.id)).where(
        col(Integration.enabled).is_(True),
        col(Integration.paused_reason).is_(None),
    )
    stmt = (
        sa.select(JobRun)
        .where(
            col(JobRun.status) == RunStatus.QUEUED.value,
            col(JobRun.integration_id).not_in(busy),
            col(JobRun.integration_id).in_(runnable),
        )
        .order_by(col(JobRun.id))
        .limit(1)
    )
    if only_run is not None:  # a process running one run itself (`dropdeck run --wait`)
        stmt = stmt.where(col(JobRun.id) == only_run)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    run = session.scalars(stmt).first()
    if run is None:
        return None
    # Read the clock only now: the first statement took the write lock, so every run a sweep
    # finished before us has finished_at <= our started_at (SQLite begins lazily).
    now = now or utcnow()
    run.status = RunStatus.RUNNING.value
    run.worker_id = worker_id
    run.started_at = now
    run.lease_expires_at = now + timedelta(seconds=lease_seconds)
    try:
        with session.begin_nested():
            session.add(run)
            session.flush()
    except IntegrityError:
        # Another worker started a run of this integration between our read and write.
        session.expunge(run)
        return None
    return run


def _held(run_id: int, worker_id: str) -> sa.ColumnElement[bool]:
    """The run is still running under `worker_id`: a sweeper has not taken it away."""
    return sa.and_(
        col(JobRun.id) == run_id,
        col(JobRun.worker_id) == worker_id,
        col(JobRun.status) == RunStatus.RUNNING.value,
    )


def renew_leases(
    session: Session,
    worker_id: str,
    progress: dict[int, tuple[int, int | None, dict[str, int]]],
    lease_seconds: float,
    *,
    now: datetime | None = None,
) -> set[int]:
    """Extend this worker's leases and store progress; returns the run ids it still holds.

    `progress` maps run id -> (done, total, counters). A run missing from the answer was
    taken away (its lease expired and a sweeper failed it): the worker must stop it.
    """
    now = now or utcnow()
    held: set[int] = set()
    for run_id, (done, total, counters) in progress.items():
        result = session.exec(
            sa.update(JobRun)
            .where(_held(run_id, worker_id))
            .values(
                lease_expires_at=now + timedelta(seconds=lease_seconds),
                progress_done=done,
                progress_total=total,
                counters=counters,
            ),
        )
        if result.rowcount:
            held.add(run_id)
    return held


def expire_abandoned_runs(session: Session, *, now: datetime | None = None) -> list[JobRun]:
    """Fail running runs whose lease expired (their worker died); returns them."""
    now = now or utcnow()
    stmt = sa.select(JobRun).where(
        col(JobRun.status) == RunStatus.RUNNING.value,
        col(JobRun.lease_expires_at) < now,
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    runs = list(session.scalars(stmt))
    for run in runs:
        run.status = RunStatus.FAILED.value
        run.finished_at = now
        run.error = (
            f"worker {run.worker_id} stopped responding (its lease expired at "
            f"{run.lease_expires_at:%Y-%m-%d %H:%M:%S} UTC) and the run was abandoned "
            "part-way; running it again is safe"
        )
        session.add(run)
    session.flush()
    return runs


def finish_run(
    session: Session,
    run_id: int,
    worker_id: str,
    *,
    status: RunStatus,
    counters: dict[str, int],
    progress: tuple[int, int | None],
    summary: str | None,
    error: str | None,
    now: datetime | None = None,
) -> bool:
    """Record how a run ended; False if this worker no longer held it (lease lost)."""
    now = now or utcnow()
    result = session.exec(
        sa.update(JobRun)
        .where(_held(run_id, worker_id))
        .values(
            status=status.value,
            finished_at=now,
            lease_expires_at=None,
            counters=counters,
            progress_done=progress[0],
            progress_total=progress[1],
            summary=summary,
            error=error,
        ),
    )
    return bool(result.rowcount)


def record_run_outcome(
    session: Session,
    integration_id: int,
    *,
    failed: bool,
    pause_reason: str | None,
    max_consecutive_failures: int,
    now: datetime | None = None,
) -> str | None:
    """Apply the failure policy; returns the pause reason if the integration was paused.

    A success resets the failure streak. A failure extends it; `pause_reason` (auth
    rejected, retries exhausted) pauses at once, and so does reaching the streak limit.
    """
    now = now or utcnow()
    integration = session.get(Integration, integration_id, with_for_update=True)
    if integration is None:
        return None
    if not failed:
        integration.consecutive_failures = 0
        integration.last_success_at = now
        session.add(integration)
        return None
    integration.consecutive_failures += 1
    reason = pause_reason
    if reason is None and integration.consecutive_failures >= max_consecutive_failures:
        n = integration.consecutive_failures
        reason = f"{n} failed run{'s' if n != 1 else ''} in a row"
    if reason is not None and integration.paused_reason is None:
        set_integration_paused(session, integration, reason, actor="dropdeck@runtime")
        return reason
    session.add(integration)
    return None


def cancel_run(session: Session, run_id: int, *, reason: str, worker_id: str | None = None) -> bool:
    """Cancel a queued run, or a running one held by `worker_id`."""
    if worker_id is None:
        stmt = sa.update(JobRun).where(
            col(JobRun.id) == run_id,
            col(JobRun.status) == RunStatus.QUEUED.value,
        )
    else:
        stmt = sa.update(JobRun).where(_held(run_id, worker_id))
    result = session.exec(
        stmt.values(
            status=RunStatus.CANCELLED.value,
            finished_at=utcnow(),
            lease_expires_at=None,
            error=reason,
        ),
    )
    return bool(result.rowcount)


def request_cancel(session: Session, run_id: int, *, actor: str) -> str:
    """An operator cancels a run: a queued one at once, a running one by asking its worker to
    stop it at its next page boundary. Audited. Returns what happened: `cancelled`,
    `requested`, or the status of a run that had already ended (`succeeded`, ...)."""
    run = session.get(JobRun, run_id)
    if run is None:
        raise LookupError(f"no run {run_id}")
    before = {"status": run.status, "cancel_requested_by": run.cancel_requested_by}
    if run.status == RunStatus.QUEUED.value:
        if not cancel_run(session, run_id, reason=f"cancelled by {actor} before it started"):
            session.refresh(run)
            return run.status  # a worker claimed it meanwhile; ask again to stop it
        outcome = "cancelled"
        after = {"status": RunStatus.CANCELLED.value}
    elif run.status == RunStatus.RUNNING.value:
        session.execute(
            sa.update(JobRun)
            .where(col(JobRun.id) == run_id, col(JobRun.status) == RunStatus.RUNNING.value)
            .values(cancel_requested_by=actor)
        )
        outcome = "requested"
        after = {"cancel_requested_by": actor}
    else:
        return run.status
    record_audit(
        session,
        actor=actor,
        action="run.cancel",
        record_type="job_run",
        changes=[(str(run_id), before, after)],
    )
    return outcome


def cancel_requests(session: Session, run_ids: list[int]) -> dict[int, str]:
    """Of these runs, those an operator asked to cancel: run id -> who asked."""
    if not run_ids:
        return {}
    stmt = sa.select(col(JobRun.id), col(JobRun.cancel_requested_by)).where(
        col(JobRun.id).in_(run_ids),
        col(JobRun.cancel_requested_by).is_not(None),
    )
    return {run_id: who for run_id, who in session.execute(stmt)}


def beat(session: Session, worker_id: str, *, host: str, pid: int, embedded: bool) -> None:
    """Insert or refresh this worker's heartbeat row."""
    worker = session.get(Worker, worker_id)
    if worker is None:
        worker = Worker(id=worker_id, host=host, pid=pid, embedded=embedded)
    worker.heartbeat_at = utcnow()
    session.add(worker)


def forget_dead_workers(
    session: Session, *, older_than_seconds: float, now: datetime | None = None
) -> int:
    """Delete the rows of workers whose last heartbeat is older than `older_than_seconds`
    (killed, not stopped cleanly); returns how many."""
    cutoff = (now or utcnow()) - timedelta(seconds=older_than_seconds)
    result = session.exec(sa.delete(Worker).where(col(Worker.heartbeat_at) < cutoff))
    return int(result.rowcount or 0)


def remove_worker(session: Session, worker_id: str) -> None:
    """Forget a worker that stopped cleanly."""
    session.execute(sa.delete(Worker).where(col(Worker.id) == worker_id))
