"""Header-driven pacing: a connection spends what `X-Rate-Limit-Remaining` says is left and
waits for `X-Rate-Limit-Reset` instead of collecting 429s."""

from __future__ import annotations

import asyncio
import math
import random

import httpx

from connectors.http import HttpSettings, RetryPolicy, build_client
from connectors.ratelimit import HeaderPacer


class FakeTime:
    """A clock that moves only when something sleeps on it (plus a fixed cost per request)."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


class FixedWindow:
    """A server allowing `limit` requests per aligned `window` seconds, as ShipStation does."""

    def __init__(self, t: FakeTime, limit: int = 40, window: float = 60.0) -> None:
        self.t, self.limit, self.window = t, limit, window
        self.counts: dict[int, int] = {}
        self.statuses: list[int] = []
        self.headers = True

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.t.now += 0.05  # the round trip
        index = math.floor(self.t.now / self.window)
        self.counts[index] = self.counts.get(index, 0) + 1
        count = self.counts[index]
        reset = max(1, math.ceil((index + 1) * self.window - self.t.now))
        headers = (
            {
                "X-Rate-Limit-Limit": str(self.limit),
                "X-Rate-Limit-Remaining": str(max(0, self.limit - count)),
                "X-Rate-Limit-Reset": str(reset),
            }
            if self.headers
            else {}
        )
        status = 200 if count <= self.limit else 429
        self.statuses.append(status)
        body = {"ok": True} if status == 200 else {"message": "Too Many Requests"}
        return httpx.Response(status, json=body, headers=headers)


def client_for(server: FixedWindow, t: FakeTime) -> object:
    return build_client(
        "http://api.test",
        name="ShipStation",
        settings=HttpSettings(retry=RetryPolicy(default_429_delay=60.0)),
        transport=httpx.MockTransport(server.handler),
        sleep=t.sleep,
        clock=t.clock,
        rng=random.Random(1),
    )


async def test_a_long_sequential_run_uses_the_whole_allowance_without_a_429() -> None:
    t = FakeTime()
    server = FixedWindow(t)
    c = client_for(server, t)
    start = t.now
    for _ in range(400):
        await c.get_json("/orders")  # type: ignore[attr-defined]
    minutes = (t.now - start) / 60
    assert 429 not in server.statuses
    assert len(server.statuses) == 400
    # 400 requests at 40 a minute need 10 windows; the first starts part-way through one.
    assert 400 / minutes >= 0.95 * 40
    assert max(server.counts.values()) == 40


async def test_concurrent_requests_never_overshoot_the_window() -> None:
    t = FakeTime()
    server = FixedWindow(t)
    c = client_for(server, t)
    for _ in range(20):
        await asyncio.gather(*(c.get_json("/orders") for _ in range(5)))  # type: ignore[attr-defined]
    assert 429 not in server.statuses
    assert len(server.statuses) == 100


async def test_a_budget_spent_elsewhere_costs_one_429_then_none() -> None:
    t = FakeTime()
    server = FixedWindow(t)
    server.counts[math.floor((t.now + 0.05) / 60)] = 40  # another client used this window
    c = client_for(server, t)
    for _ in range(100):
        await c.get_json("/orders")  # type: ignore[attr-defined]
    assert server.statuses.count(429) == 1
    assert server.statuses[0] == 429
    assert len(server.statuses) == 101


async def test_answers_without_rate_headers_are_never_paced() -> None:
    t = FakeTime()
    pacer = HeaderPacer(clock=t.clock, sleep=t.sleep)
    for _ in range(100):
        await pacer.acquire()
        pacer.observe(httpx.Headers({"content-type": "application/json"}))
    assert t.now == 1_000.0
    assert pacer.budget is None


async def test_other_header_spellings_are_read() -> None:
    t = FakeTime()
    pacer = HeaderPacer(clock=t.clock, sleep=t.sleep)
    await pacer.acquire()
    pacer.observe(httpx.Headers({"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "12"}))
    await pacer.acquire()
    assert t.now == 1_012.0
    assert pacer.waited == 12.0


async def test_a_reset_too_far_off_is_left_to_the_servers_answer() -> None:
    t = FakeTime()
    pacer = HeaderPacer(clock=t.clock, sleep=t.sleep, max_wait=300)
    await pacer.acquire()
    pacer.observe(httpx.Headers({"X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": "3600"}))
    await pacer.acquire()  # not an hour's sleep: the 429 path decides
    assert t.now == 1_000.0
