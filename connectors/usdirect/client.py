"""The US Direct API as this connector assumes it (docs/usdirect.md): one method per call.

`X-API-TOKEN: <api token>` on every call; invoices also carry `X-RESELLER-TOKEN`. Errors are
`{"error", "message"}`; a refused order is a 409 (`duplicate_po`) or a 422 (`validation`,
with `fields`). Feeds are fetched from their own token-bearing URLs without the API token.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx

from ..errors import FatalError
from ..http import ConnectorClient, HttpSettings, RetryPolicy, safe_url

# Assumed: 2 requests per second per token (Flxpoint's documented budget).
HTTP_SETTINGS = HttpSettings(
    rate_limit=(2, 1.0),
    retry=RetryPolicy(attempts=5, base_delay=0.5),
    timeout=httpx.Timeout(connect=5.0, read=120.0, write=30.0, pool=10.0),
    not_json_hint="check the connection's base URL is the US Direct API",
)


class UsDirectRejected(FatalError):
    """US Direct refused an order (409 duplicate PO, 422 validation): its own words."""

    def __init__(self, message: str, *, reason: str, duplicate_po: bool, status: int) -> None:
        super().__init__(message, status=status)
        self.reason = reason
        self.duplicate_po = duplicate_po


def _words(body: str) -> tuple[str, str, dict[str, Any]]:
    try:
        parsed = json.loads(body)
    except ValueError:
        return "", body[:200], {}
    if not isinstance(parsed, dict):
        return "", body[:200], {}
    fields = parsed.get("fields") if isinstance(parsed.get("fields"), dict) else {}
    return str(parsed.get("error") or ""), str(parsed.get("message") or ""), fields or {}


class UsDirectClient:
    """Orders, shipments and invoices by PO; inventory feeds streamed."""

    def __init__(self, http: ConnectorClient, reseller_token: str = "") -> None:
        self.http = http
        self.reseller_token = reseller_token
        self.requests = 0

    @asynccontextmanager
    async def feed(
        self, url: str, *, modified_since: datetime | None
    ) -> AsyncIterator[httpx.Response]:
        """The feed's streamed response (304 when unchanged since `modified_since`)."""
        self.http.scrub_also(safe_url(url))
        headers = {}
        if modified_since is not None:
            # HTTP dates have whole seconds: a second back, so a change within the same
            # second as `modified_since` still counts as modified.
            since = modified_since.replace(microsecond=0) - timedelta(seconds=1)
            headers["If-Modified-Since"] = format_datetime(since, usegmt=True)
        self.requests += 1
        async with self.http.stream("GET", url, headers=headers, auth=None) as response:
            yield response

    async def create_order(self, body: dict[str, Any]) -> str:
        """POST /orders; the US Direct order id. `UsDirectRejected` when refused."""
        self.requests += 1
        try:
            created, _ = await self.http.request_json("POST", "/orders", json=body)
        except FatalError as exc:
            if exc.status in (409, 422) and exc.body is not None:
                code, message, fields = _words(exc.body)
                detail = "; ".join(f"{k} {v}" for k, v in fields.items())
                reason = message + (f" ({detail})" if detail else "")
                raise UsDirectRejected(
                    str(exc),
                    reason=reason or code,
                    duplicate_po=code == "duplicate_po",
                    status=exc.status,
                ) from None
            raise
        return str(created.get("order_id") or "")

    async def get_order(self, po_number: str) -> dict[str, Any] | None:
        """GET /orders/{po}; None when US Direct has no such PO."""
        return await self._get_or_none(f"/orders/{_segment(po_number)}")

    async def shipments(self, po_number: str) -> list[Any]:
        """GET /shipments?po_number=: the PO's shipments (voided ones included)."""
        self.requests += 1
        body = await self.http.get_json(
            "/shipments", params={"po_number": po_number}, malformed_retries=2
        )
        found = body.get("shipments") if isinstance(body, dict) else None
        if not isinstance(found, list):
            raise FatalError("US Direct GET /shipments: the answer has no shipments list")
        return found

    async def invoice(self, po_number: str) -> dict[str, Any] | None:
        """GET /invoices/{po} with the reseller token; None while there is none."""
        return await self._get_or_none(
            f"/invoices/{_segment(po_number)}", headers={"X-RESELLER-TOKEN": self.reseller_token}
        )

    async def _get_or_none(self, path: str, **kwargs: Any) -> dict[str, Any] | None:
        self.requests += 1
        try:
            body = await self.http.get_json(path, malformed_retries=2, **kwargs)
        except FatalError as exc:
            if exc.status == 404:
                return None
            raise
        if not isinstance(body, dict):
            raise FatalError(f"US Direct GET {path.split('/')[1]}: the answer is not an object")
        return body


def _segment(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")
