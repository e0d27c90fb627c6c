"""One run, from claim to summary: lease, execute the registered operation, finish, policy.

A run is claimed with a lease (`store.commands.runs.claim_next_run`); the worker renews it
with its heartbeat. Finishing records status, counters and a one-line summary, then applies
the failure policy: a success clears the integration's failure streak; a failure extends
it and pauses the integration after `max_consecutive_failures` (integration setting, else
the runtime default) or at once when the error says so (`AuthError`, exhausted retries).
Runs whose lease expired (their worker died) are failed by `sweep_abandoned`; a dead worker
is not the integration's failure, so they leave the streak as it was.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import structlog

from connectors.context import ClientPool, ConnectionInfo, RunCancelled, RunContext
from connectors.errors import ConnectorError
from connectors.registry import get_operation
from store.commands import runs as run_commands
from store.commands.notify import insert_notifications
from store.crypto import SecretBox, SecretKeyError
from store.db import Database
from store.models import Channel, Connection, Integration, JobRun, Source
from store.models.runtime import RunStatus

from .logging import flush_notifications, notification_row, register_secret, scrub_text
from .settings import RuntimeSettings

log = structlog.get_logger("dropdeck.runtime")

_LEVEL = {
    RunStatus.SUCCEEDED: "info",
    RunStatus.PARTIAL: "warning",
    RunStatus.FAILED: "error",
    RunStatus.CANCELLED: "warning",
}


@dataclass
class ActiveRun:
    """A run this worker is executing; the heartbeat reads its progress."""

    run_id: int
    integration_id: int
    ctx: RunContext | None = None
    task: asyncio.Task[None] | None = None
    lease_lost: bool = False
    finishing: bool = False  # recording its outcome; the heartbeat leaves it alone
    extra: dict[str, Any] = field(default_factory=dict)

    def progress(self) -> tuple[int, int | None, dict[str, int]]:
        if self.ctx is None:
            return (0, None, {})
        return (self.ctx.progress_done, self.ctx.progress_total, dict(self.ctx.counters))


class SecretsUnreadable(Exception):
    """A connection's secrets cannot be decrypted: the run fails and the integration pauses
    (every later run would fail the same way until the key is put back)."""


def claim(
    db: Database, worker_id: str, settings: RuntimeSettings, only_run: int | None = None
) -> JobRun | None:
    """Claim one queued run for this worker (blocking; call off the event loop)."""
    with db.write() as session:
        return run_commands.claim_next_run(
            session, worker_id, settings.lease_seconds, only_run=only_run
        )


def max_failures(integration: Integration, settings: RuntimeSettings) -> int:
    value = (integration.settings or {}).get("max_consecutive_failures")
    return int(value) if isinstance(value, int) and value > 0 else settings.max_consecutive_failures


def sweep_abandoned(db: Database, settings: RuntimeSettings) -> list[int]:
    """Fail runs whose worker died (expired lease) and forget long-dead workers' rows.

    The failure policy is not applied: the work did not fail, its worker did.
    """
    reports: list[tuple[JobRun, str]] = []
    with db.write() as session:
        for run in run_commands.expire_abandoned_runs(session):
            integration = session.get(Integration, run.integration_id)
            reports.append((run, integration.name if integration else str(run.integration_id)))
        run_commands.forget_dead_workers(session, older_than_seconds=settings.dead_worker_seconds)
    for run, name in reports:
        log.error(
            "run.abandoned",
            integration=name,
            integration_id=run.integration_id,
            run_id=run.id,
            run_uid=run.run_uid,
            worker=run.worker_id,
            message=f"{name}: run {run.id} failed: {run.error}",
        )
    return [run.id for run, _ in reports if run.id is not None]


def load_context(
    db: Database, run: JobRun, clients: ClientPool
) -> tuple[RunContext | None, str | None]:
    """Build the operation's context; (None, error) when the integration cannot run.

    Raises SecretsUnreadable when the connection's secrets cannot be decrypted.
    """
    with db.read() as session:
        integration = session.get(Integration, run.integration_id)
        if integration is None:
            return None, f"integration {run.integration_id} no longer exists"
        owner: Source | Channel | None = None
        if integration.source_id is not None:
            owner = session.get(Source, integration.source_id)
        elif integration.channel_id is not None:
            owner = session.get(Channel, integration.channel_id)
        if owner is None:
            return None, f"{integration.name} belongs to no source or channel; attach it to one"
        connection = None
        if owner.connection_id is not None:
            row = session.get(Connection, owner.connection_id)
            if row is not None:
                try:
                    secrets = SecretBox(db.settings.home).open(row.secrets)
                except SecretKeyError as exc:
                    raise SecretsUnreadable(
                        f"cannot decrypt the secrets of connection {row.name}: "
                        f"the secret key changed? {exc}"
                    ) from None
                for value in secrets.values():
                    register_secret(value)  # before anything can log them
                connection = ConnectionInfo(
                    id=row.id or 0,
                    name=row.name,
                    system=row.system,
                    base_url=row.base_url,
                    secrets=secrets,
                )
    ctx = RunContext(
        db=db,
        integration=integration,
        run_id=run.id or 0,
        run_uid=run.run_uid,
        system=owner.kind,
        owner=owner,
        connection=connection,
        clients=clients,
        request_id=run.request_id,
    )
    return ctx, None


def counted(n: int, name: str) -> str:
    """`1 order created`, `2 orders created`, `1,200 variants updated` from a counter name:
    with one, its plural nouns (words ending in a single s) lose the s."""
    words = name.split("_")
    if n == 1:
        words = [w[:-1] if w.endswith("s") and not w.endswith("ss") else w for w in words]
    return f"{n:,} {' '.join(words)}"


def summarize(kind: str, status: RunStatus, counters: dict[str, int]) -> str:
    """`import_listings partial: 120 parents created, 340 variants created, 2 failed`; a run
    that failed or was cancelled before counting anything is just `get_pqs failed` (its
    error follows), one that succeeded with nothing to count says `nothing to do`."""
    parts = [counted(n, name) for name, n in counters.items() if name != "failed" and n]
    if counters.get("failed"):
        parts.append(f"{counters['failed']:,} failed")
    head = f"{kind} {status.value}"
    if parts:
        return f"{head}: " + ", ".join(parts)
    return head if status in (RunStatus.FAILED, RunStatus.CANCELLED) else f"{head}: nothing to do"


async def execute(
    db: Database,
    active: ActiveRun,
    run: JobRun,
    *,
    worker_id: str,
    clients: ClientPool,
    settings: RuntimeSettings,
) -> None:
    """Run the operation and record the outcome; never raises except CancelledError."""
    pause: str | None = None
    try:
        ctx, problem = await asyncio.to_thread(load_context, db, run, clients)
    except SecretsUnreadable as exc:
        ctx, problem = None, str(exc)
        pause = problem
    except Exception as exc:  # the run must end failed, not stay `running` until its lease ends
        ctx, problem = None, scrub_text(f"cannot start: unexpected {type(exc).__name__}: {exc}")
        log.exception("run.crashed", run_id=run.id, error=problem)
    name = ctx.integration.name if ctx else str(run.integration_id)
    with structlog.contextvars.bound_contextvars(
        integration=name, integration_id=run.integration_id, run_id=run.id, run_uid=run.run_uid
    ):
        if ctx is None:
            active.finishing = True
            await asyncio.to_thread(
                _finish, db, active, None, worker_id, RunStatus.FAILED, problem, pause, settings
            )
            return
        active.ctx = ctx
        log.info("run.started", kind=ctx.kind, trigger=run.trigger, worker=worker_id)
        status = RunStatus.SUCCEEDED
        error: str | None = None
        try:
            operation = get_operation(ctx.system, ctx.kind)
            await operation(ctx)
            if ctx.counters.get("failed"):
                status = RunStatus.PARTIAL
        except RunCancelled as exc:
            # Raised between pages (ctx.progress): what was written is whole.
            status, error = RunStatus.CANCELLED, f"cancelled by {exc}"
        except asyncio.CancelledError:
            if active.lease_lost:
                log.warning(
                    "run.lease_lost",
                    message=f"{name}: run {run.id} was taken from this worker (lease "
                    "expired); stopped it",
                )
                raise
            status, error = RunStatus.CANCELLED, "the worker stopped before the run finished"
            active.finishing = True
            await asyncio.to_thread(
                _finish, db, active, ctx, worker_id, status, error, None, settings
            )
            raise
        except ConnectorError as exc:
            status, error = RunStatus.FAILED, scrub_text(str(exc))
            if exc.pauses_integration:
                pause = error
            log.error(
                "run.error",
                error_type=type(exc).__name__,
                error=error,
                message=f"{name}: {ctx.kind} failed: {error}",
            )
        except Exception as exc:
            status = RunStatus.FAILED
            error = scrub_text(f"unexpected {type(exc).__name__}: {exc}")
            log.exception("run.crashed", error=error, message=f"{name}: {ctx.kind} failed: {error}")
        active.finishing = True
        await asyncio.to_thread(_finish, db, active, ctx, worker_id, status, error, pause, settings)


def _finish(
    db: Database,
    active: ActiveRun,
    ctx: RunContext | None,
    worker_id: str,
    status: RunStatus,
    error: str | None,
    pause: str | None,
    settings: RuntimeSettings,
) -> None:
    kind = ctx.kind if ctx else "run"
    counters = dict(ctx.counters) if ctx else {}
    summary = summarize(kind, status, counters)
    if ctx is not None and ctx.notes:
        summary += ". " + " ".join(ctx.notes)
    if ctx is not None and ctx.record_errors:
        first = ctx.record_errors[0]
        summary += f" (first failure: {first['record']}: {first['error']})"
    progress = (ctx.progress_done, ctx.progress_total) if ctx else (0, None)
    name = ctx.integration.name if ctx else None
    message = summary if error is None else f"{summary}: {error}"
    finished = {
        "status": status.value,
        "counters": counters,
        "record_errors": ctx.record_errors[:20] if ctx else [],
        "message": message,
    }
    paused = None
    flush_notifications()  # the run's record failures first, then its summary
    with db.write() as session:
        held = run_commands.finish_run(
            session,
            active.run_id,
            worker_id,
            status=status,
            counters=counters,
            progress=progress,
            summary=summary,
            error=error,
        )
        if held and status is not RunStatus.CANCELLED:
            integration = session.get(Integration, active.integration_id)
            if integration is not None:
                name = integration.name
                paused = run_commands.record_run_outcome(
                    session,
                    active.integration_id,
                    failed=status is RunStatus.FAILED,
                    pause_reason=pause,
                    max_consecutive_failures=max_failures(integration, settings),
                )
        if held:
            # The summary (and a pause) are written with the run row: a worker killed right
            # after cannot lose them from a log buffer.
            name = name or str(active.integration_id)
            finished["integration"] = name
            rows = [notification_row(_LEVEL[status], "run.finished", **finished)]
            if paused:
                rows.append(
                    notification_row(
                        "error", "integration.paused", integration=name, **_paused(name, paused)
                    )
                )
            insert_notifications(session, rows)
    if not held:
        log.warning(
            "run.lease_lost", message=f"run {active.run_id} was no longer held by this worker"
        )
        return
    getattr(log, _LEVEL[status])("run.finished", notify=True, stored=True, **finished)
    if paused:
        name = name or str(active.integration_id)  # as the held branch above set it
        log.error("integration.paused", stored=True, integration=name, **_paused(name, paused))


def _paused(name: str, reason: str) -> dict[str, str]:
    return {
        "reason": reason,
        "message": f"{name} paused: {reason}. Fix the cause, then unpause it "
        f"(p in the console, or: dropdeck integrations unpause {name})",
    }


def _log_paused(name: str, integration_id: int, run_id: int | None, reason: str) -> None:
    log.error(
        "integration.paused",
        integration=name,
        integration_id=integration_id,
        run_id=run_id,
        **_paused(name, reason),
    )
