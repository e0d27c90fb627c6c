"""Authentication as `httpx.Auth` classes, so no connector builds credential headers itself.

Each class takes its secrets once and adds them to every request. They keep the values out
of `repr()` so a client or a traceback never prints them. WooCommerce (query-string keys
over HTTPS, OAuth 1.0a over HTTP) adds its own class here following the same pattern.
"""

from __future__ import annotations

import base64
import hmac
import secrets
import time
from collections.abc import Callable, Generator
from urllib.parse import parse_qsl, quote

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


def _pct(value: str) -> str:
    """RFC 3986 percent-encoding as OAuth 1.0a (and PHP's rawurlencode) define it."""
    return quote(value, safe="-_.~")


class OAuth1Auth(_SecretAuth):
    """One-legged OAuth 1.0a: the request's query string is signed (RFC 5849, no token).

    The `oauth_*` parameters and the signature go into the query string. The signing key is
    `consumer_secret&` (no token secret). Form-encoded bodies are signed too, as the spec
    asks; JSON bodies are not part of the signature. Every send (including retries) gets a
    fresh nonce and timestamp. WooCommerce requires this over plain http.
    """

    # hashlib's names of the digests, which hmac.new takes as they are.
    _METHODS: dict[str, str] = {"HMAC-SHA1": "sha1", "HMAC-SHA256": "sha256"}

    def __init__(
        self,
        consumer_key: str,
        consumer_secret: str,
        *,
        signature_method: str = "HMAC-SHA256",
        clock: Callable[[], float] = time.time,
    ) -> None:
        if signature_method not in self._METHODS:
            raise ValueError(f"signature_method must be one of {', '.join(self._METHODS)}")
        self._key = consumer_key
        self._secret = consumer_secret
        self._method = signature_method
        self._clock = clock

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        oauth = {
            "oauth_consumer_key": self._key,
            "oauth_nonce": secrets.token_hex(16),
            "oauth_signature_method": self._method,
            "oauth_timestamp": str(int(self._clock())),
        }
        params = [*request.url.params.multi_items(), *oauth.items()]
        if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            params.extend(parse_qsl(request.read().decode(), keep_blank_values=True))
        oauth["oauth_signature"] = self.signature(request.method, request.url, params)
        request.url = request.url.copy_merge_params(oauth)
        yield request

    def signature(self, method: str, url: httpx.URL, params: list[tuple[str, str]]) -> str:
        """The base64 HMAC of the OAuth signature base string for this request."""
        encoded = sorted((_pct(k), _pct(v)) for k, v in params)
        normalized = "&".join(f"{k}={v}" for k, v in encoded)
        host = url.host if url.port is None else f"{url.host}:{url.port}"
        base_url = f"{url.scheme}://{host}{url.path}"
        base = "&".join((method.upper(), _pct(base_url), _pct(normalized)))
        digestmod = self._METHODS[self._method]
        digest = hmac.new(f"{_pct(self._secret)}&".encode(), base.encode(), digestmod).digest()
        return base64.b64encode(digest).decode()

    def secret_values(self) -> tuple[str, ...]:
        return (self._key, self._secret)


def secret_values(auth: httpx.Auth | None) -> tuple[str, ...]:
    """The secrets an auth object sends (empty for unknown auth classes)."""
    if isinstance(auth, _SecretAuth):
        return auth.secret_values()
    return ()
