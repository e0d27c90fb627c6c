"""Fixed-window rate limiting (key -> count per window), driven by a sandbox `Clock`."""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

from connectors.sandboxing.clock import Clock


@dataclass(frozen=True, slots=True)
class WindowStatus:
    """The outcome of one counted request."""

    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int  # whole seconds until the window rolls over (at least 1)


class FixedWindowLimiter:
    """`limit` requests per `window_seconds` per key; windows align to multiples of the size."""

    def __init__(self, limit: int, window_seconds: float, clock: Clock) -> None:
        self.limit = limit
        self.window_seconds = window_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[int, int]] = {}  # key -> (window index, count)

    def hit(self, key: str) -> WindowStatus:
        """Count one request for `key` and say whether it is within the limit."""
        now = self._clock.timestamp()
        window = math.floor(now / self.window_seconds)
        with self._lock:
            seen_window, count = self._counts.get(key, (window, 0))
            if seen_window != window:
                count = 0
            count += 1
            self._counts[key] = (window, count)
        reset = max(1, math.ceil((window + 1) * self.window_seconds - now))
        return WindowStatus(
            allowed=count <= self.limit,
            limit=self.limit,
            remaining=max(0, self.limit - count),
            reset_seconds=reset,
        )

    def reset(self) -> None:
        """Forget every key's count."""
        with self._lock:
            self._counts.clear()
