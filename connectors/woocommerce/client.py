"""WooCommerce REST API (wc/v3, or wc/v2) and the Shipment Tracking plugin, over HTTP only.

One method per endpoint; nothing here knows the store. Lists page with `page`/`per_page`
and stop at `X-WP-TotalPages`. Batch endpoints take at most 100 items per request
(`BATCH_LIMIT`); callers chunk, this module refuses more rather than let WooCommerce
answer 413.

Auth: Basic over https; one-legged OAuth 1.0a (HMAC-SHA256, signed query string) over plain
http, which is what WooCommerce accepts there (see `woocommerce_auth`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from ..auth import BasicAuth, OAuth1Auth
from ..errors import FatalError
from ..http import ConnectorClient, HttpSettings, RetryPolicy
from ..paging import Page, numbered_page, paginate

BATCH_LIMIT = 100
PAGE_SIZE = 100
# A truncated JSON body on a GET is a transfer fault; asking again is safe (3 tries in all).
MALFORMED_RETRIES = 2
NOT_FOUND_CODES = frozenset(
    {
        "woocommerce_rest_product_invalid_id",
        "woocommerce_rest_product_variation_invalid_id",
        "woocommerce_rest_shop_order_invalid_id",
        "woocommerce_rest_order_invalid_id",
    }
)

HTTP_SETTINGS = HttpSettings(
    timeout=httpx.Timeout(connect=5.0, read=60.0, write=60.0, pool=30.0),
    retry=RetryPolicy(attempts=5, base_delay=0.5, max_delay=20.0),
    not_json_hint="Check the store's PHP error log",
)


def woocommerce_auth(base_url: str, consumer_key: str, consumer_secret: str) -> httpx.Auth:
    """Basic over https; OAuth 1.0a query signing over http (WooCommerce refuses Basic there)."""
    if httpx.URL(base_url).scheme == "https":
        return BasicAuth(consumer_key, consumer_secret)
    return OAuth1Auth(consumer_key, consumer_secret, signature_method="HMAC-SHA256")


@dataclass(frozen=True)
class BatchResult:
    """One batch response: successful items and per-item errors, by the id we sent."""

    ok: dict[int, dict[str, Any]]
    errors: dict[int, dict[str, Any]]
    created: list[dict[str, Any]]


def is_not_found(error: dict[str, Any]) -> bool:
    """True when a WooCommerce error object says the product/variation/order does not exist."""
    return str(error.get("code", "")) in NOT_FOUND_CODES


class WooClient:
    """Typed calls to one store. `http` is the connection's shared `ConnectorClient`."""

    def __init__(self, http: ConnectorClient, *, api: str = "wc/v3") -> None:
        self.http = http
        self.api = f"/wp-json/{api.strip('/')}"
        self.requests = 0
        self.writes = 0

    # --- plumbing -------------------------------------------------------------------------

    async def _send(
        self, method: str, path: str, *, idempotent: bool | None = None, **kwargs: Any
    ) -> tuple[Any, httpx.Response]:
        # `ConnectorClient` asks again for a body that is not JSON: reads, and batches of
        # absolute values; never a write that may have created something.
        again = MALFORMED_RETRIES if method == "GET" or idempotent else 0
        self.requests += 1
        if method != "GET":
            self.writes += 1
        return await self.http.request_json(
            method, path, idempotent=idempotent, malformed_retries=again, **kwargs
        )

    async def _page(self, path: str, page: int, params: dict[str, Any]) -> Page[dict[str, Any]]:
        body, response = await self._send(
            "GET", path, params={**params, "page": page, "per_page": PAGE_SIZE}
        )
        if not isinstance(body, list):
            raise FatalError(f"{self.http.name} GET {path}: expected a JSON list")
        try:
            total_pages = int(response.headers.get("x-wp-totalpages", "0"))
            total = int(response.headers.get("x-wp-total", "0"))
        except ValueError:
            total_pages, total = 0, len(body)
        return numbered_page(body, page, total_pages=total_pages, total=total)

    # --- products and variations ----------------------------------------------------------

    async def products_page(self, page: int, **filters: Any) -> Page[dict[str, Any]]:
        """One page (100) of products, ascending by id so new products never shift pages."""
        params = {"orderby": "id", "order": "asc", "status": "any", **filters}
        return await self._page(f"{self.api}/products", page, params)

    async def products_by_id(self, ids: Sequence[int]) -> list[dict[str, Any]]:
        """The products among `ids` (at most 100) that exist and are not trashed, with only
        `id`, `type` and `variations` (their variation ids): one request."""
        if len(ids) > PAGE_SIZE:
            raise ValueError(f"at most {PAGE_SIZE} ids a request")
        if not ids:
            return []
        params = {
            "include": ",".join(str(i) for i in ids),
            "status": "any",
            "orderby": "id",
            "order": "asc",
            "per_page": PAGE_SIZE,
            "_fields": "id,type,variations",
        }
        body, _ = await self._send("GET", f"{self.api}/products", params=params)
        if not isinstance(body, list):
            raise FatalError(f"{self.http.name} GET {self.api}/products: expected a JSON list")
        return [p for p in body if isinstance(p, dict)]

    async def variations_page(self, product_id: int, page: int) -> Page[dict[str, Any]]:
        """One page (100) of a variable product's variations."""
        params = {"orderby": "id", "order": "asc"}
        return await self._page(f"{self.api}/products/{product_id}/variations", page, params)

    async def all_variations(self, product_id: int) -> list[dict[str, Any]]:
        """Every variation of a product (usually one request)."""

        async def fetch(page: Any) -> Page[dict[str, Any]]:
            return await self.variations_page(product_id, int(page))

        out: list[dict[str, Any]] = []
        what = f"variations of product {product_id}"
        async for result in paginate(fetch, first=1, what=what):
            out.extend(result.items)
        return out

    async def create_product(self, data: dict[str, Any]) -> dict[str, Any]:
        """`POST /products` (not retried on a 5xx: it may have been created)."""
        body, _ = await self._send("POST", f"{self.api}/products", json=data)
        return dict(body)

    async def update_product(self, product_id: int, data: dict[str, Any]) -> dict[str, Any]:
        """`PUT /products/{id}` (idempotent: same values, same result)."""
        body, _ = await self._send("PUT", f"{self.api}/products/{product_id}", json=data)
        return dict(body)

    async def delete_product(self, product_id: int, *, force: bool = True) -> dict[str, Any]:
        """`DELETE /products/{id}`; `force` deletes for good instead of trashing."""
        body, _ = await self._send(
            "DELETE", f"{self.api}/products/{product_id}", params={"force": str(force).lower()}
        )
        return dict(body)

    async def create_variation(self, product_id: int, data: dict[str, Any]) -> dict[str, Any]:
        """`POST /products/{id}/variations`."""
        body, _ = await self._send(
            "POST", f"{self.api}/products/{product_id}/variations", json=data
        )
        return dict(body)

    async def batch_products(
        self,
        *,
        create: Sequence[dict[str, Any]] = (),
        update: Sequence[dict[str, Any]] = (),
        delete: Sequence[int] = (),
    ) -> BatchResult:
        """`POST /products/batch` (at most 100 items in all)."""
        return await self._batch(f"{self.api}/products/batch", create, update, delete)

    async def batch_variations(
        self,
        product_id: int,
        *,
        create: Sequence[dict[str, Any]] = (),
        update: Sequence[dict[str, Any]] = (),
        delete: Sequence[int] = (),
    ) -> BatchResult:
        """`POST /products/{id}/variations/batch` (at most 100 items in all)."""
        path = f"{self.api}/products/{product_id}/variations/batch"
        return await self._batch(path, create, update, delete)

    async def _batch(
        self,
        path: str,
        create: Sequence[dict[str, Any]],
        update: Sequence[dict[str, Any]],
        delete: Sequence[int],
    ) -> BatchResult:
        if len(create) + len(update) + len(delete) > BATCH_LIMIT:
            raise ValueError(f"a WooCommerce batch takes at most {BATCH_LIMIT} items")
        payload: dict[str, Any] = {}
        if create:
            payload["create"] = list(create)
        if update:
            payload["update"] = list(update)
        if delete:
            payload["delete"] = list(delete)
        # Updates and deletes set absolute values, so a batch without creates can be resent
        # after a 5xx or a dropped connection; one with creates could duplicate products.
        body, _ = await self._send("POST", path, json=payload, idempotent=not create)
        if not isinstance(body, dict):
            raise FatalError(f"{self.http.name} POST {path}: expected a JSON object")
        ok: dict[int, dict[str, Any]] = {}
        errors: dict[int, dict[str, Any]] = {}
        for section in ("update", "delete"):
            for item in body.get(section) or []:
                item_id = _int(item.get("id"))
                if "error" in item:
                    errors[item_id] = item["error"]
                else:
                    ok[item_id] = item
        return BatchResult(ok=ok, errors=errors, created=list(body.get("create") or []))

    # --- orders ---------------------------------------------------------------------------

    async def orders_page(
        self, page: int, *, statuses: Iterable[str], after: str | None
    ) -> Page[dict[str, Any]]:
        """One page of orders with these statuses created after `after` (ISO 8601, UTC)."""
        params: dict[str, Any] = {
            "status": ",".join(statuses),
            "orderby": "id",
            "order": "asc",
        }
        if after:
            params.update(after=after, dates_are_gmt="true")
        return await self._page(f"{self.api}/orders", page, params)

    async def update_order(self, order_id: int, data: dict[str, Any]) -> dict[str, Any]:
        """`PUT /orders/{id}` (status, addresses, meta)."""
        body, _ = await self._send("PUT", f"{self.api}/orders/{order_id}", json=data)
        return dict(body)

    async def add_order_note(
        self, order_id: int, note: str, *, customer_note: bool = True
    ) -> dict[str, Any]:
        """`POST /orders/{id}/notes`; a customer note is emailed to the shopper."""
        body, _ = await self._send(
            "POST",
            f"{self.api}/orders/{order_id}/notes",
            json={"note": note, "customer_note": customer_note},
        )
        return dict(body)

    async def order_notes(self, order_id: int) -> list[dict[str, Any]]:
        """`GET /orders/{id}/notes`."""
        body, _ = await self._send("GET", f"{self.api}/orders/{order_id}/notes")
        return list(body)

    async def add_tracking(self, order_id: int, data: dict[str, Any]) -> dict[str, Any]:
        """Shipment Tracking plugin: `POST .../orders/{id}/shipment-trackings`."""
        body, _ = await self._send("POST", _tracking_path(order_id), json=data)
        return dict(body)

    async def trackings(self, order_id: int) -> list[dict[str, Any]]:
        """Shipment Tracking plugin: the order's tracking items."""
        body, _ = await self._send("GET", _tracking_path(order_id))
        return list(body)


def _tracking_path(order_id: int) -> str:
    return f"/wp-json/wc-shipment-tracking/v3/orders/{order_id}/shipment-trackings"


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
