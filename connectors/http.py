"""The HTTP layer every connector shares: one configured client per connection.

`build_client()` makes a `ConnectorClient` wrapping ONE `httpx.AsyncClient` with explicit
timeouts, an `httpx.Auth` from `connectors.auth`, and a per-connection `RateLimiter`.
`ConnectorClient.request()` is the retry loop:

- 5xx (500/502/503/504), 429, timeouts and connection errors are retried with exponential
  backoff and jitter. A server's `Retry-After` (seconds or HTTP date) or rate-limit reset
  header (`X-Rate-Limit-Reset`, `X-RateLimit-Reset`, `RateLimit-Reset`; seconds, or an epoch
  timestamp) replaces the computed delay and holds the whole connection that long.
- Every request goes through the connection's `HeaderPacer`: when the API says how many
  requests are left in its window (`X-Rate-Limit-Remaining` + reset), the client spends
  them and waits for the reset rather than collect a 429.
- Non-idempotent requests (POST, PATCH) are retried only when the server cannot have acted
  on them: connection refused/connect timeout, and 429. A resubmitted order must never
  become a second order at the supplier.
- 401/403 raise `AuthError`; other 4xx raise `FatalError`; after `attempts` tries the
  request raises `RetryBudgetExhausted` (or `RateLimitExhausted` if the last answer was 429).

Error messages name the method and the path only: never the query string (WooCommerce puts
keys there) and never a credential value (they are scrubbed). The sleep and the clock are
injectable, so tests of long backoffs run instantly.
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import time
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import structlog

from .auth import secret_values
from .errors import (
    AuthError,
    FatalError,
    RateLimitExhausted,
    RetriableError,
    RetryBudgetExhausted,
)
from .ratelimit import HeaderPacer, RateLimiter, Sleep, reset_seconds

log = structlog.get_logger("connectors.http")

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try. `attempts` counts the first try; delays are in seconds."""

    attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    # The most we will wait because a server asked; longer requests count as exhausted.
    max_server_delay: float = 300.0
    # Used for a 429 that names no delay (ShipStation V1 clients fall back to 60 s).
    default_429_delay: float | None = None

    def backoff(self, retry_number: int, rng: random.Random) -> float:
        """Delay before retry `retry_number` (1-based): exponential with equal jitter."""
        ceiling = min(self.max_delay, self.base_delay * (2.0 ** (retry_number - 1)))
        return ceiling / 2 + rng.uniform(0, ceiling / 2)


@dataclass(frozen=True)
class HttpSettings:
    """Per-connection HTTP configuration; connectors pick values from their API's docs."""

    timeout: httpx.Timeout = field(
        default_factory=lambda: httpx.Timeout(connect=5.0, read=30.0, write=30.0, pool=10.0)
    )
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    # Requests per period for this connection; None means no client-side limit.
    rate_limit: tuple[int, float] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    user_agent: str = "dropdeck/0.1"
    # What an operator should look at when the API answers with a body that is not JSON.
    not_json_hint: str = ""


def safe_url(url: httpx.URL | str) -> str:
    """The URL without query string or user info: safe for messages and logs."""
    u = httpx.URL(str(url))
    return str(u.copy_with(query=None, fragment=None, userinfo=b""))


def parse_retry_after(headers: httpx.Headers, *, now: float | None = None) -> float | None:
    """Seconds the server asks us to wait, from Retry-After or a rate-limit reset header."""
    wall = time.time() if now is None else now
    raw = headers.get("retry-after")
    if raw:
        raw = raw.strip()
        try:
            return max(0.0, float(raw))
        except ValueError:
            parsed = email.utils.parsedate_to_datetime(raw) if raw else None
            if parsed is not None:
                return max(0.0, parsed.timestamp() - wall)
    return reset_seconds(headers, wall=wall)


def _scrub(text: str, secrets: Iterable[str]) -> str:
    for value in secrets:
        if value and len(value) >= 4:
            text = text.replace(value, "***")
    return text


class ConnectorClient:
    """One connection's HTTP client: auth, timeouts, rate limit and the retry loop."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        name: str,
        retry: RetryPolicy,
        limiter: RateLimiter | None,
        secrets: Iterable[str] = (),
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
        pacer: HeaderPacer | None = None,
        not_json_hint: str = "",
    ) -> None:
        self.httpx = client
        self.name = name
        self.retry = retry
        self.limiter = limiter
        self.pacer = pacer or HeaderPacer(sleep=sleep)
        self._secrets = tuple(s for s in secrets if s)
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._not_json_hint = f". {not_json_hint}" if not_json_hint else ""

    def scrub_also(self, *values: str) -> None:
        """Keep these values (e.g. a token-bearing feed URL path) out of error messages too."""
        self._secrets = (*self._secrets, *(v for v in values if v and v not in self._secrets))

    @asynccontextmanager
    async def stream(self, method: str, url: str, **kwargs: Any) -> AsyncIterator[httpx.Response]:
        """`request()` whose body the caller reads as it arrives (`aiter_text`, ...); a large
        download then takes constant memory. Retries happen before any body is read."""
        response = await self.request(method, url, stream=True, **kwargs)
        try:
            yield response
        finally:
            await response.aclose()

    async def request(
        self,
        method: str,
        url: str,
        *,
        idempotent: bool | None = None,
        stream: bool = False,
        **kwargs: Any,
    ) -> httpx.Response:
        """Send with retries; returns a 2xx/3xx response or raises a `ConnectorError`."""
        method = method.upper()
        auth = kwargs.pop("auth", httpx.USE_CLIENT_DEFAULT)
        safe = idempotent if idempotent is not None else method in IDEMPOTENT_METHODS
        last: RetriableError | None = None
        for attempt in range(1, self.retry.attempts + 1):
            if self.limiter is not None:
                await self.limiter.acquire()
            await self.pacer.acquire()
            try:
                try:
                    built = self.httpx.build_request(method, url, **kwargs)
                    response = await self.httpx.send(built, auth=auth, stream=stream)
                    if stream and response.status_code >= 400:
                        await response.aread()  # error bodies are small: quoted in the message
                except BaseException:
                    self.pacer.release()
                    raise
                self.pacer.observe(response.headers)
                self._raise_for_status(method, response)
                return response
            except RetriableError as exc:
                last = exc
                if not safe and exc.status not in (429, None):
                    raise FatalError(
                        f"{exc.message}; not retried because {method} may already have "
                        "taken effect. Check the remote system before running it again",
                        status=exc.status,
                    ) from None
            except httpx.TransportError as exc:
                may_have_acted = not isinstance(
                    exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
                )
                where = self._where(method, exc.request.url if _has_request(exc) else url)
                last = RetriableError(f"{where}: {type(exc).__name__} ({self._reason(exc)})")
                if not safe and may_have_acted:
                    raise FatalError(
                        f"{last.message}; not retried because {method} may already have "
                        "taken effect. Check the remote system before running it again"
                    ) from None
            if attempt == self.retry.attempts:
                break
            delay = self._delay(attempt, last)
            if delay is None:
                break
            log.info(
                "http.retry",
                connection=self.name,
                attempt=attempt,
                delay=round(delay, 3),
                status=last.status,
                error=last.message,
            )
            await self._sleep(delay)
        assert last is not None
        cls = RateLimitExhausted if last.status == 429 else RetryBudgetExhausted
        # The tries made: fewer than allowed when the server asked for too long a wait.
        tries = f"{attempt} attempt{'s' if attempt != 1 else ''}"
        raise cls(
            f"{last.message}; gave up after {tries}. "
            f"Check that {self.name} is reachable and healthy, then unpause the integration",
            status=last.status,
            attempts=attempt,
        ) from None

    async def get_json(self, url: str, *, malformed_retries: int = 0, **kwargs: Any) -> Any:
        """GET and decode JSON; a body that is not JSON is a `FatalError`.

        `malformed_retries` re-sends the GET that many times when the body does not decode
        (a truncated page is usually transient; GET is safe to repeat).
        """
        body, _ = await self.request_json("GET", url, malformed_retries=malformed_retries, **kwargs)
        return body

    async def request_json(
        self,
        method: str,
        url: str,
        *,
        malformed_retries: int = 0,
        idempotent: bool | None = None,
        **kwargs: Any,
    ) -> tuple[Any, httpx.Response]:
        """`request()` and decode its JSON body: (body, response).

        A body that does not decode is sent again up to `malformed_retries` times when the
        request is safe to repeat (GET, PUT, DELETE, or `idempotent=True`); otherwise, or
        when every try was unreadable, it is a `FatalError` naming the status and size.
        """
        method = method.upper()
        safe = idempotent if idempotent is not None else method in IDEMPOTENT_METHODS
        tries = malformed_retries + 1 if safe else 1
        for attempt in range(1, tries + 1):
            response = await self.request(method, url, idempotent=idempotent, **kwargs)
            try:
                return response.json(), response
            except ValueError:
                where = self._where(method, response.request.url)
                if attempt < tries:
                    log.info("http.retry", connection=self.name, error=f"{where}: not JSON")
                    await self._sleep(self.retry.backoff(attempt, self._rng))
                    continue
                after = f" after {tries} tries" if tries > 1 else ""
                raise FatalError(
                    f"{where}: the response is not JSON "
                    f"(HTTP {response.status_code}, {len(response.content)} bytes){after}"
                    f"{self._not_json_hint}"
                ) from None
        raise AssertionError("unreachable")

    async def aclose(self) -> None:
        """Close the underlying httpx client."""
        await self.httpx.aclose()

    def _delay(self, attempt: int, error: RetriableError) -> float | None:
        delay = error.retry_after
        if delay is None and error.status == 429:
            delay = self.retry.default_429_delay
        if delay is None:
            return self.retry.backoff(attempt, self._rng)
        if delay > self.retry.max_server_delay:
            return None  # the server wants us gone for longer than a run should wait
        if self.limiter is not None:
            self.limiter.hold(delay)
        return delay

    def _raise_for_status(self, method: str, response: httpx.Response) -> None:
        status = response.status_code
        if status < 400:
            return
        where = self._where(method, response.request.url)
        detail = self._body_hint(response)
        if status in (401, 403):
            raise AuthError(
                f"{where}: HTTP {status}{detail}. {self.name} rejected the credentials; "
                "update the connection's credentials, then unpause the integration",
                status=status,
            )
        if status in RETRY_STATUSES:
            raise RetriableError(
                f"{where}: HTTP {status}{detail}",
                status=status,
                retry_after=parse_retry_after(response.headers),
            )
        error = FatalError(f"{where}: HTTP {status}{detail}", status=status)
        # The remote's own words (scrubbed), so a connector can show the supplier's message.
        error.body = _scrub(response.text, self._secrets)[:4000]
        raise error

    def _where(self, method: str, url: httpx.URL | str) -> str:
        return _scrub(f"{self.name} {method} {safe_url(url)}", self._secrets)

    def _reason(self, exc: Exception) -> str:
        return _scrub(str(exc) or "no detail", self._secrets)[:200]

    def _body_hint(self, response: httpx.Response) -> str:
        text = response.text.strip().replace("\n", " ")
        if not text:
            return ""
        return f" ({_scrub(text, self._secrets)[:200]})"


def _has_request(exc: httpx.TransportError) -> bool:
    try:
        exc.request  # noqa: B018 - httpx raises RuntimeError when no request is attached
    except RuntimeError:
        return False
    return True


def build_client(
    base_url: str,
    *,
    name: str,
    auth: httpx.Auth | None = None,
    settings: HttpSettings | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    sleep: Sleep = asyncio.sleep,
    clock: Callable[[], float] = time.monotonic,
    rng: random.Random | None = None,
) -> ConnectorClient:
    """Build the ONE client of a connection (`name` is how messages refer to the system)."""
    s = settings or HttpSettings()
    client = httpx.AsyncClient(
        base_url=base_url,
        auth=auth,
        timeout=s.timeout,
        headers={"User-Agent": s.user_agent, **s.headers},
        transport=transport,
        follow_redirects=False,
    )
    limiter = None
    if s.rate_limit is not None:
        limiter = RateLimiter(s.rate_limit[0], s.rate_limit[1], clock=clock, sleep=sleep)
    return ConnectorClient(
        client,
        name=name,
        retry=s.retry,
        limiter=limiter,
        secrets=secret_values(auth),
        sleep=sleep,
        rng=rng,
        pacer=HeaderPacer(clock=clock, sleep=sleep),
        not_json_hint=s.not_json_hint,
    )
