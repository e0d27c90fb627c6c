"""Authentication as `httpx.Auth` classes, so no connector builds credential headers itself.

Each class takes its secrets once and adds them to every request. They keep the values out
of `repr()` so a client or a traceback never prints them. WooCommerce (query-string keys
over HTTPS, OAuth 1.0a over HTTP) adds its own class here following the same pattern.
"""

from __future__ import annotations

from collections.abc import Generator

import httpx


class _SecretAuth(httpx.Auth):
    """Base: hides credentials from repr()."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(***)"

    def secret_values(self) -> tuple[str, ...]:
        """The raw secrets this auth sends; the HTTP layer scrubs them from error messages."""
        return ()


class BasicAuth(_SecretAuth):
    """HTTP Basic (ShipStation V1: API key as user, API secret as password)."""

    def __init__(self, username: str, password: str) -> None:
        self._inner = httpx.BasicAuth(username, password)
        self._values = (username, password)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        yield from self._inner.auth_flow(request)

    def secret_values(self) -> tuple[str, ...]:
        return self._values


class BearerAuth(_SecretAuth):
    """`Authorization: Bearer <token>`."""

    def __init__(self, token: str) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request

    def secret_values(self) -> tuple[str, ...]:
        return (self._token,)


class HeaderTokenAuth(_SecretAuth):
    """A token in a named header, e.g. `X-API-TOKEN: <token>`."""

    def __init__(self, header: str, token: str) -> None:
        self._header = header
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers[self._header] = self._token
        yield request

    def secret_values(self) -> tuple[str, ...]:
        return (self._token,)


class QueryParamsAuth(_SecretAuth):
    """Credentials as query parameters (e.g. WooCommerce `consumer_key`/`consumer_secret`).

    Only use over HTTPS; the HTTP layer never puts the query string into messages or logs.
    """

    def __init__(self, params: dict[str, str]) -> None:
        self._params = dict(params)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.url = request.url.copy_merge_params(self._params)
        yield request

    def secret_values(self) -> tuple[str, ...]:
        return tuple(self._params.values())


def secret_values(auth: httpx.Auth | None) -> tuple[str, ...]:
    """The secrets an auth object sends (empty for unknown auth classes)."""
    if isinstance(auth, _SecretAuth):
        return auth.secret_values()
    return ()
