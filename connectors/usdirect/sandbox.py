"""A local stand-in for US Direct, following the ALL-ASSUMED contract of section 3.3.

No US Direct API reference is public (`shared/api/shipstation_wps_usdirect.md` §3.2), so
this sandbox pins down the proposed minimal contract: a CSV inventory feed at a
token-bearing URL (plus a secondary feed), orders keyed by PO (duplicate → 409), status
pending_authorization → authorized → shipped (or cancelled), shipments (partial, voided,
`since`), invoices once shipped, `X-API-TOKEN` (or Bearer) auth and 2 requests/second.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import Scope

from connectors.sandboxing import BASE_URL_PLACEHOLDER, BuiltSandbox, assemble, fake_secret
from connectors.sandboxing.clock import Clock
from connectors.sandboxing.control import ControlError, control_endpoint, control_mount, json_object
from connectors.sandboxing.faults import Faults, JSONErrorProfile
from connectors.sandboxing.ratelimit import FixedWindowLimiter, RateLimitMiddleware, WindowStatus

NOUNS = ("Helmet", "Glove", "Tire", "Battery", "Mirror", "Grip", "Lever", "Seat Cover")
SHIP_TO_FIELDS = ("name", "address1", "city", "state", "zip", "country")
SHIP_TO_OPTIONAL = ("address2", "phone", "email")
OPEN = ("pending_authorization", "authorized")


@dataclass
class USDirectSettings:
    """Switches for assumed behaviour."""

    requests_per_second: int = 2
    auto_authorize: bool = False  # Flxpoint's "Auto Authorize Orders For Payment"


class USDirectState:
    """Primary and secondary feed catalogues, orders by PO, shipments."""

    def __init__(self, seed: int, size: int, clock: Clock) -> None:
        self.clock = clock
        self.settings = USDirectSettings()
        self.token = fake_secret("usdirect", seed, "token")
        self.feed_token = fake_secret("usdirect", seed, "feed", 24)
        self.reseed(seed, size)

    def reseed(self, seed: int, size: int) -> None:
        """`size` primary-feed products and about size/10 secondary-feed ones."""
        self.seed, self.size = seed, size
        rng = random.Random(seed)
        self.products: dict[str, dict[str, Any]] = {}
        self.primary: list[str] = []
        self.secondary: list[str] = []
        for feed, count, prefix in ((self.primary, size, "1"), (self.secondary, size // 10, "8")):
            for n in range(1, count + 1):
                sku = f"{prefix}{n:05d}-{rng.choice(('BLK', 'RED', 'STD'))}"
                noun = rng.choice(NOUNS)
                # Some names carry commas and quotes, so the CSV has to quote them.
                name = f'{noun}, {rng.choice(("Youth", "Adult"))} "{n}"' if n % 7 == 0 else noun
                roll = rng.random()
                qty: int | None = None if roll < 0.05 else 0 if roll < 0.2 else rng.randint(1, 250)
                self.products[sku] = {
                    "sku": sku,
                    "name": f"{name} {n}",
                    "price": f"{Decimal(rng.randint(499, 39999)) / 100:.2f}",
                    "qty": qty,
                }
                feed.append(sku)
        self.orders: dict[str, dict[str, Any]] = {}
        self.shipments: list[dict[str, Any]] = []
        self.sequence = 0

    def next_id(self, prefix: str) -> str:
        """Ids like `USD-000001`."""
        self.sequence += 1
        return f"{prefix}-{self.sequence:06d}"

    def now(self) -> str:
        """An ISO 8601 UTC timestamp."""
        return self.clock.now().isoformat().replace("+00:00", "Z")


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
    headers = dict(scope.get("headers", []))
    if b"x-api-token" in headers:
        return headers[b"x-api-token"].decode("latin-1")
    auth = headers.get(b"authorization", b"").decode("latin-1")
    return auth[len("Bearer ") :] if auth.startswith("Bearer ") else None


Handler = Callable[[Request], Any]


def public(record: dict[str, Any]) -> dict[str, Any]:
    """Without the sandbox's private `_` keys."""
    return {k: v for k, v in record.items() if not k.startswith("_")}


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
    if not isinstance(body.get("ship_method"), str) or not body["ship_method"]:
        fields["ship_method"] = "is required"
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
            response: Response = await fn(request)
            return response

        return endpoint

    def feed(skus: Callable[[], list[str]]) -> Handler:
        async def endpoint(request: Request) -> Response:
            if request.path_params["token"] != state.feed_token:
                return error(401, "unauthorized")
            out = io.StringIO()
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(("sku", "name", "price", "qty"))
            for sku in skus():
                p = state.products[sku]
                writer.writerow((sku, p["name"], p["price"], "" if p["qty"] is None else p["qty"]))
            return Response(out.getvalue(), media_type="text/csv; charset=utf-8")

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
        Route("/feeds/{token}/inventory-secondary.csv", feed(lambda: state.secondary)),
        Route("/orders", create_order, methods=["POST"]),
        Route("/orders/{po}", show_order),
        Route("/shipments", list_shipments),
        Route("/invoices/{po}", show_invoice),
    ]


def ship(state: USDirectState, order: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """Add a shipment for some or all unshipped quantities; fully shipped → `shipped`."""
    if order["status"] not in OPEN:
        raise ControlError(f"PO {order['po_number']} is {order['status']}", 409)
    shipped = shipped_quantities(state, order["po_number"])
    remaining = {
        line["sku"]: line["quantity"] - shipped.get(line["sku"], 0) for line in order["items"]
    }
    wanted = body.get("items")
    if wanted is None:
        lines = [{"sku": s, "quantity": q} for s, q in remaining.items() if q > 0]
    elif not isinstance(wanted, list) or not all(
        isinstance(x, dict)
        and x.get("sku") in remaining
        and isinstance(x.get("quantity"), int)
        and 0 < x["quantity"] <= remaining[x["sku"]]
        for x in wanted
    ):
        raise ControlError("items must be [{sku, quantity}] within what is left to ship")
    else:
        lines = [{"sku": x["sku"], "quantity": x["quantity"]} for x in wanted]
    if not lines:
        raise ControlError("nothing left to ship", 409)
    now = state.clock.now()
    shipment = {
        "shipment_id": state.next_id("SHP"),
        "po_number": order["po_number"],
        "carrier": body.get("carrier", "UPS"),
        "tracking_number": body.get("tracking_number") or f"1ZUSD{state.sequence:010d}",
        "ship_date": now.date().isoformat(),
        "items": lines,
        "voided": False,
        "_updated": now,
    }
    state.shipments.append(shipment)
    shipped = shipped_quantities(state, order["po_number"])
    if all(shipped.get(s, 0) >= line["quantity"] for s, line in _by_sku(order).items()):
        order["status"] = "shipped"
        order["_shipped_on"] = now.date().isoformat()
    order["updated_at"] = state.now()
    return shipment


def _by_sku(order: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {line["sku"]: line for line in order["items"]}


def shipped_quantities(state: USDirectState, po: str) -> dict[str, int]:
    """Quantities per sku on the PO's live (not voided) shipments."""
    out: dict[str, int] = {}
    for shipment in state.shipments:
        if shipment["po_number"] == po and not shipment["voided"]:
            for line in shipment["items"]:
                out[line["sku"]] = out.get(line["sku"], 0) + line["quantity"]
    return out


def control_routes(state: USDirectState) -> list[BaseRoute]:
    """Authorize/ship/cancel a PO, void a shipment, change stock or price."""

    def order_or_404(request: Request) -> dict[str, Any]:
        order = state.orders.get(request.path_params["po"])
        if order is None:
            raise ControlError("no such PO", 404)
        return order

    @control_endpoint
    async def authorize(request: Request) -> Response:
        order = order_or_404(request)
        if order["status"] != "pending_authorization":
            raise ControlError(f"PO is {order['status']}", 409)
        order["status"] = "authorized"
        order["updated_at"] = state.now()
        return JSONResponse(order)

    @control_endpoint
    async def ship_po(request: Request) -> Response:
        shipment = ship(state, order_or_404(request), await json_object(request))
        return JSONResponse(public(shipment), status_code=201)

    @control_endpoint
    async def cancel(request: Request) -> Response:
        order = order_or_404(request)
        if order["status"] not in OPEN:
            raise ControlError(f"PO is {order['status']}", 409)
        order["status"] = "cancelled"
        order["updated_at"] = state.now()
        return JSONResponse(order)

    @control_endpoint
    async def void(request: Request) -> Response:
        found = [s for s in state.shipments if s["shipment_id"] == request.path_params["id"]]
        if not found:
            raise ControlError("no such shipment", 404)
        shipment = found[0]
        shipment["voided"] = True
        shipment["_updated"] = state.clock.now()  # so `since` pollers see the void
        order = state.orders[shipment["po_number"]]
        if order["status"] == "shipped":
            order["status"] = "authorized"  # the voided quantity is open again
        return JSONResponse(public(shipment))

    @control_endpoint
    async def change_product(request: Request) -> Response:
        product = state.products.get(request.path_params["sku"])
        if product is None:
            raise ControlError("no such sku", 404)
        body = await json_object(request)
        if "qty" in body:
            qty = body["qty"]
            if qty is not None and (isinstance(qty, bool) or not isinstance(qty, int) or qty < 0):
                raise ControlError("qty must be a whole number >= 0 or null (blank in the feed)")
            product["qty"] = qty
        if "price" in body:
            try:
                product["price"] = f"{Decimal(str(body['price'])):.2f}"
            except InvalidOperation as exc:
                raise ControlError("price must be a decimal") from exc
        return JSONResponse(product)

    return [
        Route("/orders/{po}/authorize", authorize, methods=["POST"]),
        Route("/orders/{po}/ship", ship_po, methods=["POST"]),
        Route("/orders/{po}/cancel", cancel, methods=["POST"]),
        Route("/shipments/{id}/void", void, methods=["POST"]),
        Route("/products/{sku}", change_product, methods=["PUT"]),
    ]


def build(seed: int = 1, size: int = 2000, *, clock: Clock | None = None) -> BuiltSandbox:
    """A US Direct sandbox; credentials `{"reseller_token", "feed_url", "secondary_feed_url"}`."""
    clock = clock or Clock()
    state = USDirectState(seed, size, clock)
    faults = Faults(seed=seed)
    limiter = FixedWindowLimiter(state.settings.requests_per_second, 1, clock)
    codes = {401: "unauthorized", 429: "rate_limited"}
    profile = JSONErrorProfile(
        lambda status, message: {"error": codes.get(status, "server_error"), "message": message},
        retry_after=1,
    )

    def key(scope: Scope) -> str | None:
        limiter.limit = state.settings.requests_per_second  # follow /_sandbox/settings
        if token_of(scope) == state.token:
            return state.token
        return state.feed_token if state.feed_token in scope["path"] else None

    def limited(status: WindowStatus) -> Response:
        per_second = state.settings.requests_per_second
        return error(
            429,
            "rate_limited",
            f"{per_second} requests per second per token",
            headers={"Retry-After": str(status.reset_seconds)},
        )

    app = assemble(
        api_routes(state),
        control=control_mount(
            state=state,
            faults=faults,
            clock=clock,
            limiters=[limiter],
            settings=state.settings,
            extra=control_routes(state),
        ),
        faults=faults,
        profile=profile,
        middleware=[lambda inner: RateLimitMiddleware(inner, limiter, key, limited)],
    )
    feeds = f"{BASE_URL_PLACEHOLDER}/feeds/{state.feed_token}"
    credentials = {
        "reseller_token": state.token,
        "feed_url": f"{feeds}/inventory.csv",
        "secondary_feed_url": f"{feeds}/inventory-secondary.csv",
    }
    return BuiltSandbox(app=app, credentials=credentials, state=state, faults=faults)
