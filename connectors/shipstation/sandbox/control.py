"""ShipStation-specific `/_sandbox/` routes: place an order (with the store's shipping
text, tags, status, creation time), set its status, label or void a shipment, delete a
product, and set the carriers connected to the account.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from connectors.sandboxing.control import ControlError, control_endpoint, found_or_404, json_object
from connectors.sandboxing.records import public
from connectors.shipstation.sandbox.records import BadRequest, parse_time
from connectors.shipstation.sandbox.state import (
    STATUSES,
    TAGS,
    USERS,
    ShipStationState,
    carrier_record,
)

# Order fields a test or the demo may set when placing an order, as the store sent them.
PLACED_FIELDS = ("orderStatus", "orderNumber", "customerEmail", "requestedShippingService")


def control_routes(state: ShipStationState) -> list[BaseRoute]:
    """Place a customer order, label/void shipments, set status, delete a product."""

    def order_or_404(order_id: int) -> dict[str, Any]:
        return found_or_404(state.orders, order_id, f"no order {order_id}")

    @control_endpoint
    async def place(request: Request) -> Response:
        body = await json_object(request)
        lines = body.pop("items", None)
        parsed = None
        if lines is not None:
            if not isinstance(lines, list) or not all(
                isinstance(x, dict)
                and isinstance(x.get("sku"), str)
                and isinstance(x.get("quantity", 1), int)
                for x in lines
            ):
                raise ControlError("items must be [{sku, quantity}]")
            parsed = [(x["sku"], x.get("quantity", 1)) for x in lines]
        placed = None
        if "createDate" in body:  # "2026-05-01 08:00:00" (Pacific) or ISO with offset
            try:
                placed = parse_time(str(body["createDate"]), "createDate")
            except BadRequest as exc:
                raise ControlError(str(exc)) from None
        extra = _placed_fields(body)
        ship_to = extra.pop("shipTo", None)
        order = state.place_order(placed=placed, lines=parsed, **extra)
        if "orderNumber" in extra:
            order["orderNumber"] = str(extra["orderNumber"])
        if ship_to:
            order["shipTo"] = {**order["shipTo"], **ship_to}
        return JSONResponse(public(order), status_code=201)

    @control_endpoint
    async def add_product(request: Request) -> Response:
        body = await json_object(request)
        sku, name = body.get("sku"), body.get("name", body.get("sku"))
        if not isinstance(sku, str) or not sku.strip() or not isinstance(name, str):
            raise ControlError("a product needs a sku (and may have a name)")
        if sku.strip().lower() in state.product_skus:
            raise ControlError(f"a product with SKU {sku!r} exists", 409)
        number = max(state.product_ids, default=0) + 1
        product = state.add_product(number, state.clock.now(), sku=sku, name=name)
        return JSONResponse(public(product), status_code=201)

    @control_endpoint
    async def set_carriers(request: Request) -> Response:
        codes = (await json_object(request)).get("codes")
        if not isinstance(codes, list) or not all(isinstance(c, str) and c for c in codes):
            raise ControlError('codes must be a list of carrier codes, e.g. ["ups"]')
        state.carriers = [carrier_record(n, c.upper(), c, False) for n, c in enumerate(codes)]
        return JSONResponse(state.carriers)

    @control_endpoint
    async def set_status(request: Request) -> Response:
        order = order_or_404(request.path_params["id"])
        status = (await json_object(request)).get("orderStatus")
        if status not in STATUSES:
            raise ControlError(f"orderStatus must be one of {', '.join(STATUSES)}")
        order["orderStatus"] = status
        state.touch(order)
        return JSONResponse(public(order))

    @control_endpoint
    async def add_label(request: Request) -> Response:
        order = order_or_404(request.path_params["id"])
        body = await json_object(request)
        by_key = {i["lineItemKey"]: i for i in order["items"]}
        by_sku = {i["sku"]: i for i in order["items"]}
        wanted = body.get("items")
        if wanted is None:
            items, quantities = order["items"], None
        else:
            items, quantities = [], {}
            for line in wanted if isinstance(wanted, list) else [None]:
                item = None
                if isinstance(line, dict):
                    item = by_key.get(line.get("lineItemKey")) or by_sku.get(line.get("sku"))
                if item is None or not isinstance(line, dict):
                    raise ControlError("items must name lines of the order (lineItemKey or sku)")
                items.append(item)
                quantities[item["lineItemKey"]] = int(line.get("quantity", item["quantity"]))
        shipment = state.label(
            order, items, state.clock.now(), body.get("trackingNumber"), quantities
        )
        return JSONResponse(public(shipment), status_code=201)

    @control_endpoint
    async def void(request: Request) -> Response:
        shipment = found_or_404(state.shipments, request.path_params["id"], "no such shipment")
        state.void(shipment, state.clock.now())
        return JSONResponse(public(shipment))

    @control_endpoint
    async def delete_product(request: Request) -> Response:
        if request.path_params["id"] not in state.products:
            raise ControlError("no such product", 404)
        state.delete_product(request.path_params["id"])
        return Response(status_code=204)

    return [
        Route("/orders", place, methods=["POST"]),
        Route("/carriers", set_carriers, methods=["PUT"]),
        Route("/products", add_product, methods=["POST"]),
        Route("/orders/{id:int}/status", set_status, methods=["PUT"]),
        Route("/orders/{id:int}/shipments", add_label, methods=["POST"]),
        Route("/shipments/{id:int}/void", void, methods=["POST"]),
        Route("/products/{id:int}", delete_product, methods=["DELETE"]),
    ]


def _placed_fields(body: dict[str, Any]) -> dict[str, Any]:
    """The order fields a placed order takes from the control body, checked."""
    out: dict[str, Any] = {k: body[k] for k in PLACED_FIELDS if k in body}
    if "orderStatus" in out and out["orderStatus"] not in STATUSES:
        raise ControlError(f"orderStatus must be one of {', '.join(STATUSES)}")
    if "tagIds" in body:
        tags = body["tagIds"]
        known = {t["tagId"] for t in TAGS}
        if not isinstance(tags, list) or not all(t in known for t in tags):
            raise ControlError(f"tagIds must list tags of the account: {sorted(known)}")
        out["tagIds"] = list(tags) or None  # null, not [], when empty
    if "userId" in body:
        if body["userId"] is not None and body["userId"] not in {u["userId"] for u in USERS}:
            raise ControlError("userId must be a user of the account or null")
        out["userId"] = body["userId"]
    if isinstance(body.get("shipTo"), dict):
        out["shipTo"] = body["shipTo"]
    return out
