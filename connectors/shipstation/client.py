"""HTTP to ShipStation API v1 (ssapi.shipstation.com): one method per endpoint, nothing of
the store.

Auth is HTTP Basic (API key as user, API secret as password) through `connectors.auth`.
ShipStation allows 40 requests a minute per key pair and says on every answer how many are
left (`X-Rate-Limit-*`); the shared client paces itself from those headers, and a 429 that
names no reset waits 60 s, as ShipStation's own clients do. Lists are page-numbered
(`page`, `pageSize` at most 500) inside `{<collection>, total, page, pages}`.

Errors are the shared tree (`connectors.errors`). A refusal ShipStation explains (4xx with
`message`, or the legacy `Message`/`ExceptionMessage` body) becomes `ShipStationRejected`
carrying ShipStation's own words.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import httpx

from ..auth import BasicAuth
from ..errors import FatalError
from ..http import ConnectorClient, HttpSettings, RetryPolicy
from ..paging import Page, next_page_number

MAX_PAGE_SIZE = 500
# ShipStation's own clients wait a minute on a 429 without a reset header.
HTTP_SETTINGS = HttpSettings(
    timeout=httpx.Timeout(connect=10.0, read=60.0, write=30.0, pool=10.0),
    retry=RetryPolicy(attempts=5, base_delay=1.0, max_delay=30.0, default_429_delay=60.0),
    headers={"Accept": "application/json"},
)


def auth(api_key: str, api_secret: str) -> BasicAuth:
    """Basic key:secret, the only scheme v1 accepts (whitespace pasted around them dropped)."""
    return BasicAuth(api_key.strip(), api_secret.strip())


class ShipStationRejected(FatalError):
    """ShipStation refused a request and said why (`reason` is its own message)."""

    def __init__(self, message: str, *, status: int | None, reason: str) -> None:
        super().__init__(message, status=status)
        self.reason = reason


def api_reason(body: str | None) -> str:
    """ShipStation's words from an error body: `message`, `Message` or `ExceptionMessage`."""
    if not body or not body.strip():
        return "no detail given"
    try:
        data = json.loads(body)
    except ValueError:
        return body.strip()[:300]
    if not isinstance(data, dict):
        return body.strip()[:300]
    lowered = {str(k).lower(): v for k, v in data.items()}
    parts = []
    for key in ("message", "exceptionmessage"):
        text = str(lowered.get(key) or "").strip()
        if text and text not in parts:
            parts.append(text)
    return " ".join(parts) or body.strip()[:300]


class ShipStationClient:
    """The ShipStation endpoints Dropdeck uses, over one connection's shared client."""

    def __init__(self, http: ConnectorClient) -> None:
        self.http = http

    # -- account ----------------------------------------------------------------------------

    async def users(self) -> list[dict[str, Any]]:
        """`GET /users`: the account's users (`userId` GUID, `userName`, `name`)."""
        return _list(await self._get("/users"), "GET /users")

    async def tags(self) -> list[dict[str, Any]]:
        """`GET /accounts/listtags`: the account's tags (`tagId`, `name`, `color`)."""
        return _list(await self._get("/accounts/listtags"), "GET /accounts/listtags")

    async def carriers(self) -> list[dict[str, Any]]:
        """`GET /carriers`: the carriers connected to the account (`code`, `name`, ...)."""
        return _list(await self._get("/carriers"), "GET /carriers")

    # -- catalogue --------------------------------------------------------------------------

    async def products_page(self, page: int, *, size: int = MAX_PAGE_SIZE) -> Page[dict[str, Any]]:
        """One page of `GET /products` (active products, in ShipStation's order)."""
        params = {"page": page, "pageSize": _size(size)}
        return _page(await self._get("/products", params=params), "products", page, size)

    # -- orders -----------------------------------------------------------------------------

    async def orders_page(
        self,
        page: int,
        *,
        status: str | None,
        created_from: str | None = None,
        created_to: str | None = None,
        newest_first: bool = False,
        size: int = MAX_PAGE_SIZE,
    ) -> Page[dict[str, Any]]:
        """One page of `GET /orders` with an `orderStatus` and a `createDate` range.

        Dates are ShipStation filter strings (`mapping.filter_time`). Pages run by ascending
        order id unless `newest_first` (then by CreateDate, newest first).
        """
        params: dict[str, str | int] = {"page": page, "pageSize": _size(size)}
        if status:
            params["orderStatus"] = status
        if created_from:
            params["createDateStart"] = created_from
        if created_to:
            params["createDateEnd"] = created_to
        if newest_first:
            params.update(sortBy="CreateDate", sortDir="DESC")
        return _page(await self._get("/orders", params=params), "orders", page, size)

    async def orders_by_tag_page(
        self, page: int, *, tag_id: int, status: str, size: int = MAX_PAGE_SIZE
    ) -> Page[dict[str, Any]]:
        """One page of `GET /orders/listbytag` (both `tagId` and `orderStatus` are required)."""
        params = {"orderStatus": status, "tagId": tag_id, "page": page, "pageSize": _size(size)}
        payload = await self._get("/orders/listbytag", params=params)
        return _page(payload, "orders", page, size)

    async def order(self, order_id: str | int) -> dict[str, Any] | None:
        """`GET /orders/{orderId}`, or None when ShipStation has no such order."""
        try:
            payload = await self._get(f"/orders/{int(order_id)}")
        except ShipStationRejected as exc:
            if exc.status == 404:
                return None
            raise
        if not isinstance(payload, dict):
            raise FatalError(f"ShipStation GET /orders/{order_id}: the answer is not an order")
        return payload

    async def fulfillments(self, order_id: str | int) -> list[dict[str, Any]]:
        """`GET /fulfillments?orderId=`: where markasshipped records land (first 500)."""
        params = {"orderId": int(order_id), "pageSize": MAX_PAGE_SIZE}
        payload = await self._get("/fulfillments", params=params)
        return _page(payload, "fulfillments", 1, MAX_PAGE_SIZE).items

    async def assign_user(self, order_ids: list[int], user_id: str) -> None:
        """`POST /orders/assignuser`: all or nothing (one unknown order id changes none)."""
        await self._post("/orders/assignuser", {"orderIds": order_ids, "userId": user_id})

    async def mark_as_shipped(
        self,
        order_id: str | int,
        *,
        carrier_code: str,
        ship_date: date,
        tracking_number: str,
        notify_customer: bool,
        notify_sales_channel: bool,
    ) -> dict[str, Any]:
        """`POST /orders/markasshipped`: the order becomes `shipped` with a fulfillment.

        Never retried after the request may have reached ShipStation (the shared client
        raises instead); the caller looks at the order before sending it again.
        """
        body = {
            "orderId": int(order_id),
            "carrierCode": carrier_code,
            "shipDate": ship_date.isoformat(),
            "trackingNumber": tracking_number,
            "notifyCustomer": notify_customer,
            "notifySalesChannel": notify_sales_channel,
        }
        payload = await self._post("/orders/markasshipped", body)
        return payload if isinstance(payload, dict) else {}

    # -- plumbing ---------------------------------------------------------------------------

    async def _get(self, path: str, **kwargs: Any) -> Any:
        try:
            return await self.http.get_json(path, malformed_retries=2, **kwargs)
        except FatalError as exc:
            raise _rejected(exc, f"GET {path}") from None

    async def _post(self, path: str, body: dict[str, Any]) -> Any:
        try:
            response = await self.http.request("POST", path, json=body)
        except FatalError as exc:
            raise _rejected(exc, f"POST {path}") from None
        try:
            return response.json()
        except ValueError:
            return None


def _rejected(exc: FatalError, what: str) -> FatalError:
    """A 4xx with a body becomes `ShipStationRejected` in ShipStation's words; else as is."""
    if exc.body is None or exc.pauses_integration or exc.status is None:
        return exc
    reason = api_reason(exc.body)
    return ShipStationRejected(
        f"ShipStation {what}: HTTP {exc.status}: {reason}", status=exc.status, reason=reason
    )


def _size(size: int) -> int:
    return max(1, min(size, MAX_PAGE_SIZE))


def _list(payload: Any, what: str) -> list[dict[str, Any]]:
    if not isinstance(payload, list):
        raise FatalError(f"ShipStation {what}: expected a list, got {type(payload).__name__}")
    return [x for x in payload if isinstance(x, dict)]


def _page(payload: Any, key: str, page: int, size: int) -> Page[dict[str, Any]]:
    """`{<key>: [...], total, page, pages}` as a `Page` whose token is the next page number."""
    if not isinstance(payload, dict) or not isinstance(payload.get(key), list):
        raise FatalError(f"ShipStation {key} page {page}: the answer has no '{key}' list")
    items = [x for x in payload[key] if isinstance(x, dict)]
    pages = payload.get("pages")
    total = payload.get("total")
    return Page(
        items=items,
        next_token=next_page_number(
            page, len(items), _size(size), total_pages=pages if isinstance(pages, int) else None
        ),
        total=total if isinstance(total, int) else None,
    )
