"""Shared mechanics of the sandbox peers: faults, control surface, clock, rate limits, serving.

Every `connectors/<system>/sandbox/` package exports one interface so `serve_all()` and the
tests can treat the five systems alike::

    def build(seed: int = 1, size: int = 2000, *, clock: Clock | None = None) -> Sandbox

`Sandbox.credentials` holds the system's credential fields (never `base_url`; `serve_all`
adds it). A value may contain the placeholder `{base_url}` (e.g. a feed URL), which
`RunningSandboxes.describe()` fills in with the served address.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from starlette.applications import Starlette
from starlette.routing import BaseRoute
from starlette.types import ASGIApp

from connectors.sandboxing.clock import Clock
from connectors.sandboxing.faults import ErrorProfile, FaultMiddleware, Faults

BASE_URL_PLACEHOLDER = "{base_url}"


class Sandbox(Protocol):
    """One built sandbox: an ASGI app, the credentials it accepts, and its live state."""

    @property
    def app(self) -> ASGIApp:
        """The ASGI app (API routes plus `/_sandbox/` control routes)."""
        ...

    @property
    def credentials(self) -> dict[str, str]:
        """Credential fields as the system names them (no base_url)."""
        ...

    @property
    def state(self) -> Any:
        """The in-memory state object, for tests to inspect."""
        ...


class SandboxBuilder(Protocol):
    """The module-level `build` every `connectors/<system>/sandbox` package exports."""

    def __call__(self, seed: int = 1, size: int = 2000, *, clock: Clock | None = None) -> Sandbox:
        """Build a sandbox seeded with `seed` holding about `size` catalogue records."""
        ...


@dataclass(frozen=True)
class BuiltSandbox:
    """A plain `Sandbox` implementation the sandboxes return from `build()`."""

    app: ASGIApp
    credentials: dict[str, str]
    state: Any
    faults: Faults


def assemble(
    routes: Sequence[BaseRoute],
    *,
    control: BaseRoute,
    faults: Faults,
    profile: ErrorProfile,
    middleware: Sequence[Any] = (),
) -> ASGIApp:
    """A Starlette app of `routes` + `control`, wrapped in the sandbox's middleware.

    `middleware` entries are callables `app -> app`, applied innermost first; the fault
    middleware always sits outermost so faults land before auth and rate limiting.
    """
    app: ASGIApp = Starlette(routes=[control, *routes])
    for wrap in middleware:
        app = wrap(app)
    return FaultMiddleware(app, faults, profile)


def fake_secret(system: str, seed: int, name: str, length: int = 32) -> str:
    """A stable made-up credential, so a sandbox restarted with the same seed accepts it."""
    digest = hashlib.sha256(f"dropdeck-sandbox:{system}:{seed}:{name}".encode()).hexdigest()
    return digest[:length]


__all__ = [
    "BASE_URL_PLACEHOLDER",
    "BuiltSandbox",
    "Clock",
    "Faults",
    "Sandbox",
    "SandboxBuilder",
    "assemble",
    "fake_secret",
]
