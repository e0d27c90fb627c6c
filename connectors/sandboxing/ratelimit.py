"""Fixed-window rate limiting (key -> count per window), driven by a sandbox `Clock`."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from connectors.sandboxing.clock import Clock
from connectors.sandboxing.faults import CONTROL_PREFIX


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


KeyFn = Callable[[Scope], str | None]


class RateLimitMiddleware:
    """Counts API requests per key with a `FixedWindowLimiter`.

    `key` returns None for requests it cannot attribute (no credentials): those pass
    through so the app's own 401 answers them. `limited` builds the system's 429;
    `headers`, when given, adds the system's rate headers to every counted response.
    """

    def __init__(
        self,
        app: ASGIApp,
        limiter: FixedWindowLimiter,
        key: KeyFn,
        limited: Callable[[WindowStatus], Response],
        headers: Callable[[WindowStatus], dict[str, str]] | None = None,
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.key = key
        self.limited = limited
        self.headers = headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        key = self.key(scope)
        if key is None:
            await self.app(scope, receive, send)
            return
        status = self.limiter.hit(key)
        if not status.allowed:
            await self.limited(status)(scope, receive, send)
            return
        if self.headers is None:
            await self.app(scope, receive, send)
            return
        extra = [(k.lower().encode(), v.encode()) for k, v in self.headers(status).items()]

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, with_headers)
