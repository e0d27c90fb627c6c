"""The shared HTTP layer against a real local server: retries, backoff, headers, auth."""

from __future__ import annotations

import asyncio
import random
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from connectors.auth import BearerAuth, QueryParamsAuth
from connectors.errors import (
    AuthError,
    FatalError,
    RateLimitExhausted,
    RetryBudgetExhausted,
)
from connectors.http import HttpSettings, RetryPolicy, build_client, parse_retry_after, safe_url
from connectors.paging import Page, PaginationLoop, next_page_number, paginate
from connectors.ratelimit import RateLimiter
from connectors.sandboxing.serve import RunningServer, serve

SECRET = "cs_SUPERSECRET_4242"


@dataclass
class Script:
    """Responses the server gives, in order; the last one repeats."""

    responses: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    seen: list[Request] = field(default_factory=list)


@pytest.fixture
def script() -> Script:
    return Script()


@pytest.fixture
def server(script: Script) -> Iterator[RunningServer]:
    async def endpoint(request: Request) -> Response:
        script.seen.append(request)
        index = min(len(script.seen), len(script.responses)) - 1
        status, headers = script.responses[index]
        if status == 200:
            return JSONResponse({"ok": True, "attempt": len(script.seen)}, headers=headers)
        return JSONResponse({"message": f"status {status}"}, status_code=status, headers=headers)

    app = Starlette(routes=[Route("/{path:path}", endpoint, methods=["GET", "POST"])])
    running = serve(app)
    yield running
    running.stop()


class FakeTime:
    """A clock that only moves when something sleeps on it."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 3))
        self.now += seconds
        await asyncio.sleep(0)


def client(base_url: str, t: FakeTime, **kw: object) -> object:
    settings = HttpSettings(retry=RetryPolicy(**kw)) if kw else HttpSettings()  # type: ignore[arg-type]
    return build_client(
        base_url,
        name="Acme",
        auth=QueryParamsAuth({"consumer_secret": SECRET}),
        settings=settings,
        sleep=t.sleep,
        clock=t.clock,
        rng=random.Random(7),
    )


async def test_503_with_retry_after_is_retried_after_the_asked_delay(
    server: RunningServer, script: Script
) -> None:
    script.responses = [(503, {"Retry-After": "3"}), (503, {"Retry-After": "3"}), (200, {})]
    t = FakeTime()
    c = client(server.base_url, t)
    body = await c.get_json("/products")  # type: ignore[attr-defined]
    assert body["attempt"] == 3
    assert len(script.seen) == 3
    assert t.sleeps == [3.0, 3.0]


async def test_429_honours_the_rate_limit_reset_header(
    server: RunningServer, script: Script
) -> None:
    script.responses = [(429, {"X-Rate-Limit-Reset": "17"}), (200, {})]
    t = FakeTime()
    c = client(server.base_url, t)
    await c.get_json("/orders")  # type: ignore[attr-defined]
    assert len(script.seen) == 2
    assert t.sleeps == [17.0]


async def test_5xx_without_headers_backs_off_exponentially_with_jitter(
    server: RunningServer, script: Script
) -> None:
    script.responses = [(502, {})] * 4 + [(200, {})]
    t = FakeTime()
    c = client(server.base_url, t, attempts=5, base_delay=1.0, max_delay=100.0)
    await c.get_json("/x")  # type: ignore[attr-defined]
    assert len(script.seen) == 5
    # equal jitter: each delay within [ceiling/2, ceiling], ceilings 1, 2, 4, 8
    for delay, ceiling in zip(t.sleeps, [1, 2, 4, 8], strict=True):
        assert ceiling / 2 <= delay <= ceiling


async def test_exhausted_429_budget_raises_rate_limit_exhausted_and_never_leaks_the_secret(
    server: RunningServer, script: Script
) -> None:
    script.responses = [(429, {"Retry-After": "1"})]
    t = FakeTime()
    c = client(server.base_url, t, attempts=4)
    with pytest.raises(RateLimitExhausted) as info:
        await c.get_json("/orders", params={"page": 2})  # type: ignore[attr-defined]
    assert len(script.seen) == 4
    assert info.value.attempts == 4
    assert info.value.pauses_integration
    assert SECRET not in str(info.value) and "consumer_secret" not in str(info.value)
    assert "gave up after 4 attempts" in str(info.value)
    # the secret did travel to the server (auth works), just not into the message
    assert script.seen[0].query_params["consumer_secret"] == SECRET


async def test_giving_up_counts_the_tries_made_in_plain_words(
    server: RunningServer, script: Script
) -> None:
    """A server that asks for a longer wait than a run should make is left after the tries
    made (not the policy's number), and one try is `1 attempt`."""
    script.responses = [(503, {"Retry-After": "3600"})]
    t = FakeTime()
    c = client(server.base_url, t, attempts=5, max_server_delay=60)
    with pytest.raises(RetryBudgetExhausted) as info:
        await c.get_json("/x")  # type: ignore[attr-defined]
    assert len(script.seen) == 1 and info.value.attempts == 1
    assert "gave up after 1 attempt. " in str(info.value)
    script.seen.clear()
    script.responses = [(503, {})]
    c = client(server.base_url, t, attempts=2)
    with pytest.raises(RetryBudgetExhausted) as info:
        await c.get_json("/x")  # type: ignore[attr-defined]
    assert "gave up after 2 attempts. " in str(info.value)


async def test_401_raises_auth_error_at_once(server: RunningServer, script: Script) -> None:
    script.responses = [(401, {})]
    c = client(server.base_url, FakeTime())
    with pytest.raises(AuthError) as info:
        await c.get_json("/orders")  # type: ignore[attr-defined]
    assert len(script.seen) == 1
    assert "credentials" in str(info.value)


async def test_post_is_not_retried_on_5xx(server: RunningServer, script: Script) -> None:
    script.responses = [(503, {})]
    c = client(server.base_url, FakeTime())
    with pytest.raises(FatalError) as info:
        await c.request("POST", "/orders", json={"po": "PO-1"})  # type: ignore[attr-defined]
    assert not isinstance(info.value, RetryBudgetExhausted)
    assert len(script.seen) == 1


async def test_connection_refused_is_retried_then_exhausted() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    t = FakeTime()
    c = client(f"http://127.0.0.1:{port}", t, attempts=3, base_delay=0.5)
    with pytest.raises(RetryBudgetExhausted) as info:
        await c.get_json("/x")  # type: ignore[attr-defined]
    assert len(t.sleeps) == 2
    assert "ConnectError" in str(info.value)


async def test_bearer_auth_is_sent_and_hidden_from_repr() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=[])

    auth = BearerAuth(SECRET)
    c = build_client(
        "http://api.test", name="Acme", auth=auth, transport=httpx.MockTransport(handler)
    )
    await c.get_json("/x")
    assert seen[0].headers["Authorization"] == f"Bearer {SECRET}"
    assert SECRET not in repr(auth)


async def test_rate_limiter_spaces_requests_and_holds_after_a_429() -> None:
    t = FakeTime()
    limiter = RateLimiter(2, 1.0, clock=t.clock, sleep=t.sleep)
    for _ in range(4):
        await limiter.acquire()
    assert t.now == pytest.approx(1001.0)  # 2 free, then one every 0.5 s
    limiter.hold(10)
    await limiter.acquire()
    assert t.now >= 1011.0


def test_parse_retry_after_forms() -> None:
    now = 1_800_000_000.0
    assert parse_retry_after(httpx.Headers({"Retry-After": "5"}), now=now) == 5
    date = "Fri, 15 Jan 2027 08:00:10 GMT"
    import email.utils

    base = email.utils.parsedate_to_datetime(date).timestamp() - 10
    assert parse_retry_after(httpx.Headers({"Retry-After": date}), now=base) == pytest.approx(10)
    epoch = httpx.Headers({"X-RateLimit-Reset": str(int(now + 30))})
    assert parse_retry_after(epoch, now=now) == pytest.approx(30)
    assert parse_retry_after(httpx.Headers({}), now=now) is None


def test_safe_url_drops_query_and_userinfo() -> None:
    url = f"https://user:pw@shop.test/wp-json/wc/v3/products?consumer_secret={SECRET}&page=2"
    assert safe_url(url) == "https://shop.test/wp-json/wc/v3/products"


async def test_paginate_refuses_a_repeated_cursor() -> None:
    cursors = {"a": "b", "b": "c", "c": "b"}

    async def fetch(token: object) -> Page[int]:
        return Page(items=[1], next_token=cursors[str(token)])

    seen = []
    with pytest.raises(PaginationLoop):
        async for page in paginate(fetch, first="a", what="orders"):
            seen.append(page)
    assert len(seen) == 3


def test_next_page_number() -> None:
    assert next_page_number(1, 100, 100) == 2
    assert next_page_number(3, 40, 100) is None
    assert next_page_number(2, 100, 100, total_pages=2) is None


async def test_client_pool_shares_one_client_until_the_credentials_change() -> None:
    from connectors.context import ClientPool, ConnectionInfo
    from store.crypto import Secret

    pool = ClientPool()
    old = ConnectionInfo(1, "acme", "fake", "http://a.test", {"token": Secret("one")})
    first = pool.get(old, auth=None, settings=None)
    assert pool.get(old, auth=None, settings=None) is first
    new = ConnectionInfo(1, "acme", "fake", "http://a.test", {"token": Secret("two")})
    assert pool.get(new, auth=None, settings=None) is not first
    await pool.aclose()


@pytest.fixture
def truncating_server() -> Iterator[tuple[RunningServer, list[str]]]:
    """Answers GET and POST with a truncated JSON body `bad` times, then with valid JSON."""
    seen: list[str] = []
    bad = {"count": 0}

    async def endpoint(request: Request) -> Response:
        seen.append(request.method)
        if request.url.path == "/always-bad" or len(seen) <= bad["count"]:
            return Response('[{"id": 1, "na', media_type="application/json")
        return JSONResponse({"ok": True, "attempt": len(seen)})

    app = Starlette(routes=[Route("/{path:path}", endpoint, methods=["GET", "POST", "PUT"])])
    running = serve(app)
    bad["count"] = 2
    yield running, seen
    running.stop()


async def test_a_truncated_json_body_is_fetched_again(
    truncating_server: tuple[RunningServer, list[str]],
) -> None:
    server, seen = truncating_server
    t = FakeTime()
    c = client(server.base_url, t)
    body = await c.get_json("/products", malformed_retries=3)  # type: ignore[attr-defined]
    assert body == {"ok": True, "attempt": 3}
    assert seen == ["GET", "GET", "GET"]
    assert len(t.sleeps) == 2  # backed off before each new try


async def test_a_body_that_never_decodes_fails_naming_the_tries_and_the_hint(
    truncating_server: tuple[RunningServer, list[str]],
) -> None:
    server, seen = truncating_server
    c = build_client(
        server.base_url,
        name="Shop",
        settings=HttpSettings(not_json_hint="Check the store's PHP error log"),
        sleep=FakeTime().sleep,
    )
    with pytest.raises(FatalError) as info:
        await c.get_json("/always-bad", malformed_retries=2)
    assert len(seen) == 3
    message = str(info.value)
    assert "Shop GET" in message and "/always-bad: the response is not JSON" in message
    assert "after 3 tries. Check the store's PHP error log" in message


async def test_a_post_with_an_unreadable_answer_is_never_sent_again(
    truncating_server: tuple[RunningServer, list[str]],
) -> None:
    server, seen = truncating_server
    c = client(server.base_url, FakeTime())
    with pytest.raises(FatalError) as info:
        await c.request_json("POST", "/orders", json={"po": 1}, malformed_retries=3)  # type: ignore[attr-defined]
    assert seen == ["POST"]
    assert "after" not in str(info.value)
    # The same POST marked idempotent (absolute values) may be asked again.
    body, _ = await c.request_json(  # type: ignore[attr-defined]
        "POST", "/orders", json={"po": 1}, malformed_retries=3, idempotent=True
    )
    assert body["attempt"] == 3
