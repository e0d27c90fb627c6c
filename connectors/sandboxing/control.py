"""The `/_sandbox/` control surface every sandbox mounts (no auth, never faulted).

Common routes: reset, seed, faults, clock and (when a sandbox has them) settings. Each
sandbox adds its own routes (ship a PO, delete a product, ...) through `extra`.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol, TypeVar

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from connectors.sandboxing.clock import Clock
from connectors.sandboxing.faults import Faults, FaultSettingsError
from connectors.sandboxing.ratelimit import FixedWindowLimiter

Endpoint = Callable[[Request], Awaitable[Response]]
K = TypeVar("K")
V = TypeVar("V")


class SeededState(Protocol):
    """What the control surface needs from a sandbox's state."""

    seed: int
    size: int

    def reseed(self, seed: int, size: int) -> None:
        """Throw away everything and regenerate the seeded data in place."""
        ...


class ControlError(Exception):
    """A control request the sandbox refuses; becomes `{"error": message}`."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def control_endpoint(fn: Endpoint) -> Endpoint:
    """Turn `ControlError` (and bad JSON) raised by a control handler into a JSON answer."""

    @functools.wraps(fn)
    async def wrapped(request: Request) -> Response:
        try:
            return await fn(request)
        except ControlError as exc:
            return JSONResponse({"error": exc.message}, status_code=exc.status)

    return wrapped


async def json_object(request: Request) -> dict[str, Any]:
    """The request body as a JSON object, or `ControlError` 400."""
    raw = await request.body()
    if not raw:
        return {}
    try:
        body = await request.json()
    except ValueError as exc:
        raise ControlError("body is not valid JSON") from exc
    if not isinstance(body, dict):
        raise ControlError("body must be a JSON object")
    return body


def found_or_404(table: Mapping[K, V], key: K, message: str) -> V:
    """`table[key]`, or `ControlError(message, 404)` when it is missing (or None)."""
    value = table.get(key)
    if value is None:
        raise ControlError(message, 404)
    return value


def need(body: dict[str, Any], name: str, kind: type | tuple[type, ...]) -> Any:
    """`body[name]` checked against `kind`, or `ControlError` 400."""
    value = body.get(name)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise ControlError(f"{name!r} is required and must be {_kind_name(kind)}")
    return value


def _kind_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(k.__name__ for k in kinds)


def update_settings(settings: Any, changes: dict[str, Any]) -> None:
    """Partially update a settings dataclass; each value must keep its field's type."""
    current = dataclasses.asdict(settings)
    for name, value in changes.items():
        if name not in current:
            raise ControlError(f"unknown setting {name!r}")
        old = current[name]
        same = isinstance(value, type(old)) and isinstance(value, bool) == isinstance(old, bool)
        if old is not None and not same and not (isinstance(old, float) and type(value) is int):
            raise ControlError(f"setting {name!r} must be {type(old).__name__}")
    for name, value in changes.items():
        setattr(settings, name, value)


def control_mount(
    *,
    state: SeededState,
    faults: Faults,
    clock: Clock,
    limiters: Sequence[FixedWindowLimiter] = (),
    settings: Any = None,
    extra: Sequence[BaseRoute] = (),
) -> Mount:
    """Build the `/_sandbox` mount: common routes plus a sandbox's `extra` routes.

    `settings` is an optional dataclass of system-specific switches (duplicate-PO mode,
    inventory cap, ...), served at `GET/PUT /_sandbox/settings`.
    """

    def reset_all() -> None:
        faults.reset()
        for limiter in limiters:
            limiter.reset()

    @control_endpoint
    async def reset(request: Request) -> Response:
        state.reseed(state.seed, state.size)
        reset_all()
        return JSONResponse({"seed": state.seed, "size": state.size})

    @control_endpoint
    async def seed(request: Request) -> Response:
        body = await json_object(request)
        new_seed = body.get("seed", state.seed)
        new_size = body.get("size", state.size)
        for name, value in (("seed", new_seed), ("size", new_size)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ControlError(f"{name!r} must be a whole number >= 0")
        state.reseed(new_seed, new_size)
        for limiter in limiters:
            limiter.reset()
        return JSONResponse({"seed": state.seed, "size": state.size})

    @control_endpoint
    async def faults_route(request: Request) -> Response:
        if request.method == "PUT":
            try:
                faults.update(await json_object(request))
            except FaultSettingsError as exc:
                raise ControlError(str(exc)) from exc
        return JSONResponse(faults.to_dict())

    @control_endpoint
    async def clock_route(request: Request) -> Response:
        if request.method == "PUT":
            body = await json_object(request)
            if "now" in body:
                try:
                    clock.set(datetime.fromisoformat(need(body, "now", str)))
                except ValueError as exc:
                    raise ControlError("'now' must be an ISO 8601 datetime") from exc
            if "advance" in body:
                clock.advance(need(body, "advance", (int, float)))
            if body.get("frozen") is False:
                clock.unfreeze()
        return JSONResponse(clock.to_dict())

    @control_endpoint
    async def settings_route(request: Request) -> Response:
        if settings is None:
            raise ControlError("this sandbox has no settings", 404)
        if request.method == "PUT":
            update_settings(settings, await json_object(request))
        return JSONResponse(dataclasses.asdict(settings))

    routes: list[BaseRoute] = [
        Route("/reset", reset, methods=["POST"]),
        Route("/seed", seed, methods=["POST"]),
        Route("/faults", faults_route, methods=["GET", "PUT"]),
        Route("/clock", clock_route, methods=["GET", "PUT"]),
        Route("/settings", settings_route, methods=["GET", "PUT"]),
        *extra,
    ]
    return Mount("/_sandbox", routes=routes)
