"""Console fixtures: a demo business at a fixed time, an app factory, and waiting helpers."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from textual.pilot import Pilot

from console.runtime import demo_data
from console.tui.app import DropdeckApp
from console.tui.panes import dashboard
from store.db import Database

FROZEN_NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
def demo_db(sqlite_db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """The demo business, seeded as if at FROZEN_NOW so every timestamp is the same (and
    the dashboard's last 24 hours end then)."""
    monkeypatch.setattr(demo_data, "utcnow", lambda: FROZEN_NOW)
    monkeypatch.setattr(dashboard, "utcnow", lambda: FROZEN_NOW)
    demo_data.seed_demo_business(sqlite_db)
    yield sqlite_db


@pytest.fixture
def make_app(demo_db: Database) -> Callable[..., DropdeckApp]:
    def make(**kwargs: Any) -> DropdeckApp:
        kwargs.setdefault("start_worker", False)
        kwargs.setdefault("live", False)
        # Most tests are about one pane; the console itself opens on Attention (test_attention).
        kwargs.setdefault("pane", "sources")
        return DropdeckApp(kwargs.pop("db", demo_db), **kwargs)

    return make


async def settle(pilot: Pilot[Any]) -> None:
    """Let loads finish and their results paint (workers, then messages, twice over)."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def wait_until(
    pilot: Pilot[Any], predicate: Callable[[], bool], timeout: float = 5.0
) -> float:
    """Poll until `predicate()`; returns the seconds it took; fails after `timeout`."""
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"condition not met within {timeout}s")
        await pilot.pause(0.02)
    return time.monotonic() - start
