"""Magento-specific `/_sandbox/` routes: place a customer order, change an order's status,
delete a product. Version and bearer switches are the shared `/_sandbox/settings`."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from connectors.magento.sandbox.sales import place_order
from connectors.magento.sandbox.state import MagentoState, stamp
from connectors.sandboxing.control import ControlError, control_endpoint, json_object, need

STATES = {
    "pending": "new",
    "processing": "processing",
    "holded": "holded",
    "complete": "complete",
    "closed": "closed",
    "canceled": "canceled",
    "payment_review": "payment_review",
}


def control_routes(state: MagentoState) -> list[BaseRoute]:
    """Routes mounted under `/_sandbox/` next to the shared reset/seed/faults/clock/settings."""

    @control_endpoint
    async def order(request: Request) -> Response:
        """Body: items [{sku, qty}], email, shipping_description, coupon_code,
        customer_note, no_shipping (no shipping address: a virtual-looking order),
        days_ago (created that many days before now)."""
        body = await json_object(request)
        lines = []
        for raw in need(body, "items", list):
            product = state.products.get(str(raw.get("sku")))
            if product is None:
                raise ControlError(f"no product with SKU {raw.get('sku')!r}")
            lines.append((product, float(raw.get("qty", 1))))
        days_ago = body.get("days_ago", 0)
        if isinstance(days_ago, bool) or not isinstance(days_ago, int | float) or days_ago < 0:
            raise ControlError("'days_ago' must be a number >= 0")
        with state.lock:
            made = place_order(
                state,
                lines,
                body.get("email", "sam@example.com"),
                body.get("shipping_description", "Flat Rate - Fixed"),
                coupon_code=body.get("coupon_code"),
                customer_note=body.get("customer_note"),
                with_shipping=not body.get("no_shipping", False),
                created=state.now() - int(days_ago * 86_400),
            )
        return JSONResponse(made, status_code=201)

    @control_endpoint
    async def status(request: Request) -> Response:
        """Body: {"status": one of pending, processing, holded, complete, closed, canceled}."""
        body = await json_object(request)
        wanted = need(body, "status", str)
        if wanted not in STATES:
            raise ControlError(f"status must be one of {', '.join(STATES)}")
        with state.lock:
            found = state.orders.get(int(request.path_params["oid"]))
            if found is None:
                raise ControlError("no such order", 404)
            found["status"], found["state"] = wanted, STATES[wanted]
            found["updated_at"] = stamp(state.now())
        return JSONResponse(found)

    @control_endpoint
    async def delete(request: Request) -> Response:
        with state.lock:
            if request.path_params["sku"] not in state.products:
                raise ControlError("no such product", 404)
            state.remove(request.path_params["sku"])
        return JSONResponse({"deleted": request.path_params["sku"]})

    return [
        Route("/orders", order, methods=["POST"]),
        Route("/orders/{oid:int}/status", status, methods=["PUT"]),
        Route("/products/{sku:str}", delete, methods=["DELETE"]),
    ]
