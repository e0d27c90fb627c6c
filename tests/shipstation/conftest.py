"""ShipStation connector tests run against the sandbox peer in process, on its clock.

The client's sleeps advance the sandbox clock instead of waiting, so a run that paces
itself across several rate windows takes no wall time and stays deterministic.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import pytest

from connectors.http import ConnectorClient, build_client
from connectors.sandboxing import BuiltSandbox
from connectors.sandboxing.clock import Clock
from connectors.shipstation import client as ss_client
from connectors.shipstation.sandbox import build

FROZEN_AT = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@dataclass
class Peer:
    """The sandbox, its clock and a client speaking to it."""

    sandbox: BuiltSandbox
    clock: Clock
    http: ConnectorClient
    api: ss_client.ShipStationClient

    @property
    def state(self):  # type: ignore[no-untyped-def]
        return self.sandbox.state


def sandbox_client(sandbox: BuiltSandbox, clock: Clock, **creds: str) -> ConnectorClient:
    """A client over an in-process transport whose sleeps advance the sandbox clock."""

    async def sleep(seconds: float) -> None:
        clock.advance(seconds)
        await asyncio.sleep(0)

    key = creds.get("api_key", sandbox.credentials["api_key"])
    secret = creds.get("api_secret", sandbox.credentials["api_secret"])
    return build_client(
        "http://shipstation.test",
        name="ShipStation",
        auth=ss_client.auth(key, secret),
        settings=ss_client.HTTP_SETTINGS,
        transport=httpx.ASGITransport(app=sandbox.app),  # type: ignore[arg-type]
        sleep=sleep,
        clock=clock.timestamp,
    )


@pytest.fixture
async def peer() -> AsyncIterator[Peer]:
    clock = Clock(FROZEN_AT)
    sandbox = build(seed=3, size=400, clock=clock)
    http = sandbox_client(sandbox, clock)
    yield Peer(sandbox, clock, http, ss_client.ShipStationClient(http))
    await http.aclose()
