"""Block-character sparklines and run strips as Rich text: plain characters, no animation,
so a snapshot of them is the same every time and they read without colour too.

`sparkline([0, 3, 9, 1])` -> `▁▄█▂`: each cell one bucket, scaled to the row's largest;
an empty bucket is a dim `▁`, any non-empty one at least `▂`, so "nothing" and "a little"
differ even in monochrome. `run_strip(("succeeded", "failed"))` -> `●✕`.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

BLOCKS = "▁▂▃▄▅▆▇█"

# A run's outcome: a mark that differs in shape as well as colour.
RUN_MARKS = {
    "succeeded": ("●", "green"),
    "partial": ("◐", "yellow"),
    "failed": ("✕", "bold red"),
    "cancelled": ("○", "dim"),
    "running": ("▸", "cyan"),
}
RUN_LEGEND = "● ok  ◐ partial  ✕ failed  ○ cancelled  ▸ running"


def merge(values: Sequence[int | None], cells: int, *, peak: bool = False) -> list[int | None]:
    """`values` folded into `cells` cells (2 hours a cell at 80 columns): summed, or the
    largest with `peak` (a lag); a cell with no value in it stays None."""
    size = max(1, -(-len(values) // cells))
    out: list[int | None] = []
    for start in range(0, len(values), size):
        part = [v for v in values[start : start + size] if v is not None]
        out.append(None if not part else max(part) if peak else sum(part))
    return out


def sparkline(values: Sequence[int | None], style: str) -> Text:
    """One cell per value; None and 0 are the empty baseline."""
    top = max((v for v in values if v), default=0)
    text = Text(no_wrap=True)
    for v in values:
        if not v or not top:
            text.append(BLOCKS[0], style="dim")
        else:
            text.append(BLOCKS[1 + round(v / top * (len(BLOCKS) - 2))], style=style)
    return text


def run_strip(statuses: Sequence[str], width: int) -> Text:
    """The newest `width` runs, oldest left, newest right, padded on the left."""
    shown = list(statuses)[-width:] if width > 0 else []
    text = Text(" " * (width - len(shown)), no_wrap=True)
    for status in shown:
        mark, style = RUN_MARKS.get(status, ("?", "dim"))
        text.append(mark, style=style)
    return text
