"""The dashboard's figures: the last hours of each channel and source, bucketed by the hour
in SQL, and each integration's last runs.

Three reads in all: the owners, one UNION of the four hourly series (orders in, POs sent,
failures, sync lag), and the last runs of every integration through a window function.
Buckets are clock hours: the last is the hour `now` falls in (so far), the first starts
`hours - 1` hours before it. The SQL is the same on SQLite and PostgreSQL but for the one
expression that turns a timestamp into seconds (`epoch`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler

from .. import tables
from ..states import RunStatus

if TYPE_CHECKING:
    from ..tables import Reader

HOUR = 3600
Metric = Literal["orders_in", "pos_sent", "failures", "sync_lag"]


class epoch(sa.sql.expression.FunctionElement[int]):
    """Whole seconds since 1970 of a stored UTC timestamp (truncated, never rounded up: a
    time at 10:59:59.9 belongs to the 10 o'clock bucket)."""

    type = sa.BigInteger()
    inherit_cache = True
    name = "epoch"


@compiles(epoch, "sqlite")
def _epoch_sqlite(element: epoch, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite keeps UTC timestamps as text (`2026-03-02 08:59:59.999900`); strftime('%s')
    # would round the fraction to the millisecond (08:59:59.9999 -> 09:00), so cut it off.
    column = compiler.process(element.clauses, **kw)
    return f"CAST(strftime('%s', substr({column}, 1, 19)) AS INTEGER)"


@compiles(epoch, "postgresql")
def _epoch_postgresql(element: epoch, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(FLOOR(EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)})) AS BIGINT)"


@dataclass
class OwnerSeries:
    """One channel or source: a value per hour, oldest first, for each of its series."""

    role: Literal["channel", "source"]
    id: int
    name: str
    activity: list[int]
    """Orders in (a channel, by when they were placed) or POs sent (a source)."""
    failures: list[int]
    """Records that failed plus runs that failed outright, in its integrations' runs."""
    lag: list[int | None] = field(default_factory=list)
    """A channel's sync lag: the longest, in seconds, from Dropdeck storing a shipment's
    tracking to its reaching the channel, over the shipments synced that hour (None: none
    synced)."""


@dataclass(frozen=True)
class IntegrationRuns:
    """An integration's last runs, oldest first (statuses as stored)."""

    name: str
    owner: str
    statuses: tuple[str, ...]


@dataclass(frozen=True)
class Dashboard:
    since: datetime
    """The start of the first bucket."""
    until: datetime
    """`now`: the last bucket is the hour up to it."""
    channels: list[OwnerSeries]
    sources: list[OwnerSeries]
    runs: list[IntegrationRuns]


def window(now: datetime, hours: int) -> datetime:
    """The start of the first of `hours` clock-hour buckets ending with the hour of `now`."""
    hour = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return hour - timedelta(hours=hours - 1)


def _hourly(
    session: Reader, since: datetime, until: datetime
) -> list[tuple[str, int | None, int, int | None]]:
    """`(metric, owner id, bucket, value)` rows, one per series, owner and hour with anything
    in it, for the four series in one UNION ALL."""
    o = tables.order
    r = tables.fulfillment_request
    s = tables.shipment
    j = tables.job_run
    i = tables.integration

    def series(
        metric: Metric,
        owner: sa.ColumnElement[Any],
        at: sa.ColumnElement[Any],
        value: sa.ColumnElement[Any],
        rows: sa.FromClause,
    ) -> sa.Select[Any]:
        bucket = ((epoch(at) - int(since.timestamp())) // HOUR).label("bucket")
        # A constant column names the series (a bound parameter would need a type in a UNION).
        name: sa.Label[str] = sa.literal_column(f"'{metric}'").label("metric")
        return (
            sa.select(name, owner.label("owner"), bucket, value)
            .select_from(rows)
            .where(at >= since, at <= until)
            .group_by(owner, bucket)
        )

    failed = sa.func.coalesce(j.c.counters["failed"].as_integer(), 0) + sa.case(
        (j.c.status == RunStatus.FAILED.value, 1), else_=0
    )
    # From when Dropdeck stored the tracking (the ship time for rows from before that).
    known = sa.func.coalesce(s.c.recorded_at, s.c.shipped_at)
    lag = sa.func.max(epoch(s.c.synced_at) - epoch(known))
    owner = sa.func.coalesce(i.c.channel_id, -i.c.source_id)  # sources negative: one key
    runs = j.join(i, j.c.integration_id == i.c.id)
    shipments = s.join(o, s.c.order_id == o.c.id)
    return [
        (row[0], row[1], row[2], row[3])
        for row in session.execute(
            sa.union_all(
                series("orders_in", o.c.channel_id, o.c.placed_at, sa.func.count(), o),
                series("pos_sent", r.c.source_id, r.c.sent_at, sa.func.count(), r),
                series("failures", owner, j.c.finished_at, sa.func.sum(failed), runs),
                series("sync_lag", o.c.channel_id, s.c.synced_at, lag, shipments),
            )
        )
    ]


def _last_runs(session: Reader, per_integration: int) -> list[IntegrationRuns]:
    j = tables.job_run.c
    i = tables.integration.c
    c = tables.channel.c
    s = tables.source.c
    done = j.status != RunStatus.QUEUED.value
    # Each integration's oldest run still among its newest `per_integration`: a walk down
    # ix_job_run_integration_id_id per integration, not a window over every run ever.
    older = tables.job_run.alias("older")
    oldest_shown = (
        sa.select(older.c.id)
        .where(older.c.integration_id == i.id, older.c.status != RunStatus.QUEUED.value)
        .order_by(older.c.id.desc())
        .offset(per_integration - 1)
        .limit(1)
        .correlate(tables.integration)
        .scalar_subquery()
    )
    rows = session.execute(
        sa.select(i.name, sa.func.coalesce(c.name, s.name), j.status)
        .select_from(tables.integration)
        .outerjoin(tables.channel, i.channel_id == c.id)
        .outerjoin(tables.source, i.source_id == s.id)
        .outerjoin(
            tables.job_run,
            sa.and_(j.integration_id == i.id, done, j.id >= sa.func.coalesce(oldest_shown, 0)),
        )
        .order_by(i.name, j.id)
    )
    runs: dict[str, tuple[str, list[str]]] = {}
    for name, owner, status in rows:
        statuses = runs.setdefault(name, (owner or "", []))[1]
        if status is not None:
            statuses.append(status)
    return [IntegrationRuns(n, owner, tuple(st)) for n, (owner, st) in runs.items()]


def dashboard(
    session: Reader, now: datetime, *, hours: int = 24, runs_per_integration: int = 40
) -> Dashboard:
    """Every channel's and source's last `hours` clock hours, and every integration's last
    `runs_per_integration` runs (queued runs not counted: they have no outcome yet)."""
    since = window(now, hours)
    channels = {
        cid: OwnerSeries("channel", cid, name, [0] * hours, [0] * hours, [None] * hours)
        for cid, name in session.execute(
            sa.select(tables.channel.c.id, tables.channel.c.name).order_by(tables.channel.c.name)
        )
    }
    sources = {
        sid: OwnerSeries("source", sid, name, [0] * hours, [0] * hours)
        for sid, name in session.execute(
            sa.select(tables.source.c.id, tables.source.c.name).order_by(tables.source.c.name)
        )
    }
    for metric, owner, bucket, value in _hourly(session, since, now):
        if owner is None or not 0 <= bucket < hours:
            continue
        if metric == "pos_sent" or (metric == "failures" and owner < 0):
            series = sources.get(abs(owner))
        else:
            series = channels.get(owner)
        if series is None:
            continue
        if metric == "sync_lag":
            series.lag[bucket] = None if value is None else int(value)
        elif metric == "failures":
            series.failures[bucket] += int(value or 0)
        else:
            series.activity[bucket] += int(value or 0)
    return Dashboard(
        since=since,
        until=now,
        channels=list(channels.values()),
        sources=list(sources.values()),
        runs=_last_runs(session, runs_per_integration),
    )
