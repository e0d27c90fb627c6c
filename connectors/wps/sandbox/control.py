"""WPS-specific `/_sandbox/` routes: change or delete an item, add a product, ship, track or
cancel a PO."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from connectors.sandboxing.control import ControlError, control_endpoint, found_or_404, json_object
from connectors.wps.sandbox.orders import cart_json, order_detail
from connectors.wps.sandbox.state import HELD, PRICE_FIELDS, STATUSES, WAREHOUSES, WpsState


def ship(
    state: WpsState,
    po: str,
    lines: dict[str, int] | None,
    tracking: str | None,
) -> list[str]:
    """Ship open quantities of a PO; a partial ship splits the rest into a backorder detail."""
    record = found_or_404(state.orders, po, f"no PO {po!r}")
    open_details = [
        d for d in record["order_details"] if d["order_status"] in ("OPEN", "BACKORDERED")
    ]
    if not open_details:
        if any(d["order_status"] == HELD for d in record["order_details"]):
            raise ControlError(f"PO {po!r} is on hold: release it first", 409)
        raise ControlError(f"PO {po!r} has nothing left to ship", 409)
    wanted = dict(lines) if lines is not None else None
    if wanted is not None:
        open_skus = {line["sku"] for d in open_details for line in d["items"]}
        unknown = set(wanted) - open_skus
        if unknown:
            raise ControlError(f"PO {po!r} has no open line for {sorted(unknown)}")
    day = state.clock.now().strftime("%Y-%m-%d")
    shipped: list[str] = []
    for detail in open_details:
        ship_lines, rest = [], []
        for line in detail["items"]:
            open_qty = line["quantity"] - line["quantity_shipped"]
            take = open_qty if wanted is None else min(open_qty, wanted.get(line["sku"], 0))
            if wanted is not None and take:
                wanted[line["sku"]] -= take
            if take:
                ship_lines.append(
                    {**line, "quantity": take, "quantity_shipped": take, "quantity_backordered": 0}
                )
            if open_qty - take:
                rest.append(
                    {
                        **line,
                        "quantity": open_qty - take,
                        "quantity_shipped": 0,
                        "quantity_backordered": open_qty - take,
                    }
                )
        if not ship_lines:
            continue
        detail["items"] = ship_lines
        detail["order_status"] = "SHIPPED"
        detail["ship_date"] = day
        detail["invoice_date"] = day
        detail["invoice_number"] = 90_000_000 + int(detail["order_number"]) % 10_000_000
        detail["order_total"] = float(sum(Decimal(x["price"]) * x["quantity"] for x in ship_lines))
        if tracking:
            detail["tracking_numbers"].append(tracking)
        shipped.append(detail["order_number"])
        if rest:
            record["order_details"].append(
                order_detail(
                    state,
                    detail["warehouse"],
                    rest,
                    "BACKORDERED",
                    detail["order_date"],
                    detail["ship_via"],
                )
            )
    if wanted is not None and any(qty > 0 for qty in wanted.values()):
        raise ControlError("asked to ship more than is open on the PO")
    return shipped


def control_routes(state: WpsState) -> list[BaseRoute]:
    """WPS-specific `/_sandbox/` routes: stock/prices/status, delete item, ship/cancel PO."""

    def item_or_404(sku: str) -> int:
        return found_or_404(state.sku_index, sku, f"no item with sku {sku!r}")

    @control_endpoint
    async def change_item(request: Request) -> Response:
        item_id = item_or_404(request.path_params["sku"])
        body = await json_object(request)
        item = state.items[item_id]
        stock = body.pop("stock", None)
        if stock is not None:
            if not isinstance(stock, dict) or any(
                k.lower() not in WAREHOUSES or not isinstance(v, int) or v < 0
                for k, v in stock.items()
            ):
                raise ControlError("stock must map warehouse codes (CA, GA, ...) to counts >= 0")
            for code, qty in stock.items():
                state.stock[item_id][WAREHOUSES.index(code.lower())] = qty
        for name, value in body.items():
            if name in PRICE_FIELDS:
                try:
                    item[name] = f"{Decimal(str(value)):.2f}"
                except InvalidOperation as exc:
                    raise ControlError(f"{name} must be a decimal") from exc
            elif name == "status" and value in STATUSES:
                item["status"] = item["status_id"] = value
            elif name == "name" and isinstance(value, str):
                item["name"] = value
            else:
                raise ControlError(f"cannot set {name!r} to {value!r}")
        state.touch(item_id, stock=stock is not None)
        return JSONResponse({"item": item, "inventory": state.inventory(item_id)})

    @control_endpoint
    async def add_product(request: Request) -> Response:
        body = await json_object(request)
        name, items = body.get("name"), body.get("items")
        if not isinstance(name, str) or not isinstance(items, list) or not items:
            raise ControlError("give name and items: [{sku, size?, color?, list_price?}]")
        for spec in items:
            if not isinstance(spec, dict) or not isinstance(spec.get("sku"), str):
                raise ControlError("each item needs a sku")
            if spec["sku"] in state.sku_index:
                raise ControlError(f"sku {spec['sku']!r} exists")
        return JSONResponse(state.add_product(name, items), status_code=201)

    @control_endpoint
    async def delete_item(request: Request) -> Response:
        state.delete_item(item_or_404(request.path_params["sku"]))
        return Response(status_code=204)

    @control_endpoint
    async def ship_po(request: Request) -> Response:
        body = await json_object(request)
        lines = body.get("lines")
        parsed: dict[str, int] | None = None
        if lines is not None:
            if not isinstance(lines, list) or not all(
                isinstance(x, dict)
                and isinstance(x.get("sku"), str)
                and isinstance(x.get("quantity"), int)
                and x["quantity"] > 0
                for x in lines
            ):
                raise ControlError("lines must be [{sku, quantity > 0}]")
            parsed = {}
            for x in lines:
                parsed[x["sku"]] = parsed.get(x["sku"], 0) + x["quantity"]
        tracking = body.get("tracking_number")
        if tracking is not None and not isinstance(tracking, str):
            raise ControlError("tracking_number must be a string")
        shipped = ship(state, request.path_params["po"], parsed, tracking)
        return JSONResponse({"shipped": shipped, "po": state.orders[request.path_params["po"]]})

    @control_endpoint
    async def add_tracking(request: Request) -> Response:
        body = await json_object(request)
        record = found_or_404(state.orders, request.path_params["po"], "no such PO")
        tracking = body.get("tracking_number")
        if not isinstance(tracking, str):
            raise ControlError("tracking_number is required")
        shipped = [d for d in record["order_details"] if d["order_status"] == "SHIPPED"]
        target = [d for d in shipped if d["order_number"] == body.get("order_number")] or [
            d for d in shipped if not d["tracking_numbers"]
        ]
        if not target:
            raise ControlError("no shipped order detail without tracking", 409)
        target[0]["tracking_numbers"].append(tracking)
        return JSONResponse({"po": record})

    @control_endpoint
    async def cancel_po(request: Request) -> Response:
        record = found_or_404(state.orders, request.path_params["po"], "no such PO")
        cancelled = 0
        for detail in record["order_details"]:
            if detail["order_status"] in ("OPEN", "BACKORDERED"):
                detail["order_status"] = "CANCELLED"
                cancelled += 1
        if not cancelled:
            raise ControlError("nothing open to cancel", 409)
        return JSONResponse({"po": record})

    @control_endpoint
    async def progress_po(request: Request) -> Response:
        # After shipping: the carrier's progress and what WPS adds (names assumed).
        body = await json_object(request)
        record = found_or_404(state.orders, request.path_params["po"], "no such PO")
        status = body.get("status")
        if status is not None and status not in ("SHIPPED", "IN TRANSIT", "DELIVERED"):
            raise ControlError("status must be SHIPPED, IN TRANSIT or DELIVERED")
        for name in ("estimated_delivery_date", "notes"):
            if body.get(name) is not None and not isinstance(body[name], str):
                raise ControlError(f"{name} must be a string")
        shipped = [
            d
            for d in record["order_details"]
            if d["order_status"] in ("SHIPPED", "IN TRANSIT", "DELIVERED")
            and body.get("order_number") in (None, d["order_number"])
        ]
        if not shipped:
            raise ControlError("no shipped order detail", 409)
        for detail in shipped:
            if status is not None:
                detail["order_status"] = status
            for name in ("estimated_delivery_date", "notes"):
                if body.get(name) is not None:
                    detail[name] = body[name]
        return JSONResponse({"po": record})

    @control_endpoint
    async def submitted_carts(request: Request) -> Response:
        carts = found_or_404(state.submitted, request.path_params["po"], "no such PO")
        return JSONResponse({"carts": [cart_json(cart) for cart in carts]})

    @control_endpoint
    async def release_po(request: Request) -> Response:
        record = found_or_404(state.orders, request.path_params["po"], "no such PO")
        held = [d for d in record["order_details"] if d["order_status"] == HELD]
        if not held:
            raise ControlError("nothing on hold to release", 409)
        for detail in held:
            detail["order_status"] = "OPEN"
        return JSONResponse({"po": record})

    return [
        Route("/orders/{po}/carts", submitted_carts, methods=["GET"]),
        Route("/orders/{po}/status", progress_po, methods=["POST"]),
        Route("/orders/{po}/release", release_po, methods=["POST"]),
        Route("/items/{sku}", change_item, methods=["PUT"]),
        Route("/items/{sku}", delete_item, methods=["DELETE"]),
        Route("/products", add_product, methods=["POST"]),
        Route("/orders/{po}/ship", ship_po, methods=["POST"]),
        Route("/orders/{po}/tracking", add_tracking, methods=["POST"]),
        Route("/orders/{po}/cancel", cancel_po, methods=["POST"]),
    ]
