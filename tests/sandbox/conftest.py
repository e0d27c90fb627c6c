"""Shared fixtures for the sandbox contract tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import httpx
import pytest
from starlette.types import ASGIApp

from connectors.sandboxing.clock import Clock

FROZEN_AT = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)

ClientFactory = Callable[..., httpx.Client]


class SyncASGITransport(httpx.BaseTransport):
    """Lets a plain `httpx.Client` call an ASGI app in process (httpx's is async-only)."""

    def __init__(self, app: ASGIApp) -> None:
        self._inner = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        self._runner = asyncio.Runner()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        async def send() -> httpx.Response:
            response = await self._inner.handle_async_request(request)
            content = await response.aread()
            return httpx.Response(response.status_code, headers=response.headers, content=content)

        return self._runner.run(send())

    def close(self) -> None:
        self._runner.close()


@pytest.fixture
def clock() -> Clock:
    """A clock frozen at a known instant, so dates and rate windows are deterministic."""
    return Clock(FROZEN_AT)


@pytest.fixture
def make_client() -> Iterator[ClientFactory]:
    """Factory for in-process httpx clients, closed at teardown."""
    clients: list[httpx.Client] = []

    def make(app: ASGIApp, headers: dict[str, str] | None = None, **kw: object) -> httpx.Client:
        client = httpx.Client(
            transport=SyncASGITransport(app), base_url="http://sandbox.test", headers=headers, **kw
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()
