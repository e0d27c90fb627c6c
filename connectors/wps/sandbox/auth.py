"""WPS sandbox auth and errors: the bearer-token guard and the `{message, status_code}` bodies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from connectors.sandboxing.auth import bearer_token
from connectors.wps.sandbox.state import WpsState


def error(status: int, message: str, errors: dict[str, list[str]] | None = None) -> JSONResponse:
    """The Laravel/Dingo-style error body the doc assumes: `{message, status_code[, errors]}`."""
    body: dict[str, Any] = {"message": message, "status_code": status}
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status)


def invalid(errors: dict[str, list[str]]) -> JSONResponse:
    """A 422 validation failure with per-field messages."""
    return error(422, "The given data was invalid.", errors)


Handler = Callable[[Request], Any]


def guarded(state: WpsState, *, orders: bool = False) -> Callable[[Handler], Handler]:
    """Require the bearer token; order processing also refuses the restricted token (403)."""

    def wrap(fn: Handler) -> Handler:
        async def endpoint(request: Request) -> Response:
            token = bearer_token(request.headers.get("authorization", ""))
            if token not in (state.token, state.restricted_token):
                return error(401, "Unauthenticated.")
            if orders and token == state.restricted_token:
                return error(403, "This action is unauthorized.")
            try:
                result: Response = await fn(request)
            except QueryError as exc:
                return error(400, str(exc))
            return result

        return endpoint

    return wrap


class QueryError(Exception):
    """A bad query parameter; answered with 400."""
