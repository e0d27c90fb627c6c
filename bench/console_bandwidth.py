"""What the console sends to the terminal while the feed is busy: `dropdeck --readonly` (the
console without a worker) on a seeded demo home in a pseudo-terminal at 120x40
(TERM=xterm-256color, no COLORTERM, as over plain SSH), while this process logs 20 warnings a
second through the runtime's logging (the notification sink batches them into the table
the Recent Notifications feed tails). Counts the bytes the console writes to the pty.

    .venv/bin/python bench/console_bandwidth.py [--seconds 20] [--rate 20] [--size 120x40]

Each view is measured after a warm-up that takes the feed past its 200-line backlog (the
steady state of a console left open). Prints bytes, KiB/s and writes per second per view,
idle and busy. Budget: 20 KiB/s at 20 lines a second.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from pathlib import Path

BUDGET_KIB = 20.0
READY = b"Recent notifications"
VIEWS = {"attention": b"0", "dashboard": b"7"}


class Terminal:
    """The console's pty: a thread reads (and counts) everything the console writes."""

    def __init__(self, home: Path, columns: int, rows: int) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "DROPDECK_HOME": str(home)}
        env.pop("COLORTERM", None)
        env.pop("DROPDECK_DATABASE_URL", None)
        dropdeck = Path(sys.executable).with_name("dropdeck")
        self.child = subprocess.Popen(
            [str(dropdeck), "--readonly"], stdin=slave, stdout=slave, stderr=slave, env=env
        )
        os.close(slave)
        self.master = master
        self.bytes = 0
        self.writes = 0
        self.seen = bytearray()
        self._stop = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            if not chunk:
                return
            self.bytes += len(chunk)
            self.writes += 1
            self.seen.extend(chunk)
            del self.seen[: max(0, len(self.seen) - 1_000_000)]  # the last MB is enough

    def wait_for(self, needle: bytes, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while needle not in self.seen:
            if time.monotonic() > deadline or self.child.poll() is not None:
                raise SystemExit(f"the console did not show {needle!r} within {timeout} s")
            time.sleep(0.05)

    def measure(self, seconds: float) -> tuple[int, int]:
        """(bytes, writes) the console sent during the next `seconds`."""
        bytes0, writes0 = self.bytes, self.writes
        time.sleep(seconds)
        return self.bytes - bytes0, self.writes - writes0

    def press(self, key: bytes) -> None:
        os.write(self.master, key)

    def close(self) -> None:
        self.press(b"q")
        try:
            self.child.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.child.kill()
        self._stop.set()
        self._reader.join(2)
        os.close(self.master)


class Feed:
    """Logs `rate` warnings a second through the runtime's logging, as a worker would."""

    def __init__(self, rate: float) -> None:
        import structlog

        self.log = structlog.get_logger("dropdeck.bench")
        self.rate = rate
        self.on = threading.Event()
        self.sent = 0
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        next_at = time.monotonic()
        while True:
            next_at += 1 / self.rate
            time.sleep(max(0.0, next_at - time.monotonic()))
            if not self.on.is_set():
                next_at = time.monotonic()
                continue
            n = self.sent
            self.log.warning(
                "bench.line",
                integration="wps-demo/send_orders",
                message=f"PO BW-{n:06d}-WPS refused by the supplier: item {n % 977:05d} is "
                f"backordered until 04-{n % 28 + 1:02d}, resubmit or route to another source",
            )
            self.sent += 1


def seed(home: Path) -> None:
    from console.runtime.demo_data import seed_demo_business
    from store.db import open_database
    from store.settings import StoreSettings

    db = open_database(StoreSettings(home=home, database_url=f"sqlite:///{home / 'dropdeck.db'}"))
    seed_demo_business(db)
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="each measurement's length")
    parser.add_argument("--rate", type=float, default=20.0, help="log lines a second")
    parser.add_argument("--warmup", type=float, default=12.0, help="busy seconds before each")
    parser.add_argument("--size", default="120x40", help="terminal COLUMNSxROWS")
    parser.add_argument("--views", default="attention,dashboard", help="panes to measure")
    args = parser.parse_args()
    columns, rows = (int(n) for n in args.size.split("x"))

    from console.runtime.logging import configure_logging, shutdown_logging
    from store.db import open_database
    from store.settings import StoreSettings

    home = Path(tempfile.mkdtemp(prefix="dropdeck-bandwidth-"))
    seed(home)
    db = open_database(StoreSettings(home=home, database_url=f"sqlite:///{home / 'dropdeck.db'}"))
    configure_logging(home, db=db, stderr=False)
    feed = Feed(args.rate)
    term = Terminal(home, columns, rows)
    print(f"console at {columns}x{rows}, {args.rate:g} lines/s, {args.seconds:g} s per figure")
    results: list[tuple[str, float]] = []
    try:
        term.wait_for(READY, 60.0)
        time.sleep(2.0)  # the first paint and the first loads
        for view in args.views.split(","):
            term.press(VIEWS[view])
            time.sleep(2.0)
            feed.on.clear()
            quiet = min(10.0, args.seconds)
            idle, idle_writes = term.measure(quiet)
            feed.on.set()
            time.sleep(args.warmup)  # past the feed's backlog
            first = feed.sent
            busy, writes = term.measure(args.seconds)
            feed.on.clear()
            # Lines logged long before the measurement that it drew anyway: a feed that
            # repaints its backlog (e.g. from the top) instead of only what scrolled in.
            measured = bytes(term.seen[-busy:]) if busy else b""
            drawn = [int(n) for n in re.findall(rb"BW-(\d{6})-WPS", measured)]
            old = sum(n < first - 2 * args.rate for n in drawn)
            # The figure counts only if the feed showed the lines: the last one logged (a
            # poll brings ~10 and the feed shows the newest 2-3, so not every line is drawn).
            recent = f"BW-{feed.sent - 1:06d}-WPS".encode()
            time.sleep(1.0)
            if recent not in term.seen:
                raise SystemExit(f"the console never showed {recent.decode()}: no figure")
            rate = busy / 1024 / args.seconds
            results.append((view, rate))
            print(
                f"{view:<10} idle {idle / 1024 / quiet:6.2f} KiB/s "
                f"({idle_writes / quiet:.1f} writes/s); "
                f"at {args.rate:g} lines/s {rate:6.2f} KiB/s ({busy:,} bytes, "
                f"{writes / args.seconds:.1f} writes/s; {old} old lines redrawn)"
            )
    finally:
        term.close()
        shutdown_logging()
        db.dispose()
    print(f"lines logged: {feed.sent:,}")
    worst = max(rate for _, rate in results)
    verdict = "within" if worst <= BUDGET_KIB else "OVER"
    print(f"worst {worst:.2f} KiB/s: {verdict} the budget of {BUDGET_KIB:g} KiB/s")


if __name__ == "__main__":
    main()
