"""Integrations and their runs, for the Jobs pane and `dropdeck integrations`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from .. import tables
from ..coltypes import utcnow
from ..states import RunStatus
from .keyset import keyset_page
from .notifications import NotificationRow
from .text_filter import matches_words, shown_status

if TYPE_CHECKING:
    from sqlmodel import Session

    from ..models import Integration, JobRun, Worker
    from ..tables import Reader


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
    r = tables.job_run.c
    i = tables.integration.c
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
    ).join_from(tables.job_run, tables.integration, r.integration_id == i.id)


def page_runs(
    session: Reader,
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
    r = tables.job_run.c
    i = tables.integration.c
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
    from sqlmodel import col

    from ..models import Integration

    return session.scalars(sa.select(Integration).where(col(Integration.name) == name)).first()


def last_runs(session: Reader) -> dict[int, sa.Row[Any]]:
    """The latest finished run of every integration (its job_run columns), in one query."""
    r = tables.job_run.c
    latest = (
        sa.select(r.integration_id, sa.func.max(r.id).label("id"))
        .where(r.finished_at.is_not(None))
        .group_by(r.integration_id)
        .subquery()
    )
    stmt = sa.select(tables.job_run).join(latest, r.id == latest.c.id)
    return {run.integration_id: run for run in session.execute(stmt)}


def last_import_started(session: Reader, integration_id: int) -> datetime | None:
    """When the integration's latest run that imported (succeeded or partial) started: a
    feed not modified since then is unchanged for it."""
    done = (RunStatus.SUCCEEDED.value, RunStatus.PARTIAL.value)
    return session.scalar(
        sa.select(tables.job_run.c.started_at)
        .where(tables.job_run.c.integration_id == integration_id, tables.job_run.c.status.in_(done))
        .order_by(tables.job_run.c.id.desc())
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


def list_integrations(session: Reader, owner: str) -> list[IntegrationRow]:
    """Integrations owned by sources (`owner="source"`) or channels, by owner then name."""
    if owner not in ("source", "channel"):
        raise ValueError(f"owner is 'source' or 'channel', not {owner!r}")
    i = tables.integration.c
    table = tables.source if owner == "source" else tables.channel
    fk = i.source_id if owner == "source" else i.channel_id
    last = last_runs(session)
    stmt = (
        sa.select(
            i.id,
            i.name,
            i.kind,
            table.c.name.label("owner"),
            i.schedule_type,
            i.schedule_value,
            i.enabled,
            i.paused_reason,
            i.version,
        )
        .join_from(tables.integration, table, fk == table.c.id)
        .order_by(table.c.name, i.name)
    )
    out = []
    for row in session.execute(stmt):
        run = last.get(row.id)
        out.append(
            IntegrationRow(
                id=row.id,
                name=row.name,
                kind=row.kind,
                owner=row.owner,
                schedule_type=row.schedule_type,
                schedule_value=row.schedule_value,
                enabled=row.enabled,
                paused_reason=row.paused_reason,
                last_status=run.status if run else None,
                last_finished_at=run.finished_at if run else None,
                version=row.version,
            )
        )
    return out


def owner_names(session: Reader, owner: str) -> list[str]:
    """Every source (`owner="source"`) or channel name, in list_integrations' owner order,
    including those with no integration yet."""
    if owner not in ("source", "channel"):
        raise ValueError(f"owner is 'source' or 'channel', not {owner!r}")
    table = tables.source if owner == "source" else tables.channel
    return list(session.scalars(sa.select(table.c.name).order_by(table.c.name)))


def live_workers(session: Session, *, within_seconds: float) -> list[Worker]:
    """Workers whose heartbeat is more recent than `within_seconds` ago."""
    from sqlmodel import col

    from ..models import Worker

    since = utcnow() - timedelta(seconds=within_seconds)
    stmt = sa.select(Worker).where(col(Worker.heartbeat_at) >= since)
    return list(session.scalars(stmt.order_by(col(Worker.heartbeat_at).desc())))


def get_run(session: Session, run_id: int) -> JobRun | None:
    """One run by id."""
    from ..models import JobRun

    return session.get(JobRun, run_id)


def run_counters(session: Reader, run_id: int) -> dict[str, int]:
    """What the run counted (created, updated, failed, ...); {} for a run with none."""
    return dict(
        session.scalar(sa.select(tables.job_run.c.counters).where(tables.job_run.c.id == run_id))
        or {}
    )


def run_row(session: Reader, run_id: int) -> RunRow | None:
    """One run as the Jobs pane shows it."""
    row = session.execute(_run_rows().where(tables.job_run.c.id == run_id)).first()
    return RunRow(*row) if row else None


@dataclass(frozen=True)
class IntegrationOwner:
    """An integration with its owner and system, for the runtime and `dropdeck integrations`."""

    integration: sa.Row[Any]
    """The integration's columns by name (a Core row: listing them loads no model)."""
    owner_type: str  # "source" or "channel"
    owner_name: str
    system: str
    connection_id: int | None


def integrations_with_owner(session: Reader) -> list[IntegrationOwner]:
    """Every integration with its source/channel, by name."""
    i, s, c = tables.integration.c, tables.source.c, tables.channel.c
    stmt = (
        sa.select(
            tables.integration,
            s.id.label("owner_source_id"),
            sa.func.coalesce(s.name, c.name).label("owner_name"),
            sa.func.coalesce(s.kind, c.kind).label("owner_kind"),
            sa.func.coalesce(s.connection_id, c.connection_id).label("owner_connection_id"),
        )
        .outerjoin(tables.source, i.source_id == s.id)
        .outerjoin(tables.channel, i.channel_id == c.id)
        .order_by(i.name)
    )
    rows = []
    for row in session.execute(stmt):
        rows.append(
            IntegrationOwner(
                integration=row,
                owner_type="source" if row.owner_source_id is not None else "channel",
                owner_name=row.owner_name or "",
                system=row.owner_kind or "",
                connection_id=row.owner_connection_id,
            )
        )
    return rows


def run_notifications(session: Reader, run_id: int, *, limit: int = 500) -> list[NotificationRow]:
    """A run's notifications (record failures, summary, pause), oldest first."""
    stmt = (
        sa.select(tables.notification)
        .where(tables.notification.c.run_id == run_id)
        .order_by(tables.notification.c.id)
        .limit(limit)
    )
    return list(session.execute(stmt))
