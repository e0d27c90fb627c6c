"""Process-wide settings every Dropdeck process that runs jobs applies once at start."""

from __future__ import annotations

import gc

# CPython collects its youngest generation every 700 net allocations. A 5,000-item import
# page allocates hundreds of thousands of short-lived, cycle-free dicts and strings, so
# the default makes the collector walk them over and over (about a third of get_inventory's
# CPU at 100k items, measured with bench/import_wps.py). A larger first threshold keeps
# collection for what it is for (cycles), for some tens of MB more peak memory there.
GEN0_THRESHOLD = 100_000


def tune_for_jobs() -> None:
    """Apply once per process, before running jobs (worker, console, benches)."""
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(max(GEN0_THRESHOLD, gc.get_threshold()[0]), gen1, gen2)
