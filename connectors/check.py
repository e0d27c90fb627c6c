"""Test Connection: one request that proves the host, TLS, the URL and the credentials.

Each descriptor builds a `Probe` (a cheap GET every real API of that system answers, its
auth, and how to tell the API's answer from anything else at that URL); `run_probe`
sends it once, without retries, and turns the outcome into a `CheckResult` whose `detail`
is one line saying what is wrong, in this order: the host does not answer, TLS failed,
the key was refused (with the API's own message), the URL is not the API, the API failed.
"""

from __future__ import annotations

import json
import os
import ssl
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import httpx

from .auth import secret_values
from .http import _scrub, safe_url


class Problem(StrEnum):
    """What a failed check found, most basic first."""

    NO_ANSWER = "no_answer"
    TLS_FAILED = "tls_failed"
    KEY_REFUSED = "key_refused"
    NOT_THE_API = "not_the_api"
    API_ERROR = "api_error"


@dataclass(frozen=True)
class CheckResult:
    """The outcome of a check; `detail` is one line for an operator."""

    ok: bool
    system: str
    problem: Problem | None
    detail: str

    def as_json(self) -> dict[str, Any]:
        """`{ok, system, problem, detail}` with stable names."""
        problem = self.problem.value if self.problem else None
        return {"ok": self.ok, "system": self.system, "problem": problem, "detail": self.detail}


NotTheApi = Callable[[httpx.Response, Any], str | None]
"""(response, decoded JSON or None) -> why this is not the API's answer, or None if it is."""


@dataclass(frozen=True)
class Probe:
    """The request a system's check sends and how its answer is recognised."""

    path: str
    """Appended to the connection's base URL."""
    not_the_api: NotTheApi
    auth: httpx.Auth | None = None
    params: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    write_check: WriteCheck | None = None
    """A harmless write sent after the read succeeds, for APIs whose keys can be read-only."""
    refused_hint: str = ""
    """Said after a 401/403 when the system has a known cause (e.g. an admin setting)."""


@dataclass(frozen=True)
class WriteCheck:
    """A request that changes nothing but needs write permission (e.g. an empty batch)."""

    path: str
    json: Any
    method: str = "POST"
    hint: str = "give the key write permission"
    """What to do when the key is refused the write."""


def api_message(body: Any, text: str) -> str:
    """The API's own words from an error body (`message`, `Message`, `error`), else its text."""
    if isinstance(body, dict):
        for key in ("message", "Message", "error_description", "error", "detail"):
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                return one_line(value)
    return one_line(text) or "no message"


def one_line(text: str, limit: int = 200) -> str:
    """Whitespace collapsed, control characters dropped, cut: a remote body never spans
    lines or drives a terminal in our output."""
    printable = "".join(c for c in text if c.isspace() or unicodedata.category(c)[0] != "C")
    flat = " ".join(printable.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _decoded(response: httpx.Response) -> Any:
    if "json" not in response.headers.get("content-type", ""):
        return None
    try:
        return response.json()
    except (ValueError, json.JSONDecodeError):
        return None


def _tls_error(exc: BaseException) -> BaseException | None:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _os_reason(exc: BaseException) -> str | None:
    """The socket's own words (e.g. "Connection refused"), where the chain holds them."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and (seen.errno or seen.strerror):
            return os.strerror(seen.errno) if seen.errno else seen.strerror
        seen = seen.__cause__ or seen.__context__
    return None


def _where(url: httpx.URL) -> str:
    return f"{url.host}:{url.port or (443 if url.scheme == 'https' else 80)}"


async def run_probe(
    system: str,
    display_name: str,
    base_url: str,
    probe: Probe,
    *,
    timeout: float = 10.0,
    transport: httpx.AsyncBaseTransport | None = None,
) -> CheckResult:
    """Send `probe` once to `base_url` and classify the answer."""

    def failed(problem: Problem, detail: str) -> CheckResult:
        return CheckResult(ok=False, system=system, problem=problem, detail=detail)

    url = httpx.URL(base_url.rstrip("/") + probe.path)
    secrets = secret_values(probe.auth)
    write_response: httpx.Response | None = None
    async with httpx.AsyncClient(
        auth=probe.auth, timeout=timeout, transport=transport, follow_redirects=False
    ) as client:
        try:
            response = await client.get(url, params=dict(probe.params), headers=probe.headers)
        except httpx.TimeoutException:
            return failed(
                Problem.NO_ANSWER,
                f"{_where(url)} does not answer (no reply within {timeout:g} s); "
                "check the URL's host and port",
            )
        except httpx.TransportError as exc:
            tls = _tls_error(exc)
            if tls is not None:
                reason = getattr(tls, "reason", None) or type(tls).__name__
                return failed(
                    Problem.TLS_FAILED,
                    f"TLS with {_where(url)} failed ({reason}); is the port plain http, "
                    "or is the certificate not trusted?",
                )
            if isinstance(exc, httpx.ConnectError):
                reason = _os_reason(exc) or one_line(str(exc)) or type(exc).__name__
                return failed(
                    Problem.NO_ANSWER,
                    f"{_where(url)} does not answer ({reason}); check the URL's host and port",
                )
            return failed(
                Problem.NOT_THE_API,
                f"{safe_url(url)} did not answer as an HTTP API ({type(exc).__name__}); "
                f"check the {display_name} URL",
            )
        if probe.write_check is not None and response.status_code < 300:
            write = probe.write_check
            try:
                write_response = await client.request(
                    write.method, base_url.rstrip("/") + write.path, json=write.json
                )
            except httpx.TransportError:
                write_response = None  # the read answered: the write's trouble is not the key
    body = _decoded(response)
    status = response.status_code
    words = _scrub(api_message(body, response.text), secrets)
    location = response.headers.get("location")
    if 300 <= status < 400 and location:
        # Runs never follow redirects (a POST must not be re-sent elsewhere): name the target.
        target = safe_url(url.join(location))
        return failed(
            Problem.NOT_THE_API,
            f"{safe_url(url)} redirects (HTTP {status}) to {one_line(target)}; "
            "give the URL it redirects to",
        )
    if status in (401, 403):
        hint = f"; {probe.refused_hint}" if probe.refused_hint else ""
        return failed(
            Problem.KEY_REFUSED,
            f"{display_name} refused the credentials (HTTP {status}: {words}){hint}",
        )
    why = probe.not_the_api(response, body)
    if why is not None:
        return failed(Problem.NOT_THE_API, f"{safe_url(url)} is not the {display_name} API: {why}")
    if status >= 400:
        return failed(Problem.API_ERROR, f"the {display_name} API answered HTTP {status}: {words}")
    if probe.write_check is not None and write_response is not None:
        refused = _write_refused(probe.write_check, write_response, secrets)
        if refused is not None:
            return failed(Problem.KEY_REFUSED, f"{display_name} {refused}")
    return CheckResult(
        ok=True, system=system, problem=None, detail=f"{display_name} answered at {base_url}"
    )


def _write_refused(write: WriteCheck, response: httpx.Response, secrets: Any) -> str | None:
    """Why a harmless write was refused (the key may only read), or None."""
    if response.status_code not in (401, 403):
        return None
    words = _scrub(api_message(_decoded(response), response.text), secrets)
    return (
        f"accepts the credentials for reading but refused a write "
        f"(HTTP {response.status_code}: {words}); {write.hint}"
    )


def json_api(shape: Callable[[Any], bool], hint: str) -> NotTheApi:
    """A recogniser for a JSON API: a 404, a body that is not JSON, or a 2xx JSON body of
    the wrong `shape` is not the API; `hint` says what URL to give instead."""

    def not_the_api(response: httpx.Response, body: Any) -> str | None:
        status = response.status_code
        if status == 404:
            return f"HTTP 404 for {response.url.path}; {hint}"
        if body is None and status < 500:
            kind = response.headers.get("content-type", "no content type").split(";")[0]
            return f"HTTP {status} with {kind}, not JSON; {hint}"
        if status < 300 and not shape(body):
            return f"its JSON is not what the API returns; {hint}"
        return None

    return not_the_api
