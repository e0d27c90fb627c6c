"""The worker: claims queued runs and executes them; the leader among workers also schedules.

    Worker.run(stop)
      - heartbeat (every min(heartbeat, 1 s)): refresh the `worker` row, renew the leases of
        running runs and store their progress; a run whose lease was taken away is stopped
      - sweep (every heartbeat): fail runs whose worker died (expired lease)
      - claim loop: up to `concurrency` runs at once, woken when a run ends or every poll
      - scheduler: leader election + APScheduler (see scheduler.py)
    On stop (SIGTERM/SIGINT in `dropdeck worker`): claim nothing more, let running runs finish
    for the grace period, cancel the rest (recorded `cancelled`), remove the worker row.

Every database call runs in a thread (`asyncio.to_thread`) so an embedding UI loop never
waits on the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import uuid
from functools import partial

import structlog

from connectors.context import ClientPool
from store.commands import runs as run_commands
from store.db import Database
from store.models import JobRun

from . import runs
from .scheduler import Scheduler
from .settings import RuntimeSettings, load_runtime_settings

log = structlog.get_logger("dropdeck.worker")


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Worker:
    """Executes runs from the queue; one per process (headless or embedded in the console)."""

    def __init__(
        self,
        db: Database,
        *,
        settings: RuntimeSettings | None = None,
        concurrency: int = 4,
        embedded: bool = False,
        schedule: bool = True,
        clients: ClientPool | None = None,
        worker_id: str | None = None,
        only_run: int | None = None,
    ) -> None:
        self.db = db
        # Claim this run and no other (a CLI process running one run itself).
        self.only_run = only_run
        self.settings = settings or load_runtime_settings()
        self.concurrency = max(1, concurrency)
        self.embedded = embedded
        self.id = worker_id or new_worker_id()
        self.clients = clients or ClientPool()
        self.scheduler = (
            Scheduler(db, refresh_seconds=self.settings.scheduler_refresh_seconds)
            if schedule
            else None
        )
        self.active: dict[int, runs.ActiveRun] = {}
        self._wake = asyncio.Event()
        self.executed = 0

    async def run(self, stop: asyncio.Event) -> None:
        """Work until `stop` is set, then shut down cleanly."""
        await asyncio.to_thread(self._beat)
        log.info("worker.started", worker=self.id, concurrency=self.concurrency)
        halt = asyncio.Event()  # stops the helpers only after runs are dealt with
        helpers = [asyncio.create_task(self._heartbeat_loop(halt), name="heartbeat")]
        if self.scheduler is not None:
            helpers.append(asyncio.create_task(self.scheduler.run(stop), name="scheduler"))
        try:
            await self._claim_loop(stop)
        finally:
            await self._drain()
            halt.set()
            for task in helpers:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await asyncio.to_thread(self._remove)
            await self.clients.aclose()
            log.info("worker.stopped", worker=self.id, executed=self.executed)

    async def _claim_loop(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self._wake.clear()
            while len(self.active) < self.concurrency and not stop.is_set():
                try:
                    run = await asyncio.to_thread(
                        runs.claim, self.db, self.id, self.settings, self.only_run
                    )
                except Exception:
                    log.exception("worker.claim_failed")
                    break
                if run is None:
                    break
                self._start(run)
            waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wake.wait())]
            await asyncio.wait(
                waiters, timeout=self.settings.poll_seconds, return_when=asyncio.FIRST_COMPLETED
            )
            for waiter in waiters:
                waiter.cancel()

    def _start(self, run: JobRun) -> None:
        assert run.id is not None
        active = runs.ActiveRun(run_id=run.id, integration_id=run.integration_id)
        self.active[run.id] = active
        active.task = asyncio.create_task(
            runs.execute(
                self.db,
                active,
                run,
                worker_id=self.id,
                clients=self.clients,
                settings=self.settings,
            ),
            name=f"run:{run.id}",
        )
        active.task.add_done_callback(partial(self._done, run.id))

    def _done(self, run_id: int, task: asyncio.Task[None]) -> None:
        self.active.pop(run_id, None)
        if not task.cancelled() and (exc := task.exception()) is not None:
            # `execute` records every outcome itself; this is a bug or the database failing
            # while recording one. Say so here rather than in "Task exception was never
            # retrieved" at exit.
            log.error(
                "run.unrecorded",
                run_id=run_id,
                error=f"{type(exc).__name__}: {exc}",
                message=f"run {run_id} ended without recording its outcome: "
                f"{type(exc).__name__}: {exc}",
            )
        self.executed += 1
        self._wake.set()

    async def _drain(self) -> None:
        tasks = [a.task for a in self.active.values() if a.task is not None]
        if not tasks:
            return
        log.info("worker.draining", runs=len(tasks), grace=self.settings.shutdown_grace_seconds)
        _done, pending = await asyncio.wait(tasks, timeout=self.settings.shutdown_grace_seconds)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending)

    async def _heartbeat_loop(self, halt: asyncio.Event) -> None:
        period = min(self.settings.heartbeat_seconds, 1.0)
        loop = asyncio.get_running_loop()
        last_sweep = 0.0
        while not halt.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(halt.wait(), period)
            try:
                await self._renew()
                if loop.time() - last_sweep >= self.settings.heartbeat_seconds:
                    last_sweep = loop.time()
                    await asyncio.to_thread(runs.sweep_abandoned, self.db, self.settings)
            except Exception:  # keep beating through a database hiccup
                log.exception("worker.heartbeat_failed")

    async def _renew(self) -> None:
        watched = {rid: a for rid, a in self.active.items() if not a.finishing}
        progress = {rid: a.progress() for rid, a in watched.items()}
        held, cancels = await asyncio.to_thread(self._beat, progress)
        for run_id, who in cancels.items():
            active = watched.get(run_id)
            if active is not None and active.ctx is not None:
                active.ctx.cancel_requested_by = who  # the run stops at its next page
        for run_id, active in watched.items():
            if run_id not in held and not active.finishing and active.task is not None:
                active.lease_lost = True
                active.task.cancel()

    def _beat(
        self, progress: dict[int, tuple[int, int | None, dict[str, int]]] | None = None
    ) -> tuple[set[int], dict[int, str]]:
        """Heartbeat; returns the runs still held and those an operator asked to cancel."""
        with self.db.write() as session:
            run_commands.beat(
                session, self.id, host=socket.gethostname(), pid=os.getpid(), embedded=self.embedded
            )
            if not progress:
                return set(), {}
            held = run_commands.renew_leases(
                session, self.id, progress, self.settings.lease_seconds
            )
            return held, run_commands.cancel_requests(session, sorted(held))

    def _remove(self) -> None:
        with self.db.write() as session:
            run_commands.remove_worker(session, self.id)
