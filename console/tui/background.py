"""The one place the console starts (and stops) a job worker inside itself.

The job engine's `console.runtime.embedded.maybe_start_embedded_worker(db)` starts one only
when no worker is alive; until that module lands, the console runs without one.
"""

from __future__ import annotations

import importlib
from typing import Any, Protocol

from store.db import Database


class WorkerHandle(Protocol):
    async def stop(self) -> None: ...


async def start_embedded_worker(db: Database) -> WorkerHandle | None:
    try:
        embedded: Any = importlib.import_module("console.runtime.embedded")
    except ModuleNotFoundError as exc:
        if exc.name != "console.runtime.embedded":
            raise
        return None
    handle: WorkerHandle | None = await embedded.maybe_start_embedded_worker(db)
    return handle
