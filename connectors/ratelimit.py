"""A per-connection async rate limiter: at most N requests per period, shared by all tasks.

A token bucket (capacity N, refilled N per period). When a server says "wait" (429 with
`Retry-After` / a reset header) `hold(seconds)` stops every request on the connection until
then, not just the one that was refused. Clock and sleep are injectable for tests.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

Sleep = Callable[[float], Awaitable[None]]


class RateLimiter:
    """`requests` per `period` seconds; `acquire()` waits for a slot."""

    def __init__(
        self,
        requests: int,
        period: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if requests <= 0 or period <= 0:
            raise ValueError("a rate limit needs requests > 0 and period > 0")
        self.requests = requests
        self.period = period
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(requests)
        self._updated = clock()
        self._held_until = 0.0
        self._lock = asyncio.Lock()

    def _refill(self, now: float) -> None:
        rate = self.requests / self.period
        self._tokens = min(float(self.requests), self._tokens + (now - self._updated) * rate)
        self._updated = now

    async def acquire(self) -> None:
        """Wait until a request may be sent, then take its slot."""
        # One waiter at a time keeps the order fair and the arithmetic simple.
        async with self._lock:
            while True:
                now = self._clock()
                if now < self._held_until:
                    await self._sleep(self._held_until - now)
                    continue
                self._refill(now)
                if self._tokens >= 1.0:
                    self._tokens -= 1.0
                    return
                await self._sleep((1.0 - self._tokens) * self.period / self.requests)

    def hold(self, seconds: float) -> None:
        """Send nothing on this connection for `seconds` (the server asked us to wait)."""
        self._held_until = max(self._held_until, self._clock() + seconds)
