"""A local stand-in for the Magento 2 / Adobe Commerce REST API (`/rest/V1`, `/rest/<store>/V1`).

Integration access tokens as Bearer auth, products by SKU with searchCriteria lists, media,
stock items, configurables, categories, orders with comments, `order/{id}/ship`, shipments
and invoices. See `docs/sandbox.md` ("Magento").
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from connectors.magento.sandbox import catalog as catalog_h
from connectors.magento.sandbox import sales as sales_h
from connectors.magento.sandbox.control import control_routes
from connectors.magento.sandbox.state import (
    ENTITY_404,
    STORE_VIEWS,
    MagentoError,
    MagentoState,
    search,
    stamp,
    store_views,
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
            # With "Allow OAuth Access Tokens to be used as standalone Bearer tokens" off,
            # Magento ignores the integration token: the call is anonymous, hence 401.
            allowed = state.settings.integration_as_bearer
            if not (allowed and given and hmac.compare_digest(given, token)):
                raise MagentoError(401, UNAUTHORIZED, {"resources": resource})
            body: Any = {}
            raw = await request.body()
            if raw:
                try:
                    body = json.loads(raw)
                except ValueError as exc:
                    raise MagentoError(400, "Decoding error: \nSyntax error") from exc
            params = {**php_query(request.url.query), **request.path_params, "_body": body}
            if params.get("store") not in (None, "all", *STORE_VIEWS):
                # An unknown first segment is not a store code but part of the route.
                raise MagentoError(404, "Request does not match any route.")
            with state.lock:
                result = handler(request, params)
        except MagentoError as exc:
            return JSONResponse(exc.body(), status_code=exc.status)
        if isinstance(result, Response):
            return result
        return JSONResponse(result)

    return run


def _criteria(params: dict[str, Any]) -> Any:
    if "searchCriteria" not in params and "search_criteria" not in params:
        raise MagentoError(
            400, '"%fieldName" is required. Enter and try again.', {"fieldName": "searchCriteria"}
        )
    return params.get("searchCriteria", params.get("search_criteria"))


def _scope(params: dict[str, Any]) -> str:
    """The store code of the URL: none is the default store view, `all` the admin scope."""
    return str(params.get("store") or "default")


def _only_sku_filters(criteria: Any) -> bool:
    if not isinstance(criteria, dict):
        return False
    groups = criteria.get("filterGroups", criteria.get("filter_groups")) or {}
    if not isinstance(groups, dict):
        return False
    sorts = criteria.get("sortOrders", criteria.get("sort_orders"))
    fields = [
        f.get("field")
        for g in groups.values()
        if isinstance(g, dict) and isinstance(g.get("filters"), dict)
        for f in g["filters"].values()
        if isinstance(f, dict)
    ]
    return not sorts and bool(fields) and all(name == "sku" for name in fields)


def _routes(state: MagentoState, token: str) -> list[BaseRoute]:
    def e(resource: str, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        return _endpoint(state, token, resource, handler)

    catalog, inventory = "Magento_Catalog::products", "Magento_CatalogInventory::cataloginventory"
    categories, sales = "Magento_Catalog::categories", "Magento_Sales::actions_view"

    def search_in(rows: list[dict[str, Any]], p: dict[str, Any]) -> Any:
        return search(rows, _criteria(p), clamp=state.settings.version < "2.4")

    def products(request: Request, p: dict[str, Any]) -> Any:
        if request.method == "POST":
            return catalog_h.save_product(state, None, p["_body"], _scope(p))
        found = search_in([state.products[state.by_id[i]] for i in state.ids], p)
        shown = [catalog_h.listed(state.view(r, _scope(p))) for r in found["items"]]
        return {**found, "items": shown}

    def product_one(request: Request, p: dict[str, Any]) -> Any:
        sku = p["sku"]
        if request.method == "PUT":
            return catalog_h.save_product(state, sku, p["_body"], _scope(p))
        product = catalog_h.product_or_404(state, sku)
        if request.method == "DELETE":
            state.remove(sku)
            return True
        return state.view(product, _scope(p))

    def stock_get(request: Request, p: dict[str, Any]) -> Any:
        return catalog_h.product_or_404(state, p["sku"])["extension_attributes"]["stock_item"]

    def stock_put(request: Request, p: dict[str, Any]) -> Any:
        product = catalog_h.product_or_404(state, p["sku"])
        body = p["_body"].get("stockItem") if isinstance(p["_body"], dict) else None
        if not isinstance(body, dict):
            raise MagentoError(
                400, '"%fieldName" is required. Enter and try again.', {"fieldName": "stockItem"}
            )
        catalog_h.apply_stock(product, body)
        product["updated_at"] = stamp(state.now())
        return product["extension_attributes"]["stock_item"]["item_id"]

    def media(request: Request, p: dict[str, Any]) -> Any:
        if request.method == "POST":
            return catalog_h.media_add(state, p["sku"], p["_body"])
        return catalog_h.media_list(state, p["sku"])

    def media_one(request: Request, p: dict[str, Any]) -> Any:
        return catalog_h.media_one(state, p["sku"], p["entry"], request.method)

    def children(request: Request, p: dict[str, Any]) -> Any:
        return catalog_h.children(state, p["sku"], _scope(p))

    def options(request: Request, p: dict[str, Any]) -> Any:
        if request.method == "POST":
            return catalog_h.option_add(state, p["sku"], p["_body"])
        return catalog_h.options_all(state, p["sku"])

    def child_add(request: Request, p: dict[str, Any]) -> Any:
        return catalog_h.child_add(state, p["sku"], p["_body"])

    def child_remove(request: Request, p: dict[str, Any]) -> Any:
        return catalog_h.child_remove(state, p["sku"], p["child"])

    def category_tree(request: Request, p: dict[str, Any]) -> Any:
        if request.method == "POST":
            return catalog_h.category_add(state, p["_body"])
        return catalog_h.category_tree(state, int(p.get("rootCategoryId") or 2))

    def category_list(request: Request, p: dict[str, Any]) -> Any:
        return search_in(list(state.categories.values()), p)

    def category_one(request: Request, p: dict[str, Any]) -> Any:
        return catalog_h.category_one(state, p["cid"])

    def views(request: Request, p: dict[str, Any]) -> Any:
        return store_views()

    def groups(request: Request, p: dict[str, Any]) -> Any:
        return [dict(g) for g in state.store_groups]

    def orders(request: Request, p: dict[str, Any]) -> Any:
        return search_in([state.orders[k] for k in sorted(state.orders)], p)

    def order_one(request: Request, p: dict[str, Any]) -> Any:
        return sales_h.order_or_404(state, p["oid"])

    def comments(request: Request, p: dict[str, Any]) -> Any:
        order = sales_h.order_or_404(state, p["oid"])
        if request.method == "POST":
            return sales_h.add_comment(state, order, p["_body"])
        return sales_h.comments(order)

    def ship(request: Request, p: dict[str, Any]) -> Any:
        body = p["_body"] if isinstance(p["_body"], dict) else {}
        return sales_h.ship_order(state, sales_h.order_or_404(state, p["oid"]), body)

    def shipments(request: Request, p: dict[str, Any]) -> Any:
        return search_in([state.shipments[k] for k in sorted(state.shipments)], p)

    def shipment_one(request: Request, p: dict[str, Any]) -> Any:
        found = state.shipments.get(p["sid"])
        if found is None:
            raise MagentoError(404, ENTITY_404)
        return found

    def source_items(request: Request, p: dict[str, Any]) -> Any:
        # MSI's single-source view of every product's stock: one row per SKU, source "default".
        def row(product: dict[str, Any]) -> dict[str, Any]:
            stock = product["extension_attributes"]["stock_item"]
            return {
                "sku": product["sku"],
                "source_code": "default",
                "quantity": stock["qty"],
                "status": int(bool(stock["is_in_stock"])),
            }

        products = [state.products[state.by_id[i]] for i in state.ids]
        if _only_sku_filters(_criteria(p)):
            # One row per product: filtering the products first gives the same answer
            # without building a row for every product of a large catalogue.
            found = search_in(products, p)
            return {**found, "items": [row(r) for r in found["items"]]}
        return search_in([row(r) for r in products], p)

    def invoices(request: Request, p: dict[str, Any]) -> Any:
        return search_in([state.invoices[k] for k in sorted(state.invoices)], p)

    def bulk_put(request: Request, p: dict[str, Any]) -> Any:
        return JSONResponse(catalog_h.bulk_save(state, p["_body"], _scope(p)), status_code=202)

    def bulk_status(request: Request, p: dict[str, Any]) -> Any:
        return catalog_h.bulk_status(state, p["uuid"])

    table: list[tuple[str, str, Handler, list[str]]] = [
        (
            "/bulk/{uuid:str}/status",
            "Magento_Logging::system_magento_logging_bulk_operations",
            bulk_status,
            ["GET"],
        ),
        ("/products", catalog, products, ["GET", "POST"]),
        ("/products/{sku:str}", catalog, product_one, ["GET", "PUT", "DELETE"]),
        ("/stockItems/{sku:str}", inventory, stock_get, ["GET"]),
        ("/products/{sku:str}/stockItems/{item:int}", inventory, stock_put, ["PUT"]),
        ("/products/{sku:str}/media", catalog, media, ["GET", "POST"]),
        ("/products/{sku:str}/media/{entry:int}", catalog, media_one, ["GET", "DELETE"]),
        ("/configurable-products/{sku:str}/children", catalog, children, ["GET"]),
        (
            "/configurable-products/{sku:str}/children/{child:str}",
            catalog,
            child_remove,
            ["DELETE"],
        ),
        ("/configurable-products/{sku:str}/child", catalog, child_add, ["POST"]),
        ("/configurable-products/{sku:str}/options/all", catalog, options, ["GET"]),
        ("/configurable-products/{sku:str}/options", catalog, options, ["POST"]),
        ("/inventory/source-items", "Magento_InventoryApi::source", source_items, ["GET"]),
        ("/categories", categories, category_tree, ["GET", "POST"]),
        ("/categories/list", categories, category_list, ["GET"]),
        ("/categories/{cid:int}", categories, category_one, ["GET"]),
        ("/store/storeViews", "Magento_Backend::store", views, ["GET"]),
        ("/store/storeGroups", "Magento_Backend::store", groups, ["GET"]),
        ("/orders", sales, orders, ["GET"]),
        ("/orders/{oid:int}", sales, order_one, ["GET"]),
        ("/orders/{oid:int}/comments", sales, comments, ["GET", "POST"]),
        ("/order/{oid:int}/ship", "Magento_Sales::ship", ship, ["POST"]),
        ("/shipments", "Magento_Sales::shipment", shipments, ["GET"]),
        ("/shipment/{sid:int}", "Magento_Sales::shipment", shipment_one, ["GET"]),
        ("/invoices", "Magento_Sales::sales_invoice", invoices, ["GET"]),
    ]
    routes: list[BaseRoute] = []
    for prefix in ("/rest/V1", "/rest/{store:str}/V1"):
        for path, resource, handler, methods in table:
            endpoint = e(resource, handler)
            # Magento's router trims slashes, so `/rest/V1/products/` is `/rest/V1/products`.
            routes.append(Route(prefix + path, endpoint, methods=methods))
            routes.append(Route(prefix + path + "/", endpoint, methods=methods))
    bulk = e(catalog, bulk_put)
    for prefix in ("/rest/async/bulk/V1", "/rest/{store:str}/async/bulk/V1"):
        routes.append(Route(prefix + "/products/bySku", bulk, methods=["PUT"]))
    routes.append(
        Route("/rest/{rest:path}", _no_route, methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
    )
    return routes


async def _no_route(request: Request) -> Response:
    return JSONResponse({"message": "Request does not match any route."}, 404)


def build(seed: int = 1, size: int = 2000, *, clock: Clock | None = None) -> BuiltSandbox:
    """Build a Magento sandbox with `size` seeded products (simples and configurables)."""
    clock = clock or Clock()
    state = MagentoState(seed=seed, size=size, clock=clock)
    state.reseed(seed, size)
    token = fake_secret("magento", seed, "access_token")
    faults = Faults(seed=seed)
    control = control_mount(
        state=state,
        faults=faults,
        clock=clock,
        settings=state.settings,
        extra=control_routes(state),
    )
    app = assemble(
        _routes(state, token), control=control, faults=faults, profile=MagentoErrorProfile()
    )
    return BuiltSandbox(app=app, credentials={"access_token": token}, state=state, faults=faults)
