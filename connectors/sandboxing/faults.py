"""Injectable faults for one sandbox, and the ASGI middleware that applies them.

Faults hit API routes only; `/_sandbox/` control routes always answer normally so a test
can switch faults off again. Draws come from a seeded RNG, so a test that sets the same
faults and sends the same requests sees the same failures.
"""

from __future__ import annotations

import asyncio
import random
import threading
from dataclasses import dataclass, field, fields
from typing import Any, Literal, Protocol

import httpx
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTROL_PREFIX = "/_sandbox/"

FaultKind = Literal["expired_credentials", "burst_429", "drop_connection", "error", "malformed"]


class FaultSettingsError(ValueError):
    """A fault setting that is unknown or out of range."""


@dataclass
class Faults:
    """The fault settings of one sandbox. Rates are probabilities in [0, 1] per request."""

    error_rate: float = 0.0
    latency_ms: int = 0
    burst_429: int = 0  # the next N API requests get the system's 429
    drop_connection: float = 0.0
    malformed: float = 0.0
    expired_credentials: bool = False
    seed: int = 0
    _rng: random.Random = field(default_factory=random.Random, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._rng.seed(self.seed)

    def to_dict(self) -> dict[str, Any]:
        """The public settings (what `GET /_sandbox/faults` returns)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if not f.name.startswith("_")}

    def update(self, changes: dict[str, Any]) -> None:
        """Apply a partial update; validates everything before changing anything."""
        known = {f.name: f.type for f in fields(self) if not f.name.startswith("_")}
        clean: dict[str, Any] = {}
        for name, value in changes.items():
            if name not in known:
                raise FaultSettingsError(f"unknown fault setting {name!r}")
            clean[name] = _check(name, value)
        with self._lock:
            for name, value in clean.items():
                setattr(self, name, value)
            if "seed" in clean:
                self._rng.seed(self.seed)

    def reset(self) -> None:
        """Back to no faults, with the RNG re-seeded."""
        self.update(
            {
                "error_rate": 0.0,
                "latency_ms": 0,
                "burst_429": 0,
                "drop_connection": 0.0,
                "malformed": 0.0,
                "expired_credentials": False,
                "seed": self.seed,
            }
        )

    def draw(self) -> FaultKind | None:
        """Decide the fault for one API request (at most one), in a fixed order."""
        with self._lock:
            if self.expired_credentials:
                return "expired_credentials"
            if self.burst_429 > 0:
                self.burst_429 -= 1
                return "burst_429"
            # Only roll for rates that are set, so switching one fault on does not
            # shift the sequence another test depends on.
            rolled: tuple[tuple[FaultKind, float], ...] = (
                ("drop_connection", self.drop_connection),
                ("error", self.error_rate),
                ("malformed", self.malformed),
            )
            for kind, rate in rolled:
                if rate > 0 and self._rng.random() < rate:
                    return kind
            return None

    def choice(self, options: list[Any]) -> Any:
        """A seeded pick (used by error profiles to vary 5xx codes and body styles)."""
        with self._lock:
            return self._rng.choice(options)


def _check(name: str, value: Any) -> Any:
    if name == "expired_credentials":
        if not isinstance(value, bool):
            raise FaultSettingsError("expired_credentials must be true or false")
        return value
    if name in ("latency_ms", "burst_429", "seed"):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise FaultSettingsError(f"{name} must be a whole number >= 0")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise FaultSettingsError(f"{name} must be a number between 0 and 1")
    return float(value)


class ErrorProfile(Protocol):
    """How one system spells the failures the middleware injects."""

    def server_error(self, faults: Faults) -> Response:
        """A 5xx response in the system's style."""
        ...

    def too_many_requests(self) -> Response:
        """The system's 429, with its headers."""
        ...

    def unauthorized(self) -> Response:
        """The system's answer to a rejected credential."""
        ...


class JSONErrorProfile:
    """A simple profile: JSON bodies built from a message, for systems without quirks."""

    def __init__(
        self,
        body: Any,
        retry_after: int | None = 1,
        unauthorized_body: Any = None,
    ) -> None:
        # `body(status, message)` builds the JSON; a dict-returning callable keeps this
        # one class enough for WPS and US Direct.
        self._body = body
        self._retry_after = retry_after
        self._unauthorized_body = unauthorized_body

    def server_error(self, faults: Faults) -> Response:
        status = faults.choice([500, 502, 503])
        return JSONResponse(self._body(status, "Server Error"), status_code=status)

    def too_many_requests(self) -> Response:
        headers = {} if self._retry_after is None else {"Retry-After": str(self._retry_after)}
        return JSONResponse(self._body(429, "Too Many Requests"), 429, headers=headers)

    def unauthorized(self) -> Response:
        body = self._unauthorized_body or self._body(401, "Unauthenticated.")
        return JSONResponse(body, status_code=401)


class FaultMiddleware:
    """Applies a sandbox's `Faults` to every request outside `/_sandbox/`."""

    def __init__(self, app: ASGIApp, faults: Faults, profile: ErrorProfile) -> None:
        self.app = app
        self.faults = faults
        self.profile = profile

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        if self.faults.latency_ms:
            await asyncio.sleep(self.faults.latency_ms / 1000)
        kind = self.faults.draw()
        if kind is None:
            await self.app(scope, receive, send)
        elif kind == "expired_credentials":
            await self.profile.unauthorized()(scope, receive, send)
        elif kind == "burst_429":
            await self.profile.too_many_requests()(scope, receive, send)
        elif kind == "error":
            await self.profile.server_error(self.faults)(scope, receive, send)
        elif kind == "malformed":
            await self.app(scope, receive, _truncating(send))
        else:
            _drop(send)


def _drop(send: Send) -> None:
    """Close the client's connection without a response.

    Under uvicorn `send` is bound to the request cycle, which holds the socket transport;
    closing it is what a real dropped connection looks like to the client. In-process
    transports (httpx.ASGITransport) have no socket, so raise the error httpx itself
    raises for a peer that hangs up: connectors see the same exception either way.
    """
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if cycle is None or transport is None:
        raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
    transport.close()
    cycle.disconnected = True  # so uvicorn does not answer 500


def _truncating(send: Send) -> Send:
    """Wrap `send` so the body goes out cut in half: invalid JSON with a matching length."""
    start: dict[str, Any] = {}
    chunks: list[bytes] = []

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
            return
        if message["type"] != "http.response.body":
            await send(message)
            return
        chunks.append(message.get("body", b""))
        if message.get("more_body", False):
            return
        body = b"".join(chunks)
        cut = body[: max(1, len(body) // 2)] if body else b'{"data": ['
        headers = [
            (k, v) for k, v in start.get("headers", []) if k.lower() not in (b"content-length",)
        ]
        headers.append((b"content-length", str(len(cut)).encode()))
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": cut})

    return wrapped
