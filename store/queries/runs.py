"""Integrations and their runs, for the Jobs pane and `dropdeck integrations`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from ..models import Integration, JobRun
from .keyset import keyset_page


@dataclass(frozen=True)
class RunRow:
    id: int
    integration: str
    kind: str
    trigger: str
    status: str
    queued_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    progress_done: int
    progress_total: int | None
    summary: str | None
    error: str | None


def page_runs(
    session: Session,
    *,
    status: str | None = None,
    integration_id: int | None = None,
    after: tuple[int] | None = None,
    before: tuple[int] | None = None,
    limit: int = 256,
) -> list[RunRow]:
    """Runs, newest first."""
    r = JobRun.__table__.c
    i = Integration.__table__.c
    stmt = sa.select(
        r.id,
        i.name,
        i.kind,
        r.trigger,
        r.status,
        r.queued_at,
        r.started_at,
        r.finished_at,
        r.progress_done,
        r.progress_total,
        r.summary,
        r.error,
    ).join_from(JobRun.__table__, Integration.__table__, r.integration_id == i.id)
    if status:
        stmt = stmt.where(r.status == status)
    if integration_id is not None:
        stmt = stmt.where(r.integration_id == integration_id)
    stmt, backward = keyset_page(
        stmt, (r.id,), after=after, before=before, limit=limit, descending=True
    )
    rows = [RunRow(*row) for row in session.execute(stmt)]
    return rows[::-1] if backward else rows


def integration_by_name(session: Session, name: str) -> Integration | None:
    return session.scalars(sa.select(Integration).where(Integration.name == name)).first()


def last_runs(session: Session) -> dict[int, JobRun]:
    """The latest finished run of every integration, in one query."""
    latest = (
        sa.select(JobRun.integration_id, sa.func.max(JobRun.id).label("id"))
        .where(JobRun.finished_at.is_not(None))  # type: ignore[union-attr]
        .group_by(JobRun.integration_id)
        .subquery()
    )
    stmt = sa.select(JobRun).join(latest, JobRun.id == latest.c.id)
    return {run.integration_id: run for run in session.scalars(stmt)}
