"""How fast `q` quits: `dropdeck demo` in a pseudo-terminal at 80x24, `q` once the demo
business is ready, then the time until the console leaves the screen and until the process
has exited (the demo also stops its sandbox servers after the console closes).

    .venv/bin/python bench/console_quit.py [--runs 3] [--home DIR]

Prints one line per run and the medians. Needs nothing but the demo (no network).
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

READY = b"demo business ready"
LEAVE_SCREEN = b"\x1b[?1049l"  # the terminal's main screen again: the console is gone


def _read_until(fd: int, needle: bytes, timeout: float, seen: bytearray) -> float | None:
    """Read the pty until `needle` shows; the time it took, or None on timeout/EOF."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            return None
        if not chunk:
            return None
        seen.extend(chunk)
        if needle in seen:
            return time.monotonic() - start
        del seen[: max(0, len(seen) - 4096)]  # keep a tail long enough to match across reads
    return None


def one_run(home: Path) -> tuple[float, float]:
    """(seconds until the screen is left, seconds until the process exits) after `q`."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "DROPDECK_HOME": str(home)}
    env.pop("COLORTERM", None)
    dropdeck = Path(sys.executable).with_name("dropdeck")
    child = subprocess.Popen(
        [str(dropdeck), "demo"], stdin=slave, stdout=slave, stderr=slave, env=env
    )
    os.close(slave)
    seen = bytearray()
    try:
        if _read_until(master, READY, 180.0, seen) is None:
            raise SystemExit("the demo did not get ready within 180 s")
        time.sleep(1.0)  # let the first paint after "ready" settle
        seen.clear()
        pressed = time.monotonic()
        os.write(master, b"q")
        left = _read_until(master, LEAVE_SCREEN, 30.0, seen)
        child.wait(timeout=60)
        exited = time.monotonic() - pressed
    finally:
        if child.poll() is None:
            child.kill()
        os.close(master)
    return (left if left is not None else float("nan")), exited


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--home", type=Path, default=None)
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="dropdeck-quit-"))
    lefts, exits = [], []
    for n in range(1, args.runs + 1):
        left, exited = one_run(home)
        lefts.append(left)
        exits.append(exited)
        print(f"run {n}: screen left {left:.3f} s, process exited {exited:.3f} s", flush=True)
    print(
        f"median of {args.runs}: screen left {statistics.median(lefts):.3f} s, "
        f"process exited {statistics.median(exits):.3f} s"
    )


if __name__ == "__main__":
    main()
