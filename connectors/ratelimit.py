"""Per-connection async rate limiting, shared by all tasks of a connection.

`RateLimiter`: a token bucket (capacity N, refilled N per period) for APIs that state a
rate but send no headers. When a server says "wait" (429 with `Retry-After` / a reset
header) `hold(seconds)` stops every request on the connection until then, not just the one
that was refused. `HeaderPacer`: for APIs that send `X-Rate-Limit-Remaining`/`-Reset` on
every answer, spends exactly what the server says is left and waits for its reset. Clock
and sleep are injectable for tests.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping

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


REMAINING_HEADERS = ("x-rate-limit-remaining", "x-ratelimit-remaining", "ratelimit-remaining")
LIMIT_HEADERS = ("x-rate-limit-limit", "x-ratelimit-limit", "ratelimit-limit")
RESET_HEADERS = ("x-rate-limit-reset", "x-ratelimit-reset", "ratelimit-reset")
# A reset value above this is an epoch timestamp, not "seconds from now".
EPOCH_THRESHOLD = 1_000_000_000


def header_number(headers: Mapping[str, str], names: tuple[str, ...]) -> float | None:
    """The first of `names` present in `headers` as a number (None when absent or garbled)."""
    for name in names:
        raw = headers.get(name)
        if raw is None:
            continue
        try:
            return float(raw.strip())
        except ValueError:
            continue
    return None


def reset_seconds(headers: Mapping[str, str], *, wall: float | None = None) -> float | None:
    """Seconds until the server's rate window resets, from a reset header (seconds or epoch)."""
    number = header_number(headers, RESET_HEADERS)
    if number is None:
        return None
    if number > EPOCH_THRESHOLD:
        return max(0.0, number - (time.time() if wall is None else wall))
    return max(0.0, number)


class HeaderPacer:
    """Paces a connection from the server's own rate-limit headers.

    APIs such as ShipStation v1 (40 a minute per key pair) say on every answer how many
    requests are left in the current window (`X-Rate-Limit-Remaining`) and when it resets
    (`X-Rate-Limit-Reset`). The pacer spends what is left as fast as the caller asks, then
    waits for the reset instead of sending a request that would be refused: a long run
    uses the whole allowance and sees no 429 (a budget another client already spent can
    still cost one; the retry loop then waits the reset). Responses without these headers
    change nothing, so every connection can carry a pacer.

    Requests still in flight when an answer arrives are counted against the remaining
    budget, so concurrent pages (a prefetching paginator) never overshoot. A reset further
    away than `max_wait` is not waited for: the request goes, and the retry loop decides on
    the server's 429 (a run never sleeps an hour inside the pacer).
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        max_wait: float = 300.0,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._max_wait = max_wait
        self._budget: int | None = None  # None: unknown (no header seen in this window)
        self._limit: int | None = None
        self._window_ends: float | None = None
        self._in_flight = 0
        self._lock = asyncio.Lock()
        self.waited = 0.0  # seconds spent waiting for a reset (for benches and summaries)

    @property
    def budget(self) -> int | None:
        """Requests the pacer still lets through before the reset (None: not known)."""
        return self._budget

    async def acquire(self) -> None:
        """Wait until the server's window has room for one more request, then take it."""
        async with self._lock:
            while True:
                now = self._clock()
                if self._window_ends is not None and now >= self._window_ends:
                    self._window_ends = None
                    self._budget = self._limit  # a fresh window (unknown without a limit)
                wait = 0.0 if self._window_ends is None else self._window_ends - now
                if self._budget is None or self._budget > 0 or not 0 < wait <= self._max_wait:
                    # Known room, nothing known, or a reset too far off: send, and let the
                    # answer say.
                    if self._budget:
                        self._budget -= 1
                    self._in_flight += 1
                    return
                self.waited += wait
                await self._sleep(wait)

    def observe(self, headers: Mapping[str, str]) -> None:
        """Take in the rate-limit headers of the answer to an acquired request."""
        self._in_flight = max(0, self._in_flight - 1)
        remaining = header_number(headers, REMAINING_HEADERS)
        if remaining is None:
            return
        limit = header_number(headers, LIMIT_HEADERS)
        if limit is not None and limit > 0:
            self._limit = int(limit)
        self._budget = max(0, int(remaining) - self._in_flight)
        reset = reset_seconds(headers)
        self._window_ends = None if reset is None else self._clock() + reset

    def release(self) -> None:
        """An acquired request got no answer (connection error): it no longer counts."""
        self._in_flight = max(0, self._in_flight - 1)
