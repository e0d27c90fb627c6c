"""A local stand-in for the Magento 2 / Adobe Commerce REST API (`/rest/V1`, `/rest/<store>/V1`).

Integration access tokens as Bearer auth, products by SKU with searchCriteria lists, stock
items, configurable children, orders and `order/{id}/ship`. See `docs/sandbox.md` ("Magento").
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from connectors.magento.sandbox.control import control_routes
from connectors.magento.sandbox.state import (
    ENTITY_404,
    PRODUCT_404,
    MagentoError,
    MagentoState,
    search,
    stamp,
)
from connectors.sandboxing import BuiltSandbox, Clock, Faults, assemble, fake_secret
from connectors.sandboxing.control import control_mount
from connectors.sandboxing.query import php_query

UNAUTHORIZED = "The consumer isn't authorized to access %resources."
Handler = Callable[[Request, dict[str, Any]], Any]


class MagentoErrorProfile:
    """Magento's own error bodies for injected faults."""

    def server_error(self, faults: Faults) -> Response:
        """Magento hides exceptions behind a report id."""
        status = faults.choice([500, 503])
        return JSONResponse(
            {
                "message": "Internal Error. Details are available in Magento log "
                "file. Report ID: webapi-6650a1b2c3d4e"
            },
            status,
        )

    def too_many_requests(self) -> Response:
        """A rate-limiting front (Magento core REST has no limiter of its own)."""
        return JSONResponse({"message": "Too Many Requests"}, 429, headers={"Retry-After": "1"})

    def unauthorized(self) -> Response:
        """A revoked integration token."""
        return JSONResponse(
            {"message": UNAUTHORIZED, "parameters": {"resources": "Magento_Catalog::products"}}, 401
        )


def _endpoint(
    state: MagentoState,
    token: str,
    resource: str,
    handler: Handler,
) -> Callable[[Request], Awaitable[Response]]:
    async def run(request: Request) -> Response:
        try:
            header = request.headers.get("authorization", "")
            given = header[7:].strip() if header[:7].lower() == "bearer " else ""
            if not (given and hmac.compare_digest(given, token)):
                raise MagentoError(401, UNAUTHORIZED, {"resources": resource})
            body: Any = {}
            raw = await request.body()
            if raw:
                try:
                    body = json.loads(raw)
                except ValueError as exc:
                    raise MagentoError(400, "Decoding error: \nSyntax error") from exc
            params = {**php_query(request.url.query), **request.path_params, "_body": body}
            with state.lock:
                result = handler(request, params)
        except MagentoError as exc:
            return JSONResponse(exc.body(), status_code=exc.status)
        return JSONResponse(result)

    return run


def _product(state: MagentoState, sku: str) -> dict[str, Any]:
    product = state.products.get(sku)
    if product is None:
        raise MagentoError(404, PRODUCT_404)
    return product


def _criteria(params: dict[str, Any]) -> Any:
    if "searchCriteria" not in params and "search_criteria" not in params:
        raise MagentoError(
            400, '"%fieldName" is required. Enter and try again.', {"fieldName": "searchCriteria"}
        )
    return params.get("searchCriteria", params.get("search_criteria"))


def _save_product(state: MagentoState, sku: str | None, body: Any) -> dict[str, Any]:
    data = body.get("product") if isinstance(body, dict) else None
    if not isinstance(data, dict):
        raise MagentoError(
            400, '"%fieldName" is required. Enter and try again.', {"fieldName": "product"}
        )
    sku = sku or data.get("sku")
    if not sku:
        raise MagentoError(
            400, 'The "%1" attribute value is empty. Set the attribute and try again.', ["sku"]
        )
    product = state.products.get(sku)
    if product is None:  # save() creates an unknown SKU, for POST and PUT alike
        product = state.new_product(
            sku,
            data.get("name", str(sku)),
            float(data.get("price", 0)),
            0,
            data.get("type_id", "simple"),
        )
    for name in ("name", "price", "status", "visibility", "weight", "attribute_set_id"):
        if name in data:
            product[name] = data[name]
    if isinstance(data.get("custom_attributes"), list):
        current = {a["attribute_code"]: a for a in product["custom_attributes"]}
        for attr in data["custom_attributes"]:
            current[attr["attribute_code"]] = {
                "attribute_code": attr["attribute_code"],
                "value": attr.get("value"),
            }
        product["custom_attributes"] = list(current.values())
    stock = (data.get("extension_attributes") or {}).get("stock_item")
    if isinstance(stock, dict):
        _apply_stock(product, stock)
    product["updated_at"] = stamp(state.now())
    state.add(product)
    return product


def _apply_stock(product: dict[str, Any], changes: dict[str, Any]) -> None:
    item = product["extension_attributes"]["stock_item"]
    for name in ("qty", "is_in_stock", "manage_stock", "backorders", "min_qty"):
        if name in changes:
            item[name] = changes[name]
    if "qty" in changes and "is_in_stock" not in changes and item["manage_stock"]:
        item["is_in_stock"] = float(item["qty"]) > 0


def _routes(state: MagentoState, token: str) -> list[BaseRoute]:
    def e(resource: str, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        return _endpoint(state, token, resource, handler)

    catalog, inventory = "Magento_Catalog::products", "Magento_CatalogInventory::cataloginventory"
    sales = "Magento_Sales::actions_view"

    def products(request: Request, p: dict[str, Any]) -> Any:
        if request.method == "POST":
            return _save_product(state, None, p["_body"])
        rows = [state.products[state.by_id[i]] for i in state.ids]
        return search(rows, _criteria(p))

    def product_one(request: Request, p: dict[str, Any]) -> Any:
        sku = p["sku"]
        if request.method == "PUT":
            return _save_product(state, sku, p["_body"])
        product = _product(state, sku)
        if request.method == "DELETE":
            state.remove(sku)
            return True
        return product

    def stock_get(request: Request, p: dict[str, Any]) -> Any:
        return _product(state, p["sku"])["extension_attributes"]["stock_item"]

    def stock_put(request: Request, p: dict[str, Any]) -> Any:
        product = _product(state, p["sku"])
        body = p["_body"].get("stockItem") if isinstance(p["_body"], dict) else None
        if not isinstance(body, dict):
            raise MagentoError(
                400, '"%fieldName" is required. Enter and try again.', {"fieldName": "stockItem"}
            )
        _apply_stock(product, body)
        product["updated_at"] = stamp(state.now())
        return product["extension_attributes"]["stock_item"]["item_id"]

    def children(request: Request, p: dict[str, Any]) -> Any:
        product = _product(state, p["sku"])
        links = product["extension_attributes"].get("configurable_product_links", [])
        return [state.products[state.by_id[i]] for i in links if i in state.by_id]

    def orders(request: Request, p: dict[str, Any]) -> Any:
        return search([state.orders[k] for k in sorted(state.orders)], _criteria(p))

    def order_one(request: Request, p: dict[str, Any]) -> Any:
        order = state.orders.get(p["oid"])
        if order is None:
            raise MagentoError(404, ENTITY_404)
        return order

    def ship(request: Request, p: dict[str, Any]) -> Any:
        return ship_order(state, order_one(request, p), p["_body"] or {})

    routes: list[BaseRoute] = []
    for prefix in ("/rest/V1", "/rest/{store:str}/V1"):
        routes += [
            Route(f"{prefix}/products", e(catalog, products), methods=["GET", "POST"]),
            Route(
                prefix + "/products/{sku:str}",
                e(catalog, product_one),
                methods=["GET", "PUT", "DELETE"],
            ),
            Route(prefix + "/stockItems/{sku:str}", e(inventory, stock_get), methods=["GET"]),
            Route(
                prefix + "/products/{sku:str}/stockItems/{item:int}",
                e(inventory, stock_put),
                methods=["PUT"],
            ),
            Route(
                prefix + "/configurable-products/{sku:str}/children",
                e(catalog, children),
                methods=["GET"],
            ),
            Route(f"{prefix}/orders", e(sales, orders), methods=["GET"]),
            Route(prefix + "/orders/{oid:int}", e(sales, order_one), methods=["GET"]),
            Route(
                prefix + "/order/{oid:int}/ship", e("Magento_Sales::ship", ship), methods=["POST"]
            ),
        ]
    routes.append(
        Route("/rest/{rest:path}", _no_route, methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
    )
    return routes


async def _no_route(request: Request) -> Response:
    return JSONResponse({"message": "Request does not match any route."}, 404)


def ship_order(state: MagentoState, order: dict[str, Any], body: dict[str, Any]) -> int:
    """Create a shipment (all remaining items when `items` is empty); returns its id."""
    items = {i["item_id"]: i for i in order["items"]}
    wanted = body.get("items") or [
        {"order_item_id": k, "qty": i["qty_ordered"] - i["qty_shipped"]} for k, i in items.items()
    ]
    errors = []
    for line in wanted:
        item = items.get(line.get("order_item_id"))
        if item is None or item["qty_ordered"] - item["qty_shipped"] < float(line.get("qty", 0)):
            errors.append("The order does not allow a shipment to be created.")
    if order["state"] not in ("processing", "new") or errors or not wanted:
        raise MagentoError(
            400,
            "Shipment Document Validation Error(s):\nThe order does not "
            "allow a shipment to be created.",
        )
    for line in wanted:
        items[line["order_item_id"]]["qty_shipped"] += float(line.get("qty", 0))
    state.next_shipment += 1
    order.setdefault("shipments", []).append(
        {"entity_id": state.next_shipment, "tracks": list(body.get("tracks") or [])}
    )
    if all(i["qty_shipped"] >= i["qty_ordered"] for i in items.values()):
        order["state"] = order["status"] = "complete"
    order["updated_at"] = stamp(state.now())
    return state.next_shipment


def build(seed: int = 1, size: int = 2000, *, clock: Clock | None = None) -> BuiltSandbox:
    """Build a Magento sandbox with `size` seeded products (simples and configurables)."""
    clock = clock or Clock()
    state = MagentoState(seed=seed, size=size, clock=clock)
    state.reseed(seed, size)
    token = fake_secret("magento", seed, "access_token")
    faults = Faults(seed=seed)
    control = control_mount(state=state, faults=faults, clock=clock, extra=control_routes(state))
    app = assemble(
        _routes(state, token), control=control, faults=faults, profile=MagentoErrorProfile()
    )
    return BuiltSandbox(app=app, credentials={"access_token": token}, state=state, faults=faults)
