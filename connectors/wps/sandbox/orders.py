"""WPS sandbox carts and orders: cart validation, stock allocation, order details, PO status."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from connectors.wps.sandbox.auth import error, guarded, invalid
from connectors.wps.sandbox.state import (
    CART_BOOLS,
    CART_LIMITS,
    CART_WAREHOUSES,
    HELD,
    SHIP_VIA,
    UNORDERABLE,
    WAREHOUSES,
    Cart,
    WpsState,
)


def validate_cart(body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Check a POST /carts body against the documented limits; returns (fields, errors)."""
    errors: dict[str, list[str]] = {}
    po = body.get("po_number")
    if not isinstance(po, str) or not po.strip():
        errors["po_number"] = ["The po number field is required."]
    for name, limit in CART_LIMITS.items():
        value = body.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            errors[name] = [f"The {name.replace('_', ' ')} must be a string."]
        elif len(value) > limit:
            label = name.replace("_", " ")
            errors[name] = [f"The {label} may not be greater than {limit} characters."]
    for name in ("ship_via", "cross_ship_via"):
        if name in body and body[name] not in SHIP_VIA:
            errors[name] = [f"The selected {name.replace('_', ' ')} is invalid."]
    if "default_warehouse" in body and body["default_warehouse"] not in CART_WAREHOUSES:
        errors["default_warehouse"] = ["The selected default warehouse is invalid."]
    if "pay_type" in body and body["pay_type"] not in ("CC", "OO"):
        errors["pay_type"] = ["The selected pay type is invalid."]
    for name in CART_BOOLS:
        if name in body and not isinstance(body[name], bool):
            errors[name] = [f"The {name.replace('_', ' ')} field must be true or false."]
    return body, errors


async def request_json(request: Request) -> dict[str, Any] | None:
    """The JSON object body, or None when it is missing or not an object."""
    try:
        body = await request.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def allocate(state: WpsState, cart: Cart) -> list[dict[str, Any]]:
    """Turn a cart into order details: one per warehouse used, plus one for backorders."""
    fields = cart.fields
    default = fields.get("default_warehouse") or "CA"
    order = [default] + [w for w in CART_WAREHOUSES if w != default]
    if not fields.get("multiple_warehouse"):
        order = order[:1]
    per_wh: dict[str, list[dict[str, Any]]] = {}
    backordered: list[dict[str, Any]] = []
    for sku, quantity in cart.lines.items():
        item_id = state.sku_index.get(sku)
        price = state.items[item_id]["standard_dealer_price"] if item_id else "0.00"
        name = state.items[item_id]["name"] if item_id else ""
        remaining = quantity
        for wh in order:
            if item_id is None or remaining == 0:
                break
            slot = WAREHOUSES.index(wh.lower())
            take = min(remaining, state.stock[item_id][slot])
            if take:
                state.stock[item_id][slot] -= take
                state.touch(item_id, stock=True)
                per_wh.setdefault(wh, []).append(_line(sku, take, 0, price, name))
                remaining -= take
        if remaining:
            backordered.append(_line(sku, remaining, remaining, price, name))
    today = state.clock.now().strftime("%Y-%m-%d")
    ship_via = fields.get("ship_via", "BEST")
    # `hold_order`: WPS keeps the order until the dealer releases it (status assumed).
    first = HELD if fields.get("hold_order") else "OPEN"
    details = [
        order_detail(state, wh, lines, first, today, ship_via) for wh, lines in per_wh.items()
    ]
    if backordered:
        details.append(order_detail(state, default, backordered, "BACKORDERED", today, ship_via))
    return details


def _line(sku: str, quantity: int, backordered: int, price: str, name: str) -> dict[str, Any]:
    return {
        "sku": sku,
        "name": name,  # the item's WPS name (the shape of order items is assumed)
        "quantity": quantity,
        "quantity_shipped": 0,
        "quantity_backordered": backordered,
        "price": price,
    }


def order_detail(
    state: WpsState, warehouse: str, lines: list[dict[str, Any]], status: str, day: str, via: str
) -> dict[str, Any]:
    """A new order detail (its own order number) for `lines` shipped from `warehouse`."""
    total = sum(Decimal(line["price"]) * line["quantity"] for line in lines)
    return {
        "order_number": state.next_order_number(),
        "order_status": status,
        "invoice_number": None,
        "freight": 0.0,
        "misc_charges": 0.0,
        "order_total": float(total),
        "warehouse": warehouse,
        "order_date": day,
        "ship_date": None,
        "invoice_date": None,
        "ship_via": via,
        "tracking_numbers": [],
        "items": lines,
    }


def order_routes(state: WpsState) -> list[BaseRoute]:
    """Carts, cart items, order submission and PO status."""

    @guarded(state, orders=True)
    async def create_cart(request: Request) -> Response:
        body = await request_json(request)
        if body is None:
            return invalid({"po_number": ["The po number field is required."]})
        fields, errors = validate_cart(body)
        po = fields.get("po_number")
        if not errors and (
            po in state.carts or (po in state.orders and state.settings.duplicate_po == "reject")
        ):
            errors["po_number"] = ["The po number has already been taken."]
        if errors or not isinstance(po, str):  # validate_cart named a bad po_number
            return invalid(errors)
        cart = Cart(
            po_number=po,
            cart_number=f"C{len(state.carts) + state.order_seq + 1:07d}",
            fields=fields,
        )
        state.carts[po] = cart
        return JSONResponse({"data": cart_json(cart)})

    @guarded(state, orders=True)
    async def show_cart(request: Request) -> Response:
        cart = state.carts.get(request.path_params["po"])
        if cart is None:
            return error(404, "Cart not found.")
        return JSONResponse({"data": cart_json(cart)})

    @guarded(state, orders=True)
    async def delete_cart(request: Request) -> Response:
        if state.carts.pop(request.path_params["po"], None) is None:
            return error(404, "Cart not found.")
        return Response(status_code=204)

    @guarded(state, orders=True)
    async def add_cart_item(request: Request) -> Response:
        cart = state.carts.get(request.path_params["po"])
        if cart is None:
            return error(404, "Cart not found.")
        body = await request_json(request) or {}
        sku = body.get("item_sku")
        if sku is None and isinstance(body.get("item_id"), int) and body["item_id"] in state.items:
            sku = state.items[body["item_id"]]["sku"]
        quantity = body.get("quantity")
        errors: dict[str, list[str]] = {}
        item_id = state.sku_index.get(sku) if isinstance(sku, str) else None
        if item_id is None:
            errors["item_sku"] = ["The selected item sku is invalid."]
        elif state.items[item_id]["status"] in UNORDERABLE:
            errors["item_sku"] = ["The item is not available for order."]
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
            errors["quantity"] = ["The quantity must be at least 1."]
        elif item_id is not None and isinstance(sku, str) and not errors:
            wanted = cart.lines.get(sku, 0) + quantity
            available = _available(state, cart, item_id)
            if wanted > available and not cart.fields.get("allow_backorder"):
                errors["quantity"] = [f"Only {available} available; backorders are not allowed."]
        # Checked above: a known SKU and a positive int, or errors say which is wrong.
        if errors or not isinstance(sku, str) or not isinstance(quantity, int):
            return invalid(errors)
        cart.lines[sku] = cart.lines.get(sku, 0) + quantity
        others = {k: v for k, v in body.items() if k not in ("item_sku", "item_id", "quantity")}
        if others:
            cart.line_fields.setdefault(sku, {}).update(others)
        return JSONResponse({"data": {"item_sku": sku, "quantity": cart.lines[sku]}})

    @guarded(state, orders=True)
    async def submit_order(request: Request) -> Response:
        body = await request_json(request) or {}
        po = body.get("po_number")
        if not isinstance(po, str) or not po:
            return invalid({"po_number": ["The po number field is required."]})
        cart = state.carts.get(po)
        if cart is None:
            return error(404, "Cart not found.")
        if not cart.lines:
            return invalid({"po_number": ["The cart has no items."]})
        details = allocate(state, cart)
        del state.carts[po]
        state.submitted.setdefault(po, []).append(cart)
        record = state.orders.get(po)
        if record is None:
            f = cart.fields
            record = {
                "po_number": po,
                "ship_name": f.get("ship_name"),
                "ship_address": f.get("ship_address1"),
                "ship_city": f.get("ship_city"),
                "ship_state": f.get("ship_state"),
                "ship_zip": f.get("ship_zip"),
                "order_details": [],
            }
            state.orders[po] = record
        record["order_details"].extend(details)  # "allow" mode: a reused PO grows
        return JSONResponse({"order_number": details[0]["order_number"]})

    @guarded(state, orders=True)
    async def show_order(request: Request) -> Response:
        record = state.orders.get(request.path_params["po"])
        if record is None:
            return error(404, "Order not found.")
        return JSONResponse({"data": record})

    @guarded(state, orders=True)
    async def list_orders(request: Request) -> Response:
        q = request.query_params
        errors = {
            name: [f"The {name.replace('_', ' ')} field is required (YYYYMMDD)."]
            for name in ("from_date", "to_date")
            if not re.fullmatch(r"\d{8}", q.get(name, ""))
        }
        if errors:
            return invalid(errors)
        low, high = q["from_date"], q["to_date"]
        found = [
            record
            for record in state.orders.values()
            if any(low <= d["order_date"].replace("-", "") <= high for d in record["order_details"])
        ]
        return JSONResponse({"data": found})

    return [
        Route("/carts", create_cart, methods=["POST"]),
        Route("/carts/{po}", show_cart, methods=["GET"]),
        Route("/carts/{po}", delete_cart, methods=["DELETE"]),
        Route("/carts/{po}/items", add_cart_item, methods=["POST"]),
        Route("/orders", submit_order, methods=["POST"]),
        Route("/orders", list_orders, methods=["GET"]),
        Route("/orders/{po}", show_order, methods=["GET"]),
    ]


def _available(state: WpsState, cart: Cart, item_id: int) -> int:
    """Stock the cart could draw on: its default warehouse, or all of them if allowed."""
    stock = state.stock[item_id]
    if cart.fields.get("multiple_warehouse"):
        return sum(stock)
    default = (cart.fields.get("default_warehouse") or "CA").lower()
    return stock[WAREHOUSES.index(default)]


def cart_json(cart: Cart) -> dict[str, Any]:
    """The cart as POST/GET /carts shows it."""
    return {
        "cart_number": cart.cart_number,
        "po_number": cart.po_number,
        "shipment_type": "drop_ship" if cart.fields.get("ship_name") else "dealer",
        **{k: v for k, v in cart.fields.items() if k != "po_number"},
        "items": [
            {**cart.line_fields.get(sku, {}), "item_sku": sku, "quantity": qty}
            for sku, qty in cart.lines.items()
        ],
    }
