"""Magento-specific `/_sandbox/` routes: place a paid customer order, delete a product."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from connectors.magento.sandbox.state import MagentoState, stamp
from connectors.sandboxing.control import ControlError, control_endpoint, json_object, need


def place_order(
    state: MagentoState, lines: list[tuple[dict[str, Any], float]], email: str, method: str
) -> dict[str, Any]:
    """Store a paid ("processing") order for (product, qty) lines."""
    oid = len(state.orders) + 1
    items = []
    for product, qty in lines:
        state.next_item += 1
        items.append(
            {
                "item_id": state.next_item,
                "order_id": oid,
                "sku": product["sku"],
                "name": product["name"],
                "product_id": product["id"],
                "product_type": product["type_id"],
                "qty_ordered": qty,
                "qty_shipped": 0,
                "price": product["price"],
                "row_total": round(product["price"] * qty, 2),
            }
        )
        stock = product["extension_attributes"]["stock_item"]
        stock["qty"] = stock["qty"] - qty
        stock["is_in_stock"] = stock["qty"] > 0
    address = {
        "firstname": "Sam",
        "lastname": "Shopper",
        "street": ["1 Test Way"],
        "city": "Springfield",
        "region_code": "IL",
        "postcode": "62701",
        "country_id": "US",
        "telephone": "555-0100",
        "email": email,
    }
    subtotal = round(sum(i["row_total"] for i in items), 2)
    now = stamp(state.now())
    order = {
        "entity_id": oid,
        "increment_id": f"{oid:09d}",
        "state": "processing",
        "status": "processing",
        "created_at": now,
        "updated_at": now,
        "customer_email": email,
        "customer_firstname": "Sam",
        "customer_lastname": "Shopper",
        "items": items,
        "billing_address": {**address, "address_type": "billing"},
        "shipping_description": method,
        "subtotal": subtotal,
        "shipping_amount": 5.0,
        "grand_total": subtotal + 5.0,
        "order_currency_code": "USD",
        "extension_attributes": {
            "shipping_assignments": [
                {
                    "shipping": {
                        "address": {**address, "address_type": "shipping"},
                        "method": "flatrate_flatrate",
                        "total": {"shipping_amount": 5.0},
                    },
                    "items": items,
                }
            ]
        },
    }
    state.orders[oid] = order
    return order


def control_routes(state: MagentoState) -> list[BaseRoute]:
    """Routes mounted under `/_sandbox/` next to the shared reset/seed/faults/clock."""

    @control_endpoint
    async def order(request: Request) -> Response:
        body = await json_object(request)
        lines = []
        for raw in need(body, "items", list):
            product = state.products.get(str(raw.get("sku")))
            if product is None:
                raise ControlError(f"no product with SKU {raw.get('sku')!r}")
            lines.append((product, float(raw.get("qty", 1))))
        with state.lock:
            made = place_order(
                state,
                lines,
                body.get("email", "sam@example.com"),
                body.get("shipping_description", "Flat Rate - Fixed"),
            )
        return JSONResponse(made, status_code=201)

    @control_endpoint
    async def delete(request: Request) -> Response:
        with state.lock:
            if request.path_params["sku"] not in state.products:
                raise ControlError("no such product", 404)
            state.remove(request.path_params["sku"])
        return JSONResponse({"deleted": request.path_params["sku"]})

    return [
        Route("/orders", order, methods=["POST"]),
        Route("/products/{sku:str}", delete, methods=["DELETE"]),
    ]
