"""WooCommerce-specific `/_sandbox/` routes: place a customer order, delete a product, peek."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from connectors.sandboxing.control import (
    ControlError,
    control_endpoint,
    found_or_404,
    json_object,
    need,
)
from connectors.woocommerce.sandbox import orders
from connectors.woocommerce.sandbox.products import Ctx
from connectors.woocommerce.sandbox.render import site_url
from connectors.woocommerce.sandbox.state import Settings, WooState, new_order


def control_routes(state: WooState, settings: Settings) -> list[BaseRoute]:
    """Routes mounted under `/_sandbox/` next to the shared reset/seed/faults/clock."""

    def ctx(request: Request) -> Ctx:
        return Ctx(state, settings, site_url(request))

    def order_or_404(oid: int) -> dict[str, Any]:
        return found_or_404(state.orders, oid, f"no order {oid}")

    @control_endpoint
    async def place_order(request: Request) -> Response:
        """A shopper checks out: `{"line_items": [{"sku", "quantity"}], "shipping_method_title",
        "shipping_method_id"?, "shipping_total"?, "email"?, "billing"?, "shipping"?, "status"?,
        "seconds_ago"?}` (`seconds_ago`: placed that long before now, as an order from
        earlier in the day). Paid orders reduce managed stock like WooCommerce does at payment."""
        body = await json_object(request)
        lines = []
        for raw in need(body, "line_items", list):
            sku = str(raw.get("sku", "")) if isinstance(raw, dict) else ""
            owner = state.sku_owner(sku)
            target = state.products.get(owner or 0) or state.variations.get(owner or 0)
            if target is None:
                raise ControlError(f"no product or variation with SKU {sku!r}")
            lines.append((target, int(raw.get("quantity", 1))))
        status = body.get("status", "processing")
        if status not in orders.ORDER_STATUSES:
            raise ControlError(f"unknown order status {status!r}")
        address = {
            "first_name": "Sam",
            "last_name": "Shopper",
            "company": "",
            "address_1": "1 Test Way",
            "address_2": "",
            "city": "Springfield",
            "state": "IL",
            "postcode": "62701",
            "country": "US",
        }
        billing = {
            **address,
            "email": body.get("email", "sam@example.com"),
            "phone": "",
            **body.get("billing", {}),
        }
        shipping_addr = {**address, "phone": "", **body.get("shipping", {})}
        method = (
            str(body.get("shipping_method_id", "flat_rate")),
            str(body.get("shipping_method_title", "Flat rate")),
            str(body.get("shipping_total", "5.00")),
        )
        seconds_ago = body.get("seconds_ago", 0)
        if not isinstance(seconds_ago, int) or seconds_ago < 0:
            raise ControlError("seconds_ago must be a whole number of seconds, 0 or more")
        with state.lock:
            order = new_order(
                state,
                lines,
                status=status,
                shipping=method,
                created=state.now() - seconds_ago,
                customer={
                    "billing": billing,
                    "shipping": shipping_addr,
                    "customer_note": body.get("customer_note", ""),
                },
            )
            if status in ("processing", "completed", "on-hold"):
                _reduce_stock(ctx(request), order, lines)
            return JSONResponse(orders.order_json(ctx(request), order), status_code=201)

    @control_endpoint
    async def set_status(request: Request) -> Response:
        body = await json_object(request)
        status = need(body, "status", str)
        if status not in (*orders.ORDER_STATUSES, "trash"):
            raise ControlError(f"unknown order status {status!r}")
        with state.lock:
            order = order_or_404(request.path_params["oid"])
            orders.set_status(ctx(request), order, status)
            order["modified"] = state.now()
            return JSONResponse(orders.order_json(ctx(request), order))

    @control_endpoint
    async def notes(request: Request) -> Response:
        order = order_or_404(request.path_params["oid"])
        return JSONResponse([orders.note_json(ctx(request), order, n) for n in order["notes"]])

    @control_endpoint
    async def trackings(request: Request) -> Response:
        order = order_or_404(request.path_params["oid"])
        return JSONResponse(
            [orders.tracking_json(ctx(request), order, t) for t in order["trackings"]]
        )

    @control_endpoint
    async def delete_product(request: Request) -> Response:
        """The merchant deletes a product in wp-admin, behind Dropdeck's back."""
        pid = request.path_params["pid"]
        with state.lock:
            if pid not in state.products:
                raise ControlError(f"no product {pid}", 404)
            state.remove_product(pid)
        return JSONResponse({"deleted": pid})

    return [
        Route("/orders", place_order, methods=["POST"]),
        Route("/orders/{oid:int}/status", set_status, methods=["POST"]),
        Route("/orders/{oid:int}/notes", notes, methods=["GET"]),
        Route("/orders/{oid:int}/trackings", trackings, methods=["GET"]),
        Route("/products/{pid:int}", delete_product, methods=["DELETE"]),
    ]


def _reduce_stock(ctx: Ctx, order: dict[str, Any], lines: list[tuple[dict[str, Any], int]]) -> None:
    changes = []
    for target, qty in lines:
        if target.get("manage_stock") and target.get("stock_quantity") is not None:
            before = target["stock_quantity"]
            target["stock_quantity"] = before - qty
            if target["stock_quantity"] <= 0 and target.get("backorders", "no") == "no":
                target["stock_status"] = "outofstock"
            target["modified"] = ctx.state.now()
            changes.append(f"{target.get('sku', target['id'])} {before}&rarr;{before - qty}")
    if changes:
        orders.add_note(ctx, order, "Stock levels reduced: " + ", ".join(changes))
