"""Integrations and their runs, for the Jobs pane and `dropdeck integrations`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from ..models import Channel, Integration, JobRun, Notification, Source, Worker
from ..models._types import utcnow
from ..models.runtime import RunStatus
from .keyset import keyset_page
from .text_filter import matches_words, shown_status


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
    run_uid: str
    started_by: str
    cancel_requested_by: str | None


def _run_rows() -> sa.Select[Any]:
    """Runs joined to their integration, selecting RunRow's fields in its order."""
    r = JobRun.__table__.c
    i = Integration.__table__.c
    return sa.select(
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
        r.run_uid,
        r.started_by,
        r.cancel_requested_by,
    ).join_from(JobRun.__table__, Integration.__table__, r.integration_id == i.id)


def page_runs(
    session: Session,
    *,
    status: str | None = None,
    integration_id: int | None = None,
    integration_prefix: str | None = None,
    text: str | None = None,
    after: tuple[int] | None = None,
    before: tuple[int] | None = None,
    limit: int = 256,
    last: bool = False,
) -> list[RunRow]:
    """Runs, newest first; `text`: every word in the integration, status, who started it,
    summary or error."""
    r = JobRun.__table__.c
    i = Integration.__table__.c
    stmt = _run_rows()
    if status:
        stmt = stmt.where(r.status == status)
    if integration_id is not None:
        stmt = stmt.where(r.integration_id == integration_id)
    if integration_prefix:
        stmt = stmt.where(i.name.startswith(integration_prefix, autoescape=True))
    cond = matches_words(text, (i.name, shown_status(r.status), r.started_by, r.summary, r.error))
    if cond is not None:
        stmt = stmt.where(cond)
    stmt, backward = keyset_page(
        stmt, (r.id,), after=after, before=before, limit=limit, last=last, descending=True
    )
    rows = [RunRow(*row) for row in session.execute(stmt)]
    return rows[::-1] if backward else rows


def integration_by_name(session: Session, name: str) -> Integration | None:
    return session.scalars(sa.select(Integration).where(col(Integration.name) == name)).first()


def last_runs(session: Session) -> dict[int, JobRun]:
    """The latest finished run of every integration, in one query."""
    latest = (
        sa.select(col(JobRun.integration_id), sa.func.max(col(JobRun.id)).label("id"))
        .where(col(JobRun.finished_at).is_not(None))
        .group_by(col(JobRun.integration_id))
        .subquery()
    )
    stmt = sa.select(JobRun).join(latest, col(JobRun.id) == latest.c.id)
    return {run.integration_id: run for run in session.scalars(stmt)}


def last_import_started(session: Session, integration_id: int) -> datetime | None:
    """When the integration's latest run that imported (succeeded or partial) started: a
    feed not modified since then is unchanged for it."""
    done = (RunStatus.SUCCEEDED.value, RunStatus.PARTIAL.value)
    return session.scalar(
        sa.select(col(JobRun.started_at))
        .where(col(JobRun.integration_id) == integration_id, col(JobRun.status).in_(done))
        .order_by(col(JobRun.id).desc())
        .limit(1)
    )


@dataclass(frozen=True)
class IntegrationRow:
    """An integration with its owner and its latest finished run, for Sources/Channels."""

    id: int
    name: str
    kind: str
    owner: str
    schedule_type: str
    schedule_value: str
    enabled: bool
    paused_reason: str | None
    last_status: str | None
    last_finished_at: datetime | None
    version: int = 0
    """The integration's version as read: an action on it is refused if it changed since."""

    @property
    def schedule(self) -> str:
        return schedule_words(self.schedule_type, self.schedule_value)


def schedule_words(schedule_type: str, value: str) -> str:
    """A schedule as the console and the CLI table both say it: `every 5m`, `every 90s`,
    `every 6h`, `every 1h30m`, `cron 0 * * * *`, `manual`."""
    if schedule_type == "interval" and value.isdigit():
        seconds = int(value)
        if seconds and seconds % 3600 == 0:
            return f"every {seconds // 3600}h"
        if seconds > 3600 and seconds % 60 == 0:
            return f"every {seconds // 3600}h{seconds % 3600 // 60}m"  # 1h30m, as --every takes
        return f"every {seconds // 60}m" if seconds % 60 == 0 else f"every {seconds}s"
    if schedule_type == "cron":
        return f"cron {value}"
    return schedule_type


def list_integrations(session: Session, owner: str) -> list[IntegrationRow]:
    """Integrations owned by sources (`owner="source"`) or channels, by owner then name."""
    if owner not in ("source", "channel"):
        raise ValueError(f"owner is 'source' or 'channel', not {owner!r}")
    table = Source if owner == "source" else Channel
    fk = Integration.source_id if owner == "source" else Integration.channel_id
    last = last_runs(session)
    stmt = (
        sa.select(Integration, col(table.name))
        .join(table, col(fk) == col(table.id))
        .order_by(col(table.name), col(Integration.name))
    )
    out = []
    for integration, owner_name in session.execute(stmt):
        run = last.get(integration.id)
        out.append(
            IntegrationRow(
                id=integration.id,
                name=integration.name,
                kind=integration.kind,
                owner=owner_name,
                schedule_type=integration.schedule_type,
                schedule_value=integration.schedule_value,
                enabled=integration.enabled,
                paused_reason=integration.paused_reason,
                last_status=run.status if run else None,
                last_finished_at=run.finished_at if run else None,
                version=integration.version,
            )
        )
    return out


def owner_names(session: Session, owner: str) -> list[str]:
    """Every source (`owner="source"`) or channel name, in list_integrations' owner order,
    including those with no integration yet."""
    if owner not in ("source", "channel"):
        raise ValueError(f"owner is 'source' or 'channel', not {owner!r}")
    table = Source if owner == "source" else Channel
    return list(session.scalars(sa.select(col(table.name)).order_by(col(table.name))))


def live_workers(session: Session, *, within_seconds: float) -> list[Worker]:
    """Workers whose heartbeat is more recent than `within_seconds` ago."""
    since = utcnow() - timedelta(seconds=within_seconds)
    stmt = sa.select(Worker).where(col(Worker.heartbeat_at) >= since)
    return list(session.scalars(stmt.order_by(col(Worker.heartbeat_at).desc())))


def get_run(session: Session, run_id: int) -> JobRun | None:
    """One run by id."""
    return session.get(JobRun, run_id)


def run_row(session: Session, run_id: int) -> RunRow | None:
    """One run as the Jobs pane shows it."""
    row = session.execute(_run_rows().where(JobRun.__table__.c.id == run_id)).first()
    return RunRow(*row) if row else None


@dataclass(frozen=True)
class IntegrationOwner:
    """An integration with its owner and system, for the runtime and `dropdeck integrations`."""

    integration: Integration
    owner_type: str  # "source" or "channel"
    owner_name: str
    system: str
    connection_id: int | None


def integrations_with_owner(session: Session) -> list[IntegrationOwner]:
    """Every integration with its source/channel, by name."""
    stmt = (
        sa.select(Integration, Source, Channel)
        .outerjoin(Source, col(Integration.source_id) == col(Source.id))
        .outerjoin(Channel, col(Integration.channel_id) == col(Channel.id))
        .order_by(Integration.name)
    )
    rows = []
    for integration, source, channel in session.execute(stmt):
        owner = source or channel
        rows.append(
            IntegrationOwner(
                integration=integration,
                owner_type="source" if source is not None else "channel",
                owner_name=owner.name if owner is not None else "",
                system=owner.kind if owner is not None else "",
                connection_id=owner.connection_id if owner is not None else None,
            )
        )
    return rows


def run_notifications(session: Session, run_id: int, *, limit: int = 500) -> list[Notification]:
    """A run's notifications (record failures, summary, pause), oldest first."""
    stmt = (
        sa.select(Notification)
        .where(col(Notification.run_id) == run_id)
        .order_by(col(Notification.id))
        .limit(limit)
    )
    return list(session.scalars(stmt))
