"""`p` and `x` on an integration, shared by Sources, Channels and Jobs."""

from __future__ import annotations

from sqlmodel import Session

from store.commands.audit import operator_name
from store.commands.runs import queue_run, set_integration_paused
from store.commands.seen import Seen
from store.models import Integration
from store.models.runtime import RunTrigger
from store.queries.runs import IntegrationRow, integration_by_name

from .. import format as fmt
from .base import Pane


def _integration(session: Session, ref: int | str) -> Integration:
    found = (
        session.get(Integration, ref) if isinstance(ref, int) else integration_by_name(session, ref)
    )
    if found is None:
        raise LookupError(f"integration {ref} no longer exists")
    return found


def toggle_pause(session: Session, ref: int | str, actor: str) -> tuple[str, bool]:
    """Pause (with the operator as the reason) or unpause; returns (name, paused now)."""
    integration = _integration(session, ref)
    reason = None if integration.paused_reason else f"paused by {actor}"
    set_integration_paused(session, integration, reason, actor=actor)
    return integration.name, reason is not None


def queue_manual_run(session: Session, ref: int | str, actor: str) -> tuple[str, int]:
    """Queue a manual run started by `actor` (or find the one already queued); returns
    (name, run id)."""
    integration = _integration(session, ref)
    assert integration.id is not None
    run = queue_run(session, integration.id, RunTrigger.MANUAL, started_by=actor)
    return integration.name, run.id or 0


def queue_manual_runs(session: Session, refs: list[int], actor: str) -> list[tuple[str, int]]:
    """`queue_manual_run` for several integrations, in one transaction."""
    return [queue_manual_run(session, ref, actor) for ref in refs]


def toggle_pauses(session: Session, refs: list[int], actor: str) -> list[tuple[str, bool]]:
    """`toggle_pause` for several integrations, in one transaction."""
    return [toggle_pause(session, ref, actor) for ref in refs]


def _seen(rows: list[IntegrationRow]) -> Seen:
    return Seen(Integration, {r.id: r.version for r in rows})


async def pause_integration(pane: Pane, ref: IntegrationRow | str | None) -> None:
    """Pause or unpause: a row (Sources, Channels) only as the operator saw it; a name
    (Jobs, where the paused state is not shown) as it is now."""
    if ref is None:
        pane.app.notify("No integration selected", severity="warning")
        return
    seen = _seen([ref]) if isinstance(ref, IntegrationRow) else None
    key = ref.id if isinstance(ref, IntegrationRow) else ref
    result = await pane.change(
        "integration", toggle_pause, key, operator_name("console"), seen=seen
    )
    if result is not None:
        name, paused = result
        pane.app.notify(f"{name} {'paused' if paused else 'unpaused'}")


async def run_integration(pane: Pane, ref: int | str | None) -> None:
    if ref is None:
        pane.app.notify("No integration selected", severity="warning")
        return
    result = await pane.change("run", queue_manual_run, ref, operator_name("console"))
    if result is not None:
        name, run_id = result
        pane.app.notify(f"{name} queued (run {run_id})")


async def run_integrations(pane: Pane, rows: list[IntegrationRow]) -> None:
    """Queue a manual run of each (the caller has asked the operator first)."""
    refs = [r.id for r in rows]
    done = await pane.change("run", queue_manual_runs, refs, operator_name("console"))
    if done:
        runs = ", ".join(str(run_id) for _, run_id in done)
        pane.app.notify(f"{fmt.plural(len(done), 'integration')} queued (runs {runs})")


async def pause_integrations(pane: Pane, rows: list[IntegrationRow]) -> None:
    """Pause or unpause each, as the operator saw them (the caller has asked first)."""
    refs = [r.id for r in rows]
    done = await pane.change(
        "integration", toggle_pauses, refs, operator_name("console"), seen=_seen(rows)
    )
    if done:
        paused = sum(1 for _, now in done if now)
        parts = [f"{paused} paused"] if paused else []
        if len(done) - paused:
            parts.append(f"{len(done) - paused} unpaused")
        pane.app.notify(", ".join(parts))
