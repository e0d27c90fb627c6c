"""HTTP to the WPS Data Depot API v4: one method per endpoint, nothing of the store.

Collections come as `{data, meta: {cursor: {current, prev, next, count}}}` and are walked
with `connectors.paging.paginate`, which refuses a cursor it has seen. Order processing is
cart → items → order; `GET /orders/{po}` answers whether a PO already exists, which is how
`send_orders` avoids ever placing a second order. Errors are the shared tree
(`connectors.errors`); a refusal WPS explains (4xx with `{message, errors}`) becomes
`WpsRejected` carrying the supplier's own words.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Iterable, Mapping
from typing import Any
from urllib.parse import quote

import httpx

from ..errors import FatalError
from ..http import ConnectorClient, HttpSettings, RetryPolicy
from ..paging import Page, Token, cursor_page, paginate

# The API documents no maximum; one client reports 10,000 works, pages with includes are
# about 2 KB per item, so 10,000 keeps a page near 20 MB.
MAX_PAGE_SIZE = 10_000
# A truncated page is worth fetching again a few times before the run gives up.
MALFORMED_RETRIES = 3
# Bulk pages can be large; one client uses 120 s.
HTTP_SETTINGS = HttpSettings(
    timeout=httpx.Timeout(connect=10.0, read=120.0, write=30.0, pool=10.0),
    retry=RetryPolicy(attempts=5, base_delay=0.5, max_delay=20.0),
    headers={"Accept": "application/json"},
)
# `paginate` stops on a None token, so the first page (no cursor) needs its own marker.
FIRST_PAGE = ""


class WpsRejected(FatalError):
    """WPS refused a request and said why (`reason` is its message, field errors included)."""

    def __init__(
        self, message: str, *, status: int | None, reason: str, fields: frozenset[str]
    ) -> None:
        super().__init__(message, status=status)
        self.reason = reason
        self.fields = fields  # the fields WPS named in `errors`

    @property
    def duplicate_po(self) -> bool:
        """WPS says the PO number is taken (an open cart or an order already has it)."""
        return self.status == 422 and "po_number" in self.fields and "taken" in self.reason


def supplier_reason(body: str | None) -> str:
    """`The given data was invalid. quantity: Only 3 available; ...` from a WPS error body."""
    if not body:
        return "no detail given"
    try:
        data = json.loads(body)
    except ValueError:
        return body.strip()[:300]
    if not isinstance(data, dict):
        return body.strip()[:300]
    parts = [str(data.get("message") or "").strip()]
    errors = data.get("errors")
    if isinstance(errors, dict):
        for name, messages in errors.items():
            text = " ".join(str(m) for m in messages) if isinstance(messages, list) else messages
            parts.append(f"{name}: {text}")
    return " ".join(p for p in parts if p) or body.strip()[:300]


def error_fields(body: str | None) -> frozenset[str]:
    """The field names of a 422's `errors` object."""
    try:
        data = json.loads(body or "")
    except ValueError:
        return frozenset()
    errors = data.get("errors") if isinstance(data, dict) else None
    return frozenset(errors) if isinstance(errors, dict) else frozenset()


def _data(payload: Any) -> Any:
    """The `data` of an envelope; some answers (POST /orders) come bare."""
    if isinstance(payload, dict) and "data" in payload:
        return payload["data"]
    return payload


class WpsClient:
    """The WPS endpoints Dropdeck uses, over one connection's shared `ConnectorClient`."""

    def __init__(self, http: ConnectorClient) -> None:
        self.http = http
        self.requests = 0  # every API call, for run summaries and the benchmark

    # -- catalogue -----------------------------------------------------------------------

    async def items_page(
        self,
        cursor: Token,
        *,
        size: int,
        include: Iterable[str] = (),
        fields: Iterable[str] = (),
        filters: dict[str, str] | None = None,
    ) -> Page[dict[str, Any]]:
        """One page of `GET /items` (with `include=`, sparse `fields[items]=`, filters)."""
        params: dict[str, str | int] = {"page[size]": max(1, min(size, MAX_PAGE_SIZE))}
        if cursor:
            params["page[cursor]"] = str(cursor)
        if include:
            params["include"] = ",".join(include)
        if fields:
            params["fields[items]"] = ",".join(fields)
        params.update(filters or {})
        payload = await self._get("/items", params=params)
        return self._page(payload, "GET /items")

    async def iter_items(
        self,
        *,
        size: int,
        include: Iterable[str] = (),
        fields: Iterable[str] = (),
        filters: dict[str, str] | None = None,
        ahead: int = 0,
    ) -> AsyncGenerator[Page[dict[str, Any]], None]:
        """Every page of `GET /items`, following cursors until `next` is null; `ahead`
        pages are fetched while the caller works on the current one (see `paginate`)."""
        include, fields = tuple(include), tuple(fields)

        async def fetch(cursor: Token) -> Page[dict[str, Any]]:
            return await self.items_page(
                cursor, size=size, include=include, fields=fields, filters=filters
            )

        async for page in paginate(fetch, first=FIRST_PAGE, what="WPS items", ahead=ahead):
            yield page

    async def attribute_keys(self) -> dict[int, str]:
        """`GET /attributekeys`: attribute key id → name ("Size", "Color")."""
        names: dict[int, str] = {}

        async def fetch(cursor: Token) -> Page[dict[str, Any]]:
            params: dict[str, str | int] = {"page[size]": 1000}
            if cursor:
                params["page[cursor]"] = str(cursor)
            return self._page(await self._get("/attributekeys", params=params), "attributekeys")

        async for page in paginate(fetch, first=FIRST_PAGE, what="WPS attribute keys"):
            for key in page.items:
                if isinstance(key, dict) and isinstance(key.get("id"), int):
                    names[key["id"]] = str(key.get("name") or "")
        return names

    # -- carts and orders ----------------------------------------------------------------

    async def get_order(self, po_number: str) -> dict[str, Any] | None:
        """`GET /orders/{po}`: the PO with its order details, or None when WPS has none."""
        try:
            payload = await self._get(f"/orders/{_seg(po_number)}")
        except FatalError as exc:
            if exc.status == 404:
                return None
            raise
        found = _data(payload)
        if not isinstance(found, dict):
            raise FatalError(f"WPS GET /orders/{po_number}: the answer holds no PO object")
        return found

    async def create_cart(self, body: dict[str, Any]) -> dict[str, Any]:
        """`POST /carts`: open a cart for `body["po_number"]`."""
        return await self._post("/carts", body)

    async def delete_cart(self, po_number: str) -> bool:
        """`DELETE /carts/{po}`: False when there was no such cart."""
        try:
            self.requests += 1
            await self.http.request("DELETE", f"/carts/{_seg(po_number)}")
        except FatalError as exc:
            if exc.status == 404:
                return False
            raise
        return True

    async def add_cart_item(
        self, po_number: str, sku: str, quantity: int, extra: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        """`POST /carts/{po}/items` with `{item_sku, quantity}` (plus the line's `extra`
        fields, e.g. price and name, which WPS documents no field for)."""
        body: dict[str, Any] = {**(extra or {}), "item_sku": sku, "quantity": quantity}
        return await self._post(f"/carts/{_seg(po_number)}/items", body)

    async def submit_order(self, po_number: str) -> str:
        """`POST /orders` `{po_number}`: turn the cart into an order; its order number."""
        answer = await self._post("/orders", {"po_number": po_number})
        number = answer.get("order_number")
        if number in (None, ""):
            raise FatalError(f"WPS POST /orders for {po_number}: no order_number in the answer")
        return str(number)

    # -- plumbing ------------------------------------------------------------------------

    async def _get(self, path: str, **kwargs: Any) -> Any:
        self.requests += 1
        return await self.http.get_json(path, malformed_retries=MALFORMED_RETRIES, **kwargs)

    async def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        self.requests += 1
        try:
            response = await self.http.request("POST", path, json=body)
        except FatalError as exc:
            if exc.status is not None and 400 <= exc.status < 500 and exc.status not in (401, 403):
                raise WpsRejected(
                    exc.message,
                    status=exc.status,
                    reason=supplier_reason(exc.body),
                    fields=error_fields(exc.body),
                ) from None
            raise
        try:
            payload = response.json()
        except ValueError:
            # The POST took effect; an unreadable answer must not look like a failure.
            return {}
        data = _data(payload)
        return data if isinstance(data, dict) else {}

    def _page(self, payload: Any, what: str) -> Page[dict[str, Any]]:
        if not isinstance(payload, dict) or not isinstance(payload.get("data"), list):
            raise FatalError(f"WPS {what}: the answer is not a page ({{data: [...]}} expected)")
        data: list[dict[str, Any]] = payload["data"]
        cursor = (payload.get("meta") or {}).get("cursor") or {}
        return cursor_page(data, cursor.get("next"))


def _seg(value: str) -> str:
    """A PO number as one path segment."""
    return quote(value, safe="")
