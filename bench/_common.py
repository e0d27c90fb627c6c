"""What the connector benches share: a sandbox served from a child process, and peak RSS.

The sandbox runs in its own process so its catalogue counts neither towards the bench's
RSS nor its GIL. The child prints one JSON line (base URL and credentials) and serves until
the parent closes its stdin.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def serve_until_stdin_closes(
    app: Any, credentials: dict[str, str], configure: Callable[[str], None] | None = None
) -> None:
    """Child process: serve `app`, `configure(base_url)` it, print its JSON line, wait."""
    from connectors.sandboxing.serve import serve

    server = serve(app)
    if configure is not None:
        configure(server.base_url)
    print(json.dumps({"base_url": server.base_url, **credentials}), flush=True)
    sys.stdin.read()  # until the parent closes our stdin
    server.stop()


@contextmanager
def sandbox_child(
    args: list[str], *, wait_seconds: float, cwd: Path | None = None
) -> Iterator[dict[str, str]]:
    """Start `python ARGS` (a bench in its serve mode); yield its JSON line; stop it after."""
    child = subprocess.Popen(
        [sys.executable, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=cwd,
    )
    try:
        assert child.stdout is not None
        yield json.loads(child.stdout.readline())
    finally:
        if child.stdin is not None:
            child.stdin.close()
        child.wait(timeout=wait_seconds)


def peak_rss_mb() -> float:
    """This process's peak resident set so far, in MB (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
