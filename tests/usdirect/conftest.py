"""US Direct fixtures: the sandbox served over real HTTP and a US Direct source in the store."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, ClassVar

import pytest
from starlette.types import ASGIApp

import connectors.usdirect.operations  # noqa: F401  (registers the usdirect operations)
from connectors.usdirect.sandbox import build
from store.db import Database
from tests.served_source import ServedSource

ADDRESS = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "address_1": "1 Main St",
    "city": "Boise",
    "state": "ID",
    "postcode": "83702",
    "country": "US",
}


class UsDirect(ServedSource):
    """The served sandbox and a US Direct source (prefix USD-) wired to it in the store."""

    SYSTEM: ClassVar[str] = "usdirect"
    SKU_PREFIX: ClassVar[str] = "USD-"
    METHOD: ClassVar[str] = "UPS-GND"
    ADDRESS: ClassVar[dict[str, str]] = {
        k: v for k, v in ADDRESS.items() if k not in ("first_name", "last_name")
    }

    def settings(self, **changes: Any) -> None:
        self.control.put("/_sandbox/settings", json=changes).raise_for_status()


def serve_usdirect(
    db: Database,
    *,
    seed: int = 3,
    size: int = 120,
    wrap: Callable[[ASGIApp], ASGIApp] | None = None,
) -> Iterator[UsDirect]:
    """A served sandbox and a `usdirect` source with the sandbox's secrets; `wrap` puts a
    middleware in front of the sandbox (what a network in between might do)."""
    sandbox = build(seed=seed, size=size)
    sandbox.state.settings.requests_per_second = 1000  # the limit has its own sandbox test

    def secrets(base_url: str) -> dict[str, str]:
        return {k: v.replace("{base_url}", base_url) for k, v in sandbox.credentials.items()}

    yield from UsDirect.served(db, sandbox, secrets, wrap)


@pytest.fixture
def usd(db: Database) -> Iterator[UsDirect]:
    yield from serve_usdirect(db)


@pytest.fixture
def usd_sqlite(sqlite_db: Database) -> Iterator[UsDirect]:
    yield from serve_usdirect(sqlite_db)
