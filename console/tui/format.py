"""How values look in tables: times in UTC, money, counts, progress bars, log events.

Every string from a store, a supplier or an operator goes through `visible` (or `plain`)
before it reaches the screen: control characters are shown, never acted on, and as a Text
it is never read as markup (`[bold red]x[/]` stays literal).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from rich.text import Text

from store.safe_text import visible

from ..runtime.runlog import log_event

__all__ = ["log_event", "visible"]

LEVEL_STYLES = {
    "debug": "dim",
    "info": "",
    "warning": "yellow",
    "error": "bold red",
    "critical": "bold white on red",
}

STATUS_STYLES = {
    "failed": "red",
    "broken_link": "red",
    "on_hold": "yellow",
    "part shipped": "yellow",
    "on hold": "yellow",
    "partial": "yellow",
    "running": "cyan",
    "queued": "cyan",
    "succeeded": "green",
    "linked": "green",
    "shipped": "green",
    "completed": "green",
}


def when(value: datetime | None) -> str:
    """`05-14 09:30` in UTC: the same on every operator's terminal."""
    return value.astimezone(UTC).strftime("%m-%d %H:%M") if value else "—"


def when_long(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if value else "—"


def money(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


def count(value: int | None) -> str:
    return "…" if value is None else f"{value:,}"


def plural(n: int, noun: str, plural_form: str | None = None) -> str:
    """`1 order`, `2 orders`, `1,000 orders`."""
    return f"{n:,} {noun if n == 1 else plural_form or noun + 's'}"


def duration(seconds: float) -> str:
    """`45s`, `3m05s`, `2h04m`: an ETA or a lag that fits a column."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


def plain(value: object) -> Text:
    """Outside text as a Text: control characters made visible, no markup."""
    return Text(visible(value))


def status(value: str) -> Text:
    return Text(visible(value.replace("_", " ")), style=STATUS_STYLES.get(value, ""))


def progress(done: int, total: int | None, width: int = 10) -> str:
    """`█████░░░░░ 50%` for a running job; `123 done` when the total is unknown."""
    if not total:
        return f"{done:,} done"
    share = max(0.0, min(1.0, done / total))
    filled = round(share * width)
    return "█" * filled + "░" * (width - filled) + f" {share:4.0%}"
