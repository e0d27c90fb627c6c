"""A run's log lines for its detail screen, read from the JSON-lines log files.

Lines are matched on the run's `run_uid`, unique across databases: run ids repeat when a
database is reset (the demo does) while the log files stay, so an id alone would mix runs.
Lines come from every rotated file of this host, oldest first. Runs executed by a worker on
another machine log there; their notifications (in the database) are still shown.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from store.safe_text import visible


def run_log_lines(home: Path, run_uid: str, *, limit: int = 500) -> list[dict[str, Any]]:
    """The JSON events logged with this `run_uid`, oldest first (at most `limit`, the last).

    A run with no key (none is ever empty since migration 0003) has no lines."""
    if not run_uid:
        return []
    log_dir = home / "logs"
    files = sorted(log_dir.glob("dropdeck.jsonl.*"), reverse=True)  # .5 is oldest
    files.append(log_dir / "dropdeck.jsonl")
    needle = json.dumps(run_uid)
    lines: list[dict[str, Any]] = []
    for path in files:
        if not path.exists():
            continue
        with path.open(encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if needle not in line:  # cheap test first: most lines are other runs'
                    continue
                try:
                    event = json.loads(line)
                except ValueError:
                    continue
                if event.get("run_uid") == run_uid:
                    lines.append(event)
    return lines[-limit:]


# Keys every log event carries; the rest are what the event is about.
LOG_CONTEXT_KEYS = frozenset(
    {"timestamp", "level", "logger", "event", "message", "notify"}
    | {"integration", "integration_id", "run_id", "run_uid"}
)


def log_event(event: dict[str, Any]) -> str:
    """`09:30:01 warning record.failed SKU-1: no price` from one JSON log line."""
    stamp = str(event.get("timestamp", ""))
    try:
        clock = datetime.fromisoformat(stamp).astimezone(UTC).strftime("%H:%M:%S")
    except ValueError:
        clock = stamp[:8]
    detail = event.get("message") or " ".join(
        f"{k}={v}" for k, v in event.items() if k not in LOG_CONTEXT_KEYS
    )
    level = str(event.get("level", "")).lower()
    return visible(f"{clock} {level:<7} {event.get('event', '')} {detail}".rstrip())
