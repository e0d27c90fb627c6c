"""A run's log lines for its detail screen, read from the JSON-lines log files.

Lines come from every rotated file of this host, oldest first. Runs executed by a worker on
another machine log there; their notifications (in the database) are still shown.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def run_log_lines(home: Path, run_id: int, *, limit: int = 500) -> list[dict[str, Any]]:
    """The JSON events logged with this `run_id`, oldest first (at most `limit`, the last)."""
    log_dir = home / "logs"
    files = sorted(log_dir.glob("dropdeck.jsonl.*"), reverse=True)  # .5 is oldest
    files.append(log_dir / "dropdeck.jsonl")
    needle = f'"run_id": {run_id}'
    lines: list[dict[str, Any]] = []
    for path in files:
        if not path.exists():
            continue
        with path.open(encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if needle not in line:
                    continue
                try:
                    event = json.loads(line)
                except ValueError:
                    continue
                if event.get("run_id") == run_id:
                    lines.append(event)
    return lines[-limit:]
