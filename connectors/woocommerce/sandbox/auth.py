"""WooCommerce REST authentication, as `WC_REST_Authentication` does it.

Over HTTPS: the `consumer_key`/`consumer_secret` query pair first, then HTTP Basic. An
unknown key is not an error by itself (the request just stays anonymous, and the route's
permission check answers `woocommerce_rest_cannot_*`); a known key with the wrong secret is
"Consumer secret is invalid.". Over plain HTTP (and as a fallback over HTTPS): one-legged
OAuth 1.0a with the parameters in the query string, signed with HMAC-SHA1 or HMAC-SHA256
over WooCommerce's base string, a 15-minute timestamp window and one use per nonce.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from starlette.requests import Request

from connectors.sandboxing.clock import Clock
from connectors.woocommerce.sandbox.params import WPError

OAUTH_WINDOW_SECONDS = 15 * 60
OAUTH_PARAMS = (
    "oauth_consumer_key",
    "oauth_timestamp",
    "oauth_nonce",
    "oauth_signature",
    "oauth_signature_method",
)


def _auth_error(message: str) -> WPError:
    return WPError("woocommerce_rest_authentication_error", message, 401)


def rawurlencode(value: str) -> str:
    """PHP `rawurlencode` (RFC 3986 unreserved characters stay as they are)."""
    return quote(value, safe="-_.~")


def _normalize(value: Any) -> Any:
    # wc_rest_urlencode_rfc3986: encodes values (recursively) but not nested keys.
    if isinstance(value, dict):
        return {k: _normalize(v) for k, v in value.items()}
    return rawurlencode(str(value))


def _join(params: dict[str, Any], key: str = "") -> list[str]:
    # join_with_equals_sign: nested keys become parent%5Bchild%5D, each pair encoded again.
    out: list[str] = []
    for name, value in params.items():
        full = f"{key}%5B{name}%5D" if key else name
        if isinstance(value, dict):
            out.extend(_join(value, full))
        else:
            out.append(rawurlencode(f"{full}={value}"))
    return out


def signature(method: str, url: str, params: dict[str, Any], secret: str, algo: str) -> str:
    """The OAuth signature WooCommerce computes for `params` (without `oauth_signature`)."""
    ordered = {rawurlencode(k): _normalize(params[k]) for k in sorted(params)}
    base = f"{method.upper()}&{rawurlencode(url)}&{'%26'.join(_join(ordered))}"
    digest = hmac.new(f"{secret}&".encode(), base.encode(), getattr(hashlib, algo)).digest()
    return base64.b64encode(digest).decode()


@dataclass
class WooAuth:
    """The API keys the sandbox accepts and the nonces it has seen."""

    consumer_key: str
    consumer_secret: str
    clock: Clock
    _nonces: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        """Forget used nonces."""
        with self._lock:
            self._nonces.clear()

    def authenticate(
        self, request: Request, query: dict[str, Any], body: dict[str, Any], assume_https: bool
    ) -> bool:
        """True for an authenticated request, False for an anonymous one; raises on bad keys."""
        forwarded = request.headers.get("x-forwarded-proto", "").lower()
        is_ssl = forwarded == "https" or request.url.scheme == "https"
        if is_ssl or assume_https:
            result = self._basic(request, query)
            if result is not None:
                return result
        return self._oauth(request, query, body, is_ssl)

    def _basic(self, request: Request, query: dict[str, Any]) -> bool | None:
        key = query.get("consumer_key") or ""
        secret = query.get("consumer_secret") or ""
        if not (key and secret):
            key, secret = "", ""
            header = request.headers.get("authorization", "")
            if header[:6].lower() == "basic ":
                try:
                    decoded = base64.b64decode(header[6:].strip()).decode()
                except ValueError:
                    decoded = ""
                key, _, secret = decoded.partition(":")
        if not (isinstance(key, str) and isinstance(secret, str) and key and secret):
            return None
        if not hmac.compare_digest(key, self.consumer_key):
            return None  # unknown key: anonymous, then OAuth gets its turn
        if not hmac.compare_digest(secret, self.consumer_secret):
            raise _auth_error("Consumer secret is invalid.")
        return True

    def _oauth(
        self, request: Request, query: dict[str, Any], body: dict[str, Any], is_ssl: bool
    ) -> bool:
        params = {**query, **body}
        present = [p for p in OAUTH_PARAMS if params.get(p)]
        if not present:
            return False
        missing = [p for p in OAUTH_PARAMS if not params.get(p)]
        if missing:
            noun = "parameter" if len(missing) == 1 else "parameters"
            raise WPError(
                "woocommerce_rest_authentication_missing_parameter",
                f"Missing OAuth {noun} {', '.join(missing)}",
                401,
            )
        if params["oauth_consumer_key"] != self.consumer_key:
            raise _auth_error("Consumer key is invalid.")
        method = params["oauth_signature_method"]
        if method not in ("HMAC-SHA1", "HMAC-SHA256"):
            raise _auth_error("Invalid signature - signature method is invalid.")
        given = str(params.pop("oauth_signature")).replace(" ", "+")
        scheme = "https" if is_ssl else "http"
        url = f"{scheme}://{request.headers.get('host', 'localhost')}{request.url.path}"
        algo = "sha1" if method == "HMAC-SHA1" else "sha256"
        expected = signature(request.method, url, params, self.consumer_secret, algo)
        if not hmac.compare_digest(expected, given):
            raise _auth_error("Invalid signature - provided signature does not match.")
        self._check_timestamp_and_nonce(str(params["oauth_timestamp"]), str(params["oauth_nonce"]))
        return True

    def _check_timestamp_and_nonce(self, raw_timestamp: str, nonce: str) -> None:
        now = int(self.clock.timestamp())
        try:
            timestamp = int(raw_timestamp)
        except ValueError:
            timestamp = 0
        if not now - OAUTH_WINDOW_SECONDS <= timestamp <= now + OAUTH_WINDOW_SECONDS:
            raise _auth_error("Invalid timestamp.")
        with self._lock:
            if nonce in self._nonces:
                raise _auth_error("Invalid nonce - nonce has already been used.")
            self._nonces[nonce] = timestamp
            expired = [n for n, t in self._nonces.items() if t < now - OAUTH_WINDOW_SECONDS]
            for old in expired:
                del self._nonces[old]
