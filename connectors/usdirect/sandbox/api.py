"""US Direct sandbox API: token auth, `{"error", "message"}` bodies, CSV inventory feeds
(streamed with Content-Length, Last-Modified, an MD5 ETag and conditional GET), orders by
PO (`ship_method` one of the shipping codes), shipments (`since`, status, shipping code)
and invoices (reseller token).
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
from collections.abc import AsyncIterator, Callable, Iterable
from datetime import datetime
from decimal import Decimal
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route
from starlette.types import Scope

from connectors.sandboxing.auth import bearer_token
from connectors.sandboxing.records import public
from connectors.usdirect.sandbox.state import (
    SHIP_METHODS,
    SHIP_TO_FIELDS,
    SHIP_TO_OPTIONAL,
    USDirectState,
)

FEED_CHUNK_ROWS = 2000
# Broken rows a `feed_malformed_rows` feed starts with: no SKU, a price and a quantity that
# are not numbers, a row with a missing column.
MALFORMED_ROWS: tuple[tuple[str, ...], ...] = (
    ("", "No SKU", "1.00", "1"),
    ("BAD-PRICE", "Bad price", "twelve", "1"),
    ("BAD-QTY", "Bad quantity", "1.00", "-3"),
    ("SHORT-ROW", "Short row"),
)


def error(
    status: int,
    code: str,
    message: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """The assumed error body: `{"error": code[, "message"][, ...]}`."""
    body: dict[str, Any] = {"error": code}
    if message:
        body["message"] = message
    body.update(extra)
    return JSONResponse(body, status_code=status, headers=headers)


def token_of(scope: Scope) -> str | None:
    """`X-API-TOKEN`, else `Authorization: Bearer`."""
    headers: dict[bytes, bytes] = dict(scope.get("headers", []))
    if b"x-api-token" in headers:
        return headers[b"x-api-token"].decode("latin-1")
    auth = headers.get(b"authorization", b"").decode("latin-1")
    return bearer_token(auth)


Handler = Callable[[Request], Any]


def validate_order(state: USDirectState, body: Any) -> dict[str, str]:
    """Field errors of a POST /orders body (empty when valid)."""
    if not isinstance(body, dict):
        return {"body": "must be a JSON object"}
    fields: dict[str, str] = {}
    if not isinstance(body.get("po_number"), str) or not body["po_number"].strip():
        fields["po_number"] = "is required"
    ship_to = body.get("ship_to")
    if not isinstance(ship_to, dict):
        fields["ship_to"] = "is required"
    else:
        for name in SHIP_TO_FIELDS:
            if not isinstance(ship_to.get(name), str) or not ship_to[name].strip():
                fields[f"ship_to.{name}"] = "is required"
    method = body.get("ship_method")
    if not isinstance(method, str) or not method:
        fields["ship_method"] = "is required"
    elif method not in SHIP_METHODS:
        fields["ship_method"] = f"must be one of {', '.join(SHIP_METHODS)}"
    items = body.get("items")
    if not isinstance(items, list) or not items:
        fields["items"] = "must list at least one item"
        return fields
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            fields[f"items[{i}]"] = "must be an object"
            continue
        if item.get("sku") not in state.products:
            fields[f"items[{i}].sku"] = "is not a US Direct SKU"
        quantity = item.get("quantity")
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            fields[f"items[{i}].quantity"] = "must be a whole number >= 1"
    return fields


def api_routes(state: USDirectState) -> list[BaseRoute]:
    """Feeds, orders, shipments and invoices."""

    def guarded(fn: Handler) -> Handler:
        async def endpoint(request: Request) -> Response:
            if token_of(request.scope) != state.token:
                return error(401, "unauthorized")
            if not state.settings.integration_access:
                return error(
                    403, "forbidden", "Integration access is not enabled for this account."
                )
            response: Response = await fn(request)
            return response

        return endpoint

    def feed(skus: Callable[[], list[str]], *, secondary: bool = False) -> Handler:
        async def endpoint(request: Request) -> Response:
            if request.path_params["token"] != state.feed_token:
                return error(401, "unauthorized")
            if secondary and not state.settings.secondary_feed:
                return error(404, "not_found", "This account has no secondary feed.")
            modified = format_datetime(state.feed_modified, usegmt=True)
            # As a file server would: the whole file's length and, like S3, its MD5 as ETag.
            chunks = [c.encode() for c in feed_texts(state, skus())]
            digest = hashlib.md5(usedforsecurity=False)
            for chunk in chunks:
                digest.update(chunk)
            etag = f'"{digest.hexdigest()}"'
            validators = {"Last-Modified": modified, "ETag": etag}
            if not_modified(request, etag, state.feed_modified):
                return Response(status_code=304, headers=validators)
            length = str(sum(map(len, chunks)))
            return StreamingResponse(
                paced(chunks, state.settings.feed_delay_ms / 1000),
                media_type="text/csv; charset=utf-8",
                headers={**validators, "Content-Length": length},
            )

        return endpoint

    @guarded
    async def create_order(request: Request) -> Response:
        try:
            body = await request.json()
        except ValueError:
            body = None
        fields = validate_order(state, body)
        if fields:
            return error(422, "validation", "The order is invalid.", fields=fields)
        po = body["po_number"]
        if po in state.orders:
            return error(409, "duplicate_po", f"An order with PO {po} already exists.")
        status = "authorized" if state.settings.auto_authorize else "pending_authorization"
        lines = [
            {
                "sku": i["sku"],
                "quantity": i["quantity"],
                "unit_cost": state.products[i["sku"]]["price"],
            }
            for i in body["items"]
        ]
        order = {
            "order_id": state.next_id("USD"),
            "po_number": po,
            "status": status,
            "created_at": state.now(),
            "updated_at": state.now(),
            "ship_to": {k: body["ship_to"].get(k) for k in SHIP_TO_FIELDS + SHIP_TO_OPTIONAL},
            "ship_method": body["ship_method"],
            "items": lines,
        }
        state.orders[po] = order
        return JSONResponse(
            {"order_id": order["order_id"], "po_number": po, "status": status}, status_code=201
        )

    @guarded
    async def show_order(request: Request) -> Response:
        order = state.orders.get(request.path_params["po"])
        if order is None:
            return error(404, "not_found")
        return JSONResponse(order)

    @guarded
    async def list_shipments(request: Request) -> Response:
        q = request.query_params
        since: datetime | None = None
        if q.get("since"):
            try:
                since = datetime.fromisoformat(q["since"].replace("Z", "+00:00"))
            except ValueError:
                return error(422, "validation", "since must be ISO 8601", fields={"since": "bad"})
            if since.tzinfo is None:
                since = since.replace(tzinfo=state.clock.now().tzinfo)
        found = [
            public(s)
            for s in state.shipments
            if (not q.get("po_number") or s["po_number"] == q["po_number"])
            and (since is None or s["_updated"] >= since)
        ]
        return JSONResponse({"shipments": found})

    @guarded
    async def show_invoice(request: Request) -> Response:
        reseller = dict(request.scope.get("headers", [])).get(b"x-reseller-token", b"")
        if reseller.decode("latin-1") != state.reseller_token:
            return error(
                403, "reseller_token_required", "Invoices need this account's Reseller Token."
            )
        order = state.orders.get(request.path_params["po"])
        if order is None or order["status"] != "shipped":
            return error(404, "not_found")
        lines = [
            {
                "sku": line["sku"],
                "quantity": line["quantity"],
                "unit_cost": line["unit_cost"],
                "extended": f"{Decimal(line['unit_cost']) * line['quantity']:.2f}",
            }
            for line in order["items"]
        ]
        subtotal = sum(Decimal(line["extended"]) for line in lines)
        shipping = Decimal("7.50")
        return JSONResponse(
            {
                "invoice_number": f"INV-{order['order_id'][4:]}",
                "po_number": order["po_number"],
                "invoice_date": order["_shipped_on"],
                "subtotal": f"{subtotal:.2f}",
                "shipping": f"{shipping:.2f}",
                "total": f"{subtotal + shipping:.2f}",
                "lines": lines,
            }
        )

    return [
        Route("/feeds/{token}/inventory.csv", feed(lambda: state.primary)),
        Route(
            "/feeds/{token}/inventory-secondary.csv",
            feed(lambda: state.secondary, secondary=True),
        ),
        Route("/orders", create_order, methods=["POST"]),
        Route("/orders/{po}", show_order),
        Route("/shipments", list_shipments),
        Route("/invoices/{po}", show_invoice),
    ]


def not_modified(request: Request, etag: str, modified: datetime) -> bool:
    """Conditional GET: If-None-Match wins over If-Modified-Since (RFC 9110)."""
    match = request.headers.get("if-none-match")
    if match is not None:
        return etag in (m.strip() for m in match.split(","))
    since = request.headers.get("if-modified-since")
    if since:
        try:
            return modified <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


def _csv_text(rows: Iterable[Iterable[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows(rows)
    return out.getvalue()


def feed_texts(state: USDirectState, skus: list[str]) -> list[str]:
    """The CSV feed in chunks of rows (the header first)."""
    out = [_csv_text([("sku", "name", "price", "qty")])]
    broken = state.settings.feed_malformed_rows
    if broken:
        out.append(_csv_text(MALFORMED_ROWS[i % len(MALFORMED_ROWS)] for i in range(broken)))
    products = state.products
    for start in range(0, len(skus), FEED_CHUNK_ROWS):
        rows = []
        for sku in skus[start : start + FEED_CHUNK_ROWS]:
            p = products[sku]
            rows.append((sku, p["name"], p["price"], "" if p["qty"] is None else p["qty"]))
        out.append(_csv_text(rows))
    return out


async def paced(chunks: list[bytes], delay: float) -> AsyncIterator[bytes]:
    """The chunks, the header at once and each chunk of rows after `delay` (a slow feed)."""
    for n, chunk in enumerate(chunks):
        if delay and n:
            await asyncio.sleep(delay)
        yield chunk
