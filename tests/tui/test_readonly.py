"""The read-only console: its badge shows at 80 columns, a refused key says why, and it
starts no job worker even when asked to."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import sqlalchemy as sa

from console.tui.app import DropdeckApp
from store.db import Database
from store.models import AuditEvent, JobRun, Worker

from .conftest import settle


async def test_a_refused_key_says_why_and_no_worker_starts(
    make_app: Callable[..., DropdeckApp], demo_db: Database
) -> None:
    app = make_app(readonly=True, pane="listings", start_worker=True)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        messages = [n.message for n in app._notifications]
        assert any("Pause: not allowed, this console is read-only" in m for m in messages)
        await pilot.press("4", "r")
        await settle(pilot)
        messages = [n.message for n in app._notifications]
        assert any("Resubmit: not allowed" in m for m in messages), messages
        await asyncio.sleep(0.5)  # time enough for a worker to have written its heartbeat
        assert app.worker_handle is None
    with demo_db.read() as session:
        for model in (Worker, AuditEvent):
            assert session.scalar(sa.select(sa.func.count()).select_from(model)) == 0
        queued = sa.select(sa.func.count()).where(JobRun.status == "queued")
        assert session.scalar(queued) == 0
