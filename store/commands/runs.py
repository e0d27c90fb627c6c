"""Queueing runs and pausing integrations: what operators (and the scheduler) ask for."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from ..models import Integration, JobRun
from ..models._types import utcnow
from ..models.runtime import RunStatus, RunTrigger
from .audit import record_audit


def queue_run(session: Session, integration_id: int, trigger: RunTrigger) -> JobRun:
    """Queue a run, or return the one already queued (the database allows one per integration)."""
    existing = session.scalars(
        sa.select(JobRun).where(
            JobRun.integration_id == integration_id, JobRun.status == RunStatus.QUEUED.value
        )
    ).first()
    if existing is not None:
        return existing
    run = JobRun(integration_id=integration_id, trigger=trigger.value, status=RunStatus.QUEUED)
    try:
        with session.begin_nested():
            session.add(run)
            session.flush()
    except IntegrityError:
        # Another process queued it between our read and our insert.
        return session.scalars(
            sa.select(JobRun).where(
                JobRun.integration_id == integration_id, JobRun.status == RunStatus.QUEUED.value
            )
        ).one()
    return run


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
