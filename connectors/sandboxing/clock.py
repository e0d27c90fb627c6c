"""A settable clock shared by one sandbox's state, rate limiter and date filters.

Tests freeze it so "modified since" filters and rate windows are deterministic; the demo
leaves it running on wall time (optionally shifted).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta


class Clock:
    """Wall time by default; frozen at a set instant once `set()` is called."""

    def __init__(self, frozen_at: datetime | None = None) -> None:
        self._lock = threading.Lock()
        self._frozen: datetime | None = None
        self._offset = timedelta(0)
        if frozen_at is not None:
            self.set(frozen_at)

    def now(self) -> datetime:
        """The current sandbox time, timezone-aware UTC."""
        with self._lock:
            if self._frozen is not None:
                return self._frozen
            return datetime.now(UTC) + self._offset

    def timestamp(self) -> float:
        """Seconds since the epoch in sandbox time (what rate windows count in)."""
        return self.now().timestamp()

    @property
    def frozen(self) -> bool:
        """True while the clock stands still at a set instant."""
        return self._frozen is not None

    def set(self, when: datetime) -> None:
        """Freeze the clock at `when` (naive values are taken as UTC)."""
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        with self._lock:
            self._frozen = when.astimezone(UTC)

    def advance(self, seconds: float) -> None:
        """Move the clock forward (frozen or not) by `seconds`."""
        with self._lock:
            if self._frozen is not None:
                self._frozen += timedelta(seconds=seconds)
            else:
                self._offset += timedelta(seconds=seconds)

    def unfreeze(self) -> None:
        """Run on wall time again, keeping any offset added with `advance()`."""
        with self._lock:
            self._frozen = None

    def to_dict(self) -> dict[str, object]:
        """The clock as the control surface reports it."""
        return {"now": self.now().isoformat(), "frozen": self.frozen}
