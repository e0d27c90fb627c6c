"""Runtime timings, read once from the environment (tests shorten them).

| variable                          | default | meaning                                        |
|-----------------------------------|---------|------------------------------------------------|
| DROPDECK_WORKER_POLL_SECONDS      | 1.0     | how often an idle worker looks for queued runs |
| DROPDECK_HEARTBEAT_SECONDS        | 5.0     | worker heartbeat and lease renewal period      |
| DROPDECK_LEASE_SECONDS            | 30.0    | a run's lease; expired = its worker died       |
| DROPDECK_SCHEDULER_REFRESH_SECONDS| 5.0     | how often the leader re-reads integrations     |
| DROPDECK_SHUTDOWN_GRACE_SECONDS   | 10.0    | how long a stopping worker lets runs finish    |
| DROPDECK_MAX_CONSECUTIVE_FAILURES | 3       | default pause threshold (integration setting   |
|                                   |         | `max_consecutive_failures` overrides it)       |
| DROPDECK_EXTRA_OPERATIONS         |         | extra modules registering operations (tests)   |
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class RuntimeSettings:
    poll_seconds: float = 1.0
    heartbeat_seconds: float = 5.0
    lease_seconds: float = 30.0
    scheduler_refresh_seconds: float = 5.0
    shutdown_grace_seconds: float = 10.0
    max_consecutive_failures: int = 3

    @property
    def live_worker_seconds(self) -> float:
        """A worker whose heartbeat is older than this is considered gone."""
        return self.heartbeat_seconds * 3

    @property
    def dead_worker_seconds(self) -> float:
        """A worker row whose heartbeat is older than this is deleted by the sweep (a worker
        that comes back, e.g. after a suspend, writes its row again on its next beat)."""
        return max(self.lease_seconds, self.live_worker_seconds) * 2


# The integration setting every kind takes: how many failed runs in a row pause it.
MAX_CONSECUTIVE_FAILURES_KEY = "max_consecutive_failures"
MAX_CONSECUTIVE_FAILURES_LIMIT = 100


def check_runtime_setting(key: str, value: object) -> str | None:
    """What is wrong with a runtime integration setting (one line), or None if it is fine."""
    if key != MAX_CONSECUTIVE_FAILURES_KEY:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        return f"{key} must be a whole number from 1 to {MAX_CONSECUTIVE_FAILURES_LIMIT}"
    if not 1 <= value <= MAX_CONSECUTIVE_FAILURES_LIMIT:
        return (
            f"{key} {value} is out of range: use 1 to {MAX_CONSECUTIVE_FAILURES_LIMIT} "
            "failed runs in a row"
        )
    return None


def load_runtime_settings(environ: Mapping[str, str] | None = None) -> RuntimeSettings:
    env = os.environ if environ is None else environ

    def num(name: str, default: float) -> float:
        raw = env.get(name)
        return float(raw) if raw else default

    return RuntimeSettings(
        poll_seconds=num("DROPDECK_WORKER_POLL_SECONDS", 1.0),
        heartbeat_seconds=num("DROPDECK_HEARTBEAT_SECONDS", 5.0),
        lease_seconds=num("DROPDECK_LEASE_SECONDS", 30.0),
        scheduler_refresh_seconds=num("DROPDECK_SCHEDULER_REFRESH_SECONDS", 5.0),
        shutdown_grace_seconds=num("DROPDECK_SHUTDOWN_GRACE_SECONDS", 10.0),
        max_consecutive_failures=int(num("DROPDECK_MAX_CONSECUTIVE_FAILURES", 3)),
    )
