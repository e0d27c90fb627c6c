"""Magento 2 REST API (`/rest/V1`), over HTTP only: one method per endpoint.

Reads go to `/rest/V1` (the default store view); catalogue writes go to
`/rest/<store_code>/V1` (`all` by default: global values, see docs/magento.md). Lists use
`searchCriteria` with `pageSize`/`currentPage`; the next page is asked for only while
fewer than `total_count` items have come, so a 2.3 server (which repeats the last page
past the end) and a 2.4 server (which answers an empty page) end the same way.

Errors: Magento's body is `{"message": template, "parameters": ...}`; `magento_message`
substitutes the parameters. A 401 names the admin setting that lets integration tokens
be used as bearer tokens (off by default since 2.4.4).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

import httpx

from ..auth import BearerAuth
from ..errors import AuthError, FatalError
from ..http import ConnectorClient, HttpSettings, RetryPolicy
from ..paging import Page

HTTP_SETTINGS = HttpSettings(
    timeout=httpx.Timeout(connect=5.0, read=90.0, write=90.0, pool=30.0),
    retry=RetryPolicy(attempts=5, base_delay=0.5, max_delay=20.0),
)
NO_ROUTE = "Request does not match any route."
ORDERS_PAGE_SIZE = 50  # the guide's batch size for Get Orders
MALFORMED_RETRIES = 2
BEARER_SETTING = (
    "Stores > Configuration > Services > OAuth > Consumer Settings > "
    "Allow OAuth Access Tokens to be used as standalone Bearer tokens"
)
REFUSED_HINT = (
    f"if the access token is right, turn on {BEARER_SETTING} (off by default since "
    "Magento 2.4.4) and check the integration's API permissions"
)


def magento_auth(token: str) -> httpx.Auth:
    """The integration access token as a bearer token."""
    return BearerAuth(token.strip())


def magento_message(body: Any) -> str:
    """Magento's error message with its `%1` / `%name` parameters filled in."""
    if not isinstance(body, dict):
        return ""
    text = str(body.get("message") or "")
    params = body.get("parameters")
    if isinstance(params, list):
        for n, value in enumerate(params, 1):
            text = text.replace(f"%{n}", str(value))
    elif isinstance(params, dict):
        for key, value in params.items():
            text = text.replace(f"%{key}", str(value))
    return " ".join(text.split())


def error_message(exc: FatalError) -> str:
    """The API's own words from a failed request (falls back to our message)."""
    raw = getattr(exc, "body", None)
    if raw:
        try:
            words = magento_message(json.loads(raw))
        except ValueError:
            words = ""
        if words:
            return words
    return exc.message


def criteria(
    *,
    page: int | None = None,
    size: int | None = None,
    filters: Sequence[tuple[str, str, str]] = (),
    sort: tuple[str, str] | None = None,
) -> dict[str, str]:
    """`searchCriteria` query parameters; each filter (field, value, condition) is its own
    group, so they are ANDed."""
    params: dict[str, str] = {}
    for n, (field, value, condition) in enumerate(filters):
        base = f"searchCriteria[filterGroups][{n}][filters][0]"
        params[f"{base}[field]"] = field
        params[f"{base}[value]"] = value
        params[f"{base}[conditionType]"] = condition
    if sort is not None:
        params["searchCriteria[sortOrders][0][field]"] = sort[0]
        params["searchCriteria[sortOrders][0][direction]"] = sort[1]
    if size is not None:
        params["searchCriteria[pageSize]"] = str(size)
        params["searchCriteria[currentPage]"] = str(page or 1)
    if not params:
        params["searchCriteria"] = ""
    return params


class NoRoute(FatalError):
    """Magento has no such route: a wrong store code or store URL, never a missing record
    (a product 404 has its own words). Pauses the integration."""

    pauses_integration = True


def _no_route(exc: FatalError, prefix: str) -> FatalError:
    if exc.status == 404 and error_message(exc) == NO_ROUTE:
        return NoRoute(
            f"Magento answered {NO_ROUTE!r} under {prefix}: check the store code setting "
            "(all, default or a store view's code) and the store URL",
            status=404,
        )
    return exc


def _sku(sku: str) -> str:
    # `/` and `+` must be encoded in a path (magento2 #8615, #23043).
    return quote(sku, safe="")


class MagentoClient:
    """The Magento REST endpoints Dropdeck uses."""

    def __init__(self, http: ConnectorClient, *, page_size: int = 250, store_code: str = "all"):
        self.http = http
        self.page_size = page_size
        self.read = "/rest/V1"
        self.write = f"/rest/{store_code}/V1"
        self.requests = 0

    async def _get(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        self.requests += 1
        try:
            return await self.http.get_json(
                self.read + path, params=dict(params or {}), malformed_retries=MALFORMED_RETRIES
            )
        except AuthError as exc:
            raise AuthError(f"{exc.message}; {REFUSED_HINT}", status=exc.status) from None
        except FatalError as exc:
            raise _no_route(exc, self.read) from None

    async def _send(self, method: str, path: str, body: Any, *, scope: str | None = None) -> Any:
        self.requests += 1
        try:
            found, _ = await self.http.request_json(method, (scope or self.write) + path, json=body)
        except AuthError as exc:
            raise AuthError(f"{exc.message}; {REFUSED_HINT}", status=exc.status) from None
        except FatalError as exc:
            raise _no_route(exc, scope or self.write) from None
        return found

    async def _page(self, path: str, page: int, size: int, **kw: Any) -> Page[dict[str, Any]]:
        body = await self._get(path, criteria(page=page, size=size, **kw))
        items = list(body.get("items") or []) if isinstance(body, dict) else []
        total = int(body.get("total_count") or 0) if isinstance(body, dict) else 0
        # Past the end 2.3 repeats the last page and 2.4 answers []: stop on the count.
        done = (page - 1) * size + len(items)
        next_token = page + 1 if items and done < total else None
        return Page(items=items, next_token=next_token, total=total)

    # --- catalogue ---------------------------------------------------------------------------

    async def products_page(
        self, page: int, *, updated_since: str | None = None
    ) -> Page[dict[str, Any]]:
        """Products page `page` (all types), ascending by entity id; only those created or
        changed since `updated_since` ('YYYY-MM-DD HH:MM:SS' UTC) when given. No
        `stock_item` here."""
        filters = [("updated_at", updated_since, "gteq")] if updated_since else []
        return await self._page(
            "/products", page, self.page_size, filters=filters, sort=("entity_id", "ASC")
        )

    async def product_count(self) -> int:
        """How many products the store has (one request for one product)."""
        return (await self._page("/products", 1, 1)).total or 0

    async def products_by_sku(self, skus: Iterable[str]) -> list[dict[str, Any]]:
        """The products among `skus` (one request: `sku in (...)`)."""
        wanted = sorted(set(skus))
        if not wanted:
            return []
        body = await self._get("/products", criteria(filters=[("sku", ",".join(wanted), "in")]))
        return list(body.get("items") or [])

    async def products_by_id(self, ids: Iterable[str]) -> list[dict[str, Any]]:
        """The products among entity `ids` (one request: `entity_id in (...)`)."""
        wanted = sorted(set(ids))
        if not wanted:
            return []
        body = await self._get(
            "/products", criteria(filters=[("entity_id", ",".join(wanted), "in")])
        )
        return list(body.get("items") or [])

    async def product(self, sku: str) -> dict[str, Any]:
        """One product with its `stock_item`."""
        found: dict[str, Any] = await self._get(f"/products/{_sku(sku)}")
        return found

    async def children(self, sku: str) -> list[dict[str, Any]]:
        """A configurable product's children."""
        found = await self._get(f"/configurable-products/{_sku(sku)}/children")
        return list(found or [])

    async def source_items(self, skus: Iterable[str]) -> dict[str, tuple[float, bool]]:
        """sku -> (quantity, in stock) from MSI source items, one request for all `skus`."""
        wanted = sorted(set(skus))
        if not wanted:
            return {}
        body = await self._get(
            "/inventory/source-items", criteria(filters=[("sku", ",".join(wanted), "in")])
        )
        out: dict[str, tuple[float, bool]] = {}
        for row in body.get("items") or []:
            qty, in_stock = out.get(str(row.get("sku")), (0.0, False))
            out[str(row.get("sku"))] = (
                qty + float(row.get("quantity") or 0),
                in_stock or bool(row.get("status")),
            )
        return out

    async def categories(self) -> list[dict[str, Any]]:
        """Every category (id, parent_id, name, level), unpaged."""
        body = await self._get("/categories/list", criteria())
        return list(body.get("items") or [])

    async def store_views(self) -> list[dict[str, Any]]:
        """`GET /V1/store/storeViews`: every store view (id, code, store_group_id)."""
        return list(await self._get("/store/storeViews") or [])

    async def store_groups(self) -> list[dict[str, Any]]:
        """`GET /V1/store/storeGroups`: every store group (id, root_category_id)."""
        return list(await self._get("/store/storeGroups") or [])

    async def create_category(self, name: str, parent_id: int) -> dict[str, Any]:
        """`POST /V1/categories`: a new active category under `parent_id`."""
        body = {"category": {"name": name, "parent_id": parent_id, "is_active": True}}
        found: dict[str, Any] = await self._send("POST", "/categories", body)
        return found

    async def save_product(self, sku: str, product: dict[str, Any], *, create: bool) -> Any:
        """POST (create) or PUT (update) a product; both are upserts in Magento."""
        if create:
            return await self._send("POST", "/products", {"product": product})
        return await self._send("PUT", f"/products/{_sku(sku)}", {"product": product})

    async def bulk_update(self, products: Sequence[dict[str, Any]]) -> dict[str, Any]:
        """`PUT /async/bulk/V1/products/bySku`: queued, answered 202 with `bulk_uuid`."""
        scope = self.write.replace("/V1", "/async/bulk/V1")
        body = [{"product": p} for p in products]
        found: dict[str, Any] = await self._send("PUT", "/products/bySku", body, scope=scope)
        return found

    async def bulk_status(self, uuid: str) -> dict[str, Any]:
        """`GET /V1/bulk/{uuid}/status`."""
        found: dict[str, Any] = await self._get(f"/bulk/{quote(uuid, safe='')}/status")
        return found

    async def media(self, sku: str) -> list[dict[str, Any]]:
        """The product's media gallery entries."""
        return list(await self._get(f"/products/{_sku(sku)}/media") or [])

    async def add_media(self, sku: str, entry: dict[str, Any]) -> str:
        """Upload one image; the new entry id."""
        return str(await self._send("POST", f"/products/{_sku(sku)}/media", {"entry": entry}))

    async def delete_media(self, sku: str, entry_id: int) -> None:
        """Remove one gallery entry."""
        await self._send("DELETE", f"/products/{_sku(sku)}/media/{entry_id}", None)

    async def options(self, sku: str) -> list[dict[str, Any]]:
        """A configurable product's options."""
        return list(await self._get(f"/configurable-products/{_sku(sku)}/options/all") or [])

    async def add_option(self, sku: str, option: dict[str, Any]) -> int:
        """Add a configurable option; its id."""
        path = f"/configurable-products/{_sku(sku)}/options"
        return int(await self._send("POST", path, {"option": option}))

    async def add_child(self, sku: str, child_sku: str) -> None:
        """Link one child to a configurable product."""
        path = f"/configurable-products/{_sku(sku)}/child"
        await self._send("POST", path, {"childSku": child_sku})

    # --- sales -------------------------------------------------------------------------------

    async def orders_page(
        self, page: int, *, statuses: Sequence[str], created_from: str
    ) -> Page[dict[str, Any]]:
        """Orders created since `created_from` ('YYYY-MM-DD HH:MM:SS' UTC) with one of
        `statuses` (all when empty), ascending by entity id, 50 a page."""
        filters = [("created_at", created_from, "gteq")]
        if statuses:
            filters.append(("status", ",".join(statuses), "in"))
        return await self._page(
            "/orders", page, ORDERS_PAGE_SIZE, filters=filters, sort=("entity_id", "ASC")
        )

    async def order(self, order_id: int) -> dict[str, Any]:
        """One order with its items."""
        found: dict[str, Any] = await self._get(f"/orders/{order_id}")
        return found

    async def invoices(self, order_ids: Iterable[int]) -> list[dict[str, Any]]:
        """The invoices of `order_ids` (one request)."""
        wanted = sorted(set(order_ids))
        if not wanted:
            return []
        body = await self._get(
            "/invoices", criteria(filters=[("order_id", ",".join(map(str, wanted)), "in")])
        )
        return list(body.get("items") or [])

    async def add_comment(self, order_id: int, history: dict[str, Any]) -> None:
        """`POST /V1/orders/{id}/comments` with `{"statusHistory": ...}`."""
        await self._send(
            "POST", f"/orders/{order_id}/comments", {"statusHistory": history}, scope=self.read
        )

    async def comments(self, order_id: int) -> list[dict[str, Any]]:
        """The order's status history (comments)."""
        body = await self._get(f"/orders/{order_id}/comments")
        return list(body.get("items") or [])

    async def ship(self, order_id: int, body: dict[str, Any]) -> int:
        """`POST /V1/order/{id}/ship`: the new shipment's id."""
        return int(await self._send("POST", f"/order/{order_id}/ship", body, scope=self.read))

    async def shipments(self, order_id: int) -> list[dict[str, Any]]:
        """The order's shipments with their tracks."""
        body = await self._get("/shipments", criteria(filters=[("order_id", str(order_id), "eq")]))
        return list(body.get("items") or [])
