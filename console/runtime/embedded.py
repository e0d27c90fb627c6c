"""A worker inside the console, only when no other worker is alive.

Closing an SSH session must never stop the jobs of a running `dropdeck worker`, so the
console only starts its own worker when it finds no live heartbeat. The embedded worker
runs on the console's event loop; all its database calls go through `asyncio.to_thread`.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

from connectors.registry import load_operations
from store.db import Database
from store.queries.runs import live_workers

from .settings import RuntimeSettings, load_runtime_settings
from .worker import Worker


@dataclass
class EmbeddedWorker:
    """Handle on a worker running inside the console."""

    worker: Worker
    task: asyncio.Task[None]
    stop_event: asyncio.Event

    async def stop(self) -> None:
        """Stop claiming, stop running runs at their next page, and wait for the worker.

        The console quitting must not wait for whole runs (the grace period is for a
        `dropdeck worker` being stopped): each run ends `cancelled` with whole pages written,
        and the next worker runs it again on schedule."""
        self.stop_event.set()
        for active in list(self.worker.active.values()):
            if active.ctx is not None:
                active.ctx.cancel_requested_by = "the console quitting"
        with contextlib.suppress(asyncio.CancelledError):
            await self.task


def _someone_alive(db: Database, settings: RuntimeSettings) -> bool:
    with db.read() as session:
        return bool(live_workers(session, within_seconds=settings.live_worker_seconds))


async def maybe_start_embedded_worker(
    db: Database, *, settings: RuntimeSettings | None = None, concurrency: int = 2
) -> EmbeddedWorker | None:
    """Start a worker in this event loop unless a live one exists; None if not started."""
    settings = settings or load_runtime_settings()
    if await asyncio.to_thread(_someone_alive, db, settings):
        return None
    await asyncio.to_thread(load_operations)
    worker = Worker(db, settings=settings, concurrency=concurrency, embedded=True)
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop), name="embedded-worker")
    return EmbeddedWorker(worker=worker, task=task, stop_event=stop)
