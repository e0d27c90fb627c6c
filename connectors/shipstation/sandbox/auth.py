"""ShipStation sandbox auth and errors: Basic key:secret, `{"message"}` bodies, both 5xx
shapes and the 429 with `X-Rate-Limit-*` headers.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Scope

from connectors.sandboxing.faults import Faults
from connectors.sandboxing.ratelimit import FixedWindowLimiter, WindowStatus
from connectors.shipstation.sandbox.records import BadRequest
from connectors.shipstation.sandbox.state import ShipStationState


def basic_pair(scope: Scope) -> tuple[str, str] | None:
    """The (key, secret) from a Basic header, or None."""
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            scheme, _, encoded = value.decode("latin-1").partition(" ")
            if scheme.lower() != "basic":
                return None
            try:
                key, sep, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return None
            return (key, secret) if sep else None
    return None


def message(status: int, text: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """V1's documented error body `{"message": ...}`."""
    return JSONResponse({"message": text}, status_code=status, headers=headers)


class ShipStationErrors:
    """Fault responses in ShipStation's styles (both 5xx shapes, 429 with rate headers)."""

    def __init__(self, state: ShipStationState, limiter: FixedWindowLimiter) -> None:
        self.state = state
        self.limiter = limiter

    def rate_headers(self, status: WindowStatus) -> dict[str, str]:
        """`X-Rate-Limit-*` (and optionally `Retry-After`) per the settings."""
        settings = self.state.settings
        headers = {
            "X-Rate-Limit-Limit": str(status.limit),
            "X-Rate-Limit-Remaining": str(status.remaining),
        }
        if settings.send_reset_header:
            headers["X-Rate-Limit-Reset"] = str(status.reset_seconds)
        if settings.send_retry_after and not status.allowed:
            headers["Retry-After"] = str(status.reset_seconds)
        return headers

    def limited(self, status: WindowStatus) -> Response:
        """Request 41 in a window."""
        return message(429, "Too Many Requests", self.rate_headers(status))

    def too_many_requests(self) -> Response:
        status = WindowStatus(False, self.limiter.limit, 0, 60)
        return self.limited(status)

    def server_error(self, faults: Faults) -> Response:
        status = faults.choice([500, 502, 503])
        if faults.choice([True, False]):
            return message(status, "An error has occurred.")
        legacy = {
            "Message": "An error has occurred.",
            "ExceptionMessage": "Object reference not set to an instance of an object.",
            "ExceptionType": "System.NullReferenceException",
            "StackTrace": None,
        }
        return JSONResponse(legacy, status_code=status)

    def unauthorized(self) -> Response:
        if self.state.settings.empty_401_body:
            return Response(status_code=401)
        return message(401, "Invalid API credentials")


Handler = Callable[[Request], Any]
Guard = Callable[[Handler], Handler]


def authed(state: ShipStationState, errors: ShipStationErrors) -> Guard:
    """Require the key:secret pair; turn `BadRequest` into 400 `{"message"}`."""

    def wrap(fn: Handler) -> Handler:
        async def endpoint(request: Request) -> Response:
            if basic_pair(request.scope) != (state.api_key, state.api_secret):
                return errors.unauthorized()
            try:
                response: Response = await fn(request)
            except BadRequest as exc:
                return message(400, str(exc))
            return response

        return endpoint

    return wrap
