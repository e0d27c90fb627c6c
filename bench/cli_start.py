"""How fast `dropdeck` commands start: the wall time of whole processes, from exec to exit,
against a seeded demo business in a temporary home (SQLite). The issue's budget is 0.5 s.

    .venv/bin/python bench/cli_start.py [--runs 9] [--home DIR]

Prints each command's median, fastest and slowest run, and a bare `python -c pass` for the
interpreter's own floor on this machine. Needs nothing but the store (no network).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMMANDS: tuple[tuple[str, ...], ...] = (
    ("--help",),
    ("about",),
    ("orders", "--json"),
    ("listings", "--json", "--limit", "50"),
    ("runs", "--limit", "20"),
    ("integrations",),
    ("shipments", "--json"),
    ("run", "--help"),
)
BUDGET_SECONDS = 0.5


def seed(home: Path) -> None:
    """A demo business in `home`, written by a child process (its imports are not timed)."""
    code = (
        "from store.db import open_database\n"
        "from store.settings import load_settings\n"
        "from console.runtime.demo_data import seed_demo_business\n"
        "seed_demo_business(open_database(load_settings()))\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env=_env(home))


def _env(home: Path) -> dict[str, str]:
    env = {**os.environ, "DROPDECK_HOME": str(home)}
    env.pop("DROPDECK_DATABASE_URL", None)
    return env


def timed(argv: list[str], home: Path) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, env=_env(home), stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--home", type=Path, help="a home to use (default: a temporary one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dropdeck-cli-start-") as tmp:
        home = args.home or Path(tmp)
        if not (home / "dropdeck.db").exists():
            seed(home)
        dropdeck = str(Path(sys.executable).with_name("dropdeck"))
        rows = [("python -c pass", [sys.executable, "-c", "pass"])]
        rows += [("dropdeck " + " ".join(c), [dropdeck, *c]) for c in COMMANDS]
        timed(rows[1][1], home)  # warm the file cache once
        print(f"{'command':<40} {'median':>7} {'fastest':>8} {'slowest':>8}  (s, {args.runs} runs)")
        for label, argv in rows:
            times = [timed(argv, home) for _ in range(args.runs)]
            median = statistics.median(times)
            over = "  over budget" if median > BUDGET_SECONDS and argv[0] != sys.executable else ""
            print(f"{label:<40} {median:7.3f} {min(times):8.3f} {max(times):8.3f}{over}")
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        print(f"load average: {load} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
