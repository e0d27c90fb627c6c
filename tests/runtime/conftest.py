"""Runtime fixtures: fake operations registered, short timings, logging to the test home."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog

import tests.runtime.fake_ops  # noqa: F401  (registers the "fake" operations)
from console.runtime.logging import LoggingSetup, configure_logging, shutdown_logging
from console.runtime.settings import RuntimeSettings
from store.db import Database

FAST = RuntimeSettings(
    poll_seconds=0.05,
    heartbeat_seconds=0.3,
    lease_seconds=2.0,
    scheduler_refresh_seconds=0.2,
    shutdown_grace_seconds=2.0,
    max_consecutive_failures=3,
)


@pytest.fixture
def fast() -> RuntimeSettings:
    return FAST


@pytest.fixture
def logs(db: Database, _isolated_home: Path) -> Iterator[LoggingSetup]:
    """Logging configured like a real process: JSON file + notification table."""
    setup = configure_logging(_isolated_home, db=db)
    yield setup
    shutdown_logging()
    structlog.reset_defaults()
