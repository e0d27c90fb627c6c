"""How much of ShipStation's 40 requests a minute a long run uses, and how many 429s it sees.

The ShipStation client walks order pages again and again against the sandbox peer, whose
fixed 60 s windows allow 40 requests per key pair and answer every request with
`X-Rate-Limit-Limit/-Remaining/-Reset` (request 41 gets a 429).

Default mode runs on an ACCELERATED CLOCK: the sandbox runs in process on its settable
clock, every request costs `--latency` seconds of sandbox time, and the client's sleeps
advance that clock instead of waiting; 30 sandbox minutes take a few seconds. `--wall` runs
on real time against the sandbox served on a socket (slow: `--minutes` real minutes).
`--prespent` lets another client spend the first window's budget before the run starts
(the run may then see exactly one 429).

    .venv/bin/python bench/shipstation_ratelimit.py [--minutes 30] [--latency 0.25]
        [--concurrency 1] [--prespent] [--wall]

Prints requests made, minutes elapsed, requests per minute (and its share of 40), the
share of the allowance of every window the run touched and of the full windows (the first
and last are partial), and 429s seen.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import time
from datetime import UTC, datetime

import httpx

from connectors.http import build_client
from connectors.sandboxing.clock import Clock
from connectors.sandboxing.serve import serve
from connectors.shipstation import client as ss
from connectors.shipstation.sandbox import build

LIMIT = 40


class CountingTransport(httpx.AsyncBaseTransport):
    """Counts answers by status; in accelerated mode each request costs `latency` seconds."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        clock: Clock | None,
        latency: float,
        sandbox_clock: Clock,
    ) -> None:
        self.inner, self.clock, self.latency = inner, clock, latency
        self.sandbox_clock = sandbox_clock
        self.statuses: list[int] = []
        self.windows: list[int] = []  # the sandbox's 60 s window of each answer

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.clock is not None:
            self.clock.advance(self.latency)
        response = await self.inner.handle_async_request(request)
        self.statuses.append(response.status_code)
        self.windows.append(math.floor(self.sandbox_clock.timestamp() / 60))
        return response


async def run(args: argparse.Namespace) -> None:
    accelerated = not args.wall
    clock = Clock(datetime(2026, 6, 1, 12, 0, 17, tzinfo=UTC)) if accelerated else Clock()
    sandbox = build(seed=1, size=2000, clock=clock)
    server = None
    if accelerated:
        inner: httpx.AsyncBaseTransport = httpx.ASGITransport(app=sandbox.app)  # type: ignore[arg-type]
        base_url = "http://shipstation.bench"
    else:
        server = serve(sandbox.app)
        inner, base_url = httpx.AsyncHTTPTransport(), server.base_url
    transport = CountingTransport(inner, clock if accelerated else None, args.latency, clock)

    async def sleep(seconds: float) -> None:
        if accelerated:
            clock.advance(seconds)
            await asyncio.sleep(0)
        else:
            await asyncio.sleep(seconds)

    creds = sandbox.credentials
    http = build_client(
        base_url,
        name="ShipStation",
        auth=ss.auth(creds["api_key"], creds["api_secret"]),
        settings=ss.HTTP_SETTINGS,
        transport=transport,
        sleep=sleep,
        clock=clock.timestamp if accelerated else time.monotonic,
    )
    api = ss.ShipStationClient(http)
    if args.prespent:  # another client on the same key pair spends this window first
        spent = build_client(
            base_url,
            name="other",
            auth=ss.auth(creds["api_key"], creds["api_secret"]),
            transport=inner,
        )
        for _ in range(LIMIT):
            await spent.request("GET", "/users")
        await spent.aclose()

    now = clock.timestamp if accelerated else time.monotonic
    start = now()
    first_window = math.floor(clock.timestamp() / 60)
    deadline = start + args.minutes * 60
    page = 0

    async def worker() -> None:
        nonlocal page
        while now() < deadline:
            page = page % 5 + 1
            await api.orders_page(page, status=None, size=20)

    await asyncio.gather(*(worker() for _ in range(args.concurrency)))
    elapsed_min = (now() - start) / 60
    windows = math.floor(clock.timestamp() / 60) - first_window + 1
    await http.aclose()
    if server is not None:
        server.stop()
    made = len(transport.statuses)
    ok = transport.statuses.count(200)
    per_minute = ok / elapsed_min
    limited = transport.statuses.count(429)
    after_first = max(0, limited - (1 if transport.statuses[:1] == [429] else 0))
    mode = "accelerated (sandbox time; client sleeps advance it)" if accelerated else "wall"
    print(f"clock: {mode}")
    trip = f"{args.latency} s" if accelerated else "real"
    print(f"round trip: {trip}, concurrency {args.concurrency}")
    print(f"requests: {made} ({ok} answered 200) in {elapsed_min:.2f} minutes")
    print(f"requests/minute achieved: {per_minute:.2f} of {LIMIT} ({per_minute / LIMIT:.1%})")
    allowance = windows * LIMIT
    print(f"share of the allowance of the {windows} windows touched: {ok / allowance:.1%}")
    answered = [
        w for w, status in zip(transport.windows, transport.statuses, strict=True) if status == 200
    ]
    full = sorted(set(answered))[1:-1]  # the run starts and ends part-way through a window
    if full:
        used = sum(1 for w in answered if w in set(full))
        share = used / (len(full) * LIMIT)
        print(f"share of the allowance of the {len(full)} full windows: {share:.1%}")
    print(f"429s seen: {limited} (after the first request: {after_first})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--latency", type=float, default=0.25, help="seconds per request")
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--prespent", action="store_true")
    parser.add_argument("--wall", action="store_true", help="real time over a real socket")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
