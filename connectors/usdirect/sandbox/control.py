"""US Direct-specific `/_sandbox/` routes: authorize, ship or cancel a PO, void a shipment
or move its status on, change a product's stock or price, date the feed back (a stale feed).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from connectors.sandboxing.control import ControlError, control_endpoint, found_or_404, json_object
from connectors.sandboxing.records import public
from connectors.sandboxing.tracking import tracking_number
from connectors.usdirect.sandbox.state import (
    OPEN,
    SHIP_METHODS,
    SHIPMENT_STATUSES,
    USDirectState,
)


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
    status = body.get("status", SHIPMENT_STATUSES[0])
    if status not in SHIPMENT_STATUSES:
        raise ControlError(f"status must be one of {', '.join(SHIPMENT_STATUSES)}")
    now = state.clock.now()
    method = body.get("ship_method", order["ship_method"])
    if method not in SHIP_METHODS:
        raise ControlError(f"ship_method must be one of {', '.join(SHIP_METHODS)}")
    carrier = body.get("carrier", SHIP_METHODS[method])
    po = order["po_number"]
    # A number the carrier could have printed, the same for the same PO and box.
    boxes = sum(1 for s in state.shipments if s["po_number"] == po)
    shipment = {
        "shipment_id": state.next_id("SHP"),
        "po_number": po,
        "carrier": carrier,
        "ship_method": method,
        "status": status,
        "tracking_number": body.get("tracking_number") or tracking_number(carrier, f"{po}-{boxes}"),
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
        return found_or_404(state.orders, request.path_params["po"], "no such PO")

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
    async def shipment_status(request: Request) -> Response:
        found = [s for s in state.shipments if s["shipment_id"] == request.path_params["id"]]
        if not found:
            raise ControlError("no such shipment", 404)
        status = (await json_object(request)).get("status")
        if status not in SHIPMENT_STATUSES:
            raise ControlError(f"status must be one of {', '.join(SHIPMENT_STATUSES)}")
        found[0]["status"] = status
        found[0]["_updated"] = state.clock.now()
        return JSONResponse(public(found[0]))

    @control_endpoint
    async def feed_modified(request: Request) -> Response:
        body = await json_object(request)
        try:
            when = datetime.fromisoformat(str(body.get("modified")).replace("Z", "+00:00"))
        except ValueError as exc:
            raise ControlError("modified must be an ISO 8601 time with its offset") from exc
        if when.tzinfo is None:
            raise ControlError("modified must be an ISO 8601 time with its offset")
        state.feed_modified = when.replace(microsecond=0)
        return JSONResponse({"modified": state.feed_modified.isoformat()})

    @control_endpoint
    async def change_product(request: Request) -> Response:
        product = found_or_404(state.products, request.path_params["sku"], "no such sku")
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
        state.feed_changed()
        return JSONResponse(product)

    return [
        Route("/orders/{po}/authorize", authorize, methods=["POST"]),
        Route("/orders/{po}/ship", ship_po, methods=["POST"]),
        Route("/orders/{po}/cancel", cancel, methods=["POST"]),
        Route("/shipments/{id}/void", void, methods=["POST"]),
        Route("/shipments/{id}/status", shipment_status, methods=["PUT"]),
        Route("/products/{sku}", change_product, methods=["PUT"]),
        Route("/feed", feed_modified, methods=["PUT"]),
    ]
