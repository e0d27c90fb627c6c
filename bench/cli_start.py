"""How fast `dropdeck` commands start: the wall time of whole processes, from exec to exit,
against a seeded demo business in a temporary home (SQLite). The issue's budget is 0.5 s.

    .venv/bin/python bench/cli_start.py [--runs 9] [--home DIR]

Prints each command's median wall time, fastest and slowest run, and its median CPU time
(user + system: what a loaded machine inflates least), beside a bare `python -c pass` for the
interpreter's own floor on this machine. Needs nothing but the store (no network).
"""

from __future__ import annotations

import argparse
import os
import resource
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
    ("inventory", "--json", "--limit", "50"),
    ("notifications", "--limit", "20"),
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


def timed(argv: list[str], home: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one whole process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, env=_env(home), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if done.returncode:  # e.g. an older Dropdeck without the command: say so, go on
        raise RuntimeError(done.stderr.decode(errors="replace").strip()[-200:])
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


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
        print(
            f"{'command':<38} {'median':>7} {'fastest':>8} {'slowest':>8} {'cpu':>6}"
            f"  (s, {args.runs} runs)"
        )
        for label, argv in rows:
            try:
                runs = [timed(argv, home) for _ in range(args.runs)]
            except RuntimeError as exc:
                print(f"{label:<38} failed: {exc}")
                continue
            walls = [wall for wall, _ in runs]
            median = statistics.median(walls)
            cpu = statistics.median(c for _, c in runs)
            over = "  over budget" if median > BUDGET_SECONDS and argv[0] != sys.executable else ""
            print(f"{label:<38} {median:7.3f} {min(walls):8.3f} {max(walls):8.3f} {cpu:6.3f}{over}")
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        print(f"load average: {load} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
