"""The shared sandbox mechanics, exercised on a tiny toy sandbox."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from connectors.sandboxing import BuiltSandbox, assemble
from connectors.sandboxing.clock import Clock
from connectors.sandboxing.control import control_mount
from connectors.sandboxing.faults import Faults, JSONErrorProfile
from connectors.sandboxing.ratelimit import FixedWindowLimiter, RateLimitMiddleware
from connectors.sandboxing.serve import build_sandbox, serve, serve_all
from tests.sandbox.conftest import FROZEN_AT, ClientFactory


@dataclass
class ToyState:
    seed: int
    size: int
    items: list[int]

    def reseed(self, seed: int, size: int) -> None:
        self.seed, self.size = seed, size
        self.items = list(range(size))


@dataclass
class ToySettings:
    strict: bool = True
    cap: int = 9


def toy(clock: Clock, limit: int = 1000) -> BuiltSandbox:
    state = ToyState(1, 3, [0, 1, 2])
    faults = Faults()
    limiter = FixedWindowLimiter(limit, 1, clock)

    async def items(request: Request) -> Response:
        return JSONResponse({"items": state.items})

    def limited(status: object) -> Response:
        return JSONResponse({"error": "slow down"}, 429, headers={"Retry-After": "1"})

    app = assemble(
        [Route("/items", items)],
        control=control_mount(
            state=state, faults=faults, clock=clock, limiters=[limiter], settings=ToySettings()
        ),
        faults=faults,
        profile=JSONErrorProfile(lambda status, msg: {"message": msg, "status_code": status}),
        middleware=[
            lambda app: RateLimitMiddleware(app, limiter, key=lambda scope: "one", limited=limited)
        ],
    )
    return BuiltSandbox(app=app, credentials={}, state=state, faults=faults)


def test_clock_freezes_advances_and_unfreezes() -> None:
    clock = Clock(FROZEN_AT)
    assert clock.now() == FROZEN_AT
    clock.advance(90)
    assert clock.now() == FROZEN_AT + timedelta(seconds=90)
    clock.unfreeze()
    assert not clock.frozen
    assert abs((clock.now() - FROZEN_AT).total_seconds()) > 0


def test_fixed_window_counts_per_key_and_rolls_over(clock: Clock) -> None:
    limiter = FixedWindowLimiter(2, 60, clock)
    first = limiter.hit("a")
    assert (first.allowed, first.remaining, first.reset_seconds) == (True, 1, 60)
    assert limiter.hit("a").allowed
    assert not limiter.hit("a").allowed
    assert limiter.hit("b").allowed  # keys are independent
    clock.advance(60)
    assert limiter.hit("a").remaining == 1


def test_control_seed_reset_and_faults(clock: Clock, make_client: ClientFactory) -> None:
    client = make_client(toy(clock).app)
    assert client.post("/_sandbox/seed", json={"seed": 5, "size": 4}).json() == {
        "seed": 5,
        "size": 4,
    }
    assert client.get("/items").json() == {"items": [0, 1, 2, 3]}
    assert client.put("/_sandbox/faults", json={"burst_429": 1}).json()["burst_429"] == 1
    assert client.put("/_sandbox/faults", json={"error_rate": 2}).status_code == 400
    assert client.put("/_sandbox/faults", json={"nope": 1}).status_code == 400
    assert client.post("/_sandbox/reset").json() == {"seed": 5, "size": 4}
    assert client.get("/_sandbox/faults").json()["burst_429"] == 0


def test_control_settings_and_clock(clock: Clock, make_client: ClientFactory) -> None:
    client = make_client(toy(clock).app)
    assert client.put("/_sandbox/settings", json={"cap": 25}).json() == {"strict": True, "cap": 25}
    assert client.put("/_sandbox/settings", json={"cap": "x"}).status_code == 400
    assert client.put("/_sandbox/settings", json={"other": 1}).status_code == 400
    body = client.put("/_sandbox/clock", json={"advance": 30}).json()
    assert body == {"now": (FROZEN_AT + timedelta(seconds=30)).isoformat(), "frozen": True}
    assert client.put("/_sandbox/clock", json={"now": "not a date"}).status_code == 400


def test_burst_429_hits_api_but_never_control(clock: Clock, make_client: ClientFactory) -> None:
    client = make_client(toy(clock).app)
    client.put("/_sandbox/faults", json={"burst_429": 2})
    assert client.get("/_sandbox/faults").status_code == 200
    assert [client.get("/items").status_code for _ in range(3)] == [429, 429, 200]


def test_expired_credentials_and_errors(clock: Clock, make_client: ClientFactory) -> None:
    client = make_client(toy(clock).app)
    client.put("/_sandbox/faults", json={"expired_credentials": True})
    assert client.get("/items").status_code == 401
    client.put("/_sandbox/faults", json={"expired_credentials": False, "error_rate": 1.0})
    response = client.get("/items")
    assert response.status_code in (500, 502, 503)
    assert response.json()["status_code"] == response.status_code


def test_error_rate_is_seeded(clock: Clock, make_client: ClientFactory) -> None:
    def run() -> list[int]:
        client = make_client(toy(clock).app)
        client.put("/_sandbox/faults", json={"error_rate": 0.5, "seed": 7})
        return [client.get("/items").status_code for _ in range(20)]

    first = run()
    assert first == run()
    assert 200 in first and any(code >= 500 for code in first)


def test_malformed_body_is_truncated_json(clock: Clock, make_client: ClientFactory) -> None:
    client = make_client(toy(clock).app)
    client.put("/_sandbox/faults", json={"malformed": 1.0})
    response = client.get("/items")
    assert response.status_code == 200
    assert int(response.headers["content-length"]) == len(response.content)
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_drop_connection_in_process_raises_like_httpx(
    clock: Clock, make_client: ClientFactory
) -> None:
    client = make_client(toy(clock).app)
    client.put("/_sandbox/faults", json={"drop_connection": 1.0})
    with pytest.raises(httpx.RemoteProtocolError):
        client.get("/items")


def test_latency(clock: Clock, make_client: ClientFactory) -> None:
    client = make_client(toy(clock).app)
    client.put("/_sandbox/faults", json={"latency_ms": 60})
    started = time.perf_counter()
    client.get("/items")
    assert time.perf_counter() - started >= 0.06


def test_rate_limit_middleware_skips_control(clock: Clock, make_client: ClientFactory) -> None:
    client = make_client(toy(clock, limit=1).app)
    assert client.get("/items").status_code == 200
    limited = client.get("/items")
    assert (limited.status_code, limited.headers["retry-after"]) == (429, "1")
    assert client.get("/_sandbox/faults").status_code == 200


def test_real_server_and_dropped_connection(clock: Clock) -> None:
    sandbox = toy(clock)
    running = serve(sandbox.app)
    try:
        with httpx.Client(base_url=running.base_url) as client:
            assert running.base_url.startswith("http://127.0.0.1:")
            assert client.get("/items").json() == {"items": [0, 1, 2]}
            client.put("/_sandbox/faults", json={"drop_connection": 1.0})
            with pytest.raises(httpx.RemoteProtocolError):
                client.get("/items")
            client.put("/_sandbox/faults", json={"drop_connection": 0.0})
            assert client.get("/items").status_code == 200
    finally:
        running.stop()
    assert not running.thread.is_alive()


def test_build_sandbox_skips_missing_system() -> None:
    assert build_sandbox("nosuchsystem", 1, 10) is None


def test_describe_fields_of_wps_usdirect_shipstation() -> None:
    with serve_all(seed=1, size=20) as running:
        described = running.describe()
        for system, fields in described.items():  # whichever systems exist right now
            assert fields["base_url"].startswith("http://127.0.0.1:")
            assert "{base_url}" not in json.dumps(fields)
            assert set(fields) - {"base_url"} == set(running.sandboxes[system].credentials)
        assert set(described["wps"]) == {"base_url", "api_token"}
        assert set(described["shipstation"]) == {"base_url", "api_key", "api_secret"}
        usdirect = described["usdirect"]
        assert set(usdirect) == {
            "base_url",
            "api_token",
            "reseller_token",
            "feed_url",
            "secondary_feed_url",
        }
        assert usdirect["feed_url"].startswith(usdirect["base_url"] + "/feeds/")
        feed = httpx.get(usdirect["feed_url"])
        assert feed.status_code == 200 and feed.text.startswith("sku,name,price,qty")
