"""WPS sandbox catalogue: items, products, inventory, brands and attributes, with includes."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from connectors.wps.sandbox.auth import Handler, error, guarded
from connectors.wps.sandbox.query import (
    Filter,
    envelope_page,
    includes,
    nested,
    one_or_many,
    sparse,
)
from connectors.wps.sandbox.state import WpsState


class Renderer:
    """Builds API JSON for items, products and inventory with nested includes."""

    def __init__(self, state: WpsState, request: Request) -> None:
        self.state = state
        self.request = request

    def image(self, item_id: int) -> dict[str, Any]:
        sku = self.state.items[item_id]["sku"]
        return {
            "id": item_id,
            "domain": "cdn.wpsstatic.com",
            "path": f"images/{item_id % 97:02d}/",
            "filename": f"{sku}.jpg",
            "alt": None,
            "mime": "image/jpeg",
            "width": 1000,
            "height": 1000,
            "size": 48213,
            "signature": f"{item_id:040x}",
            "created_at": self.state.items[item_id]["created_at"],
            "updated_at": self.state.items[item_id]["created_at"],
        }

    def item(self, item_id: int, paths: set[str]) -> dict[str, Any]:
        state = self.state
        record = sparse(self.request, "items", dict(state.items[item_id]))
        if "inventory" in paths:
            record["inventory"] = {"data": state.inventory(item_id)}
        if "images" in paths:
            record["images"] = {"data": [self.image(item_id)]}
        if "attributevalues" in paths:
            values = [state.attributevalues[v] for v in state.item_attrs[item_id]]
            record["attributevalues"] = {"data": values}
        if "product" in paths:
            product_id = state.items[item_id]["product_id"]
            record["product"] = {"data": self.product(product_id, nested(paths, "product"))}
        if "brand" in paths:
            record["brand"] = {"data": state.brands[state.items[item_id]["brand_id"]]}
        return record

    def product(self, product_id: int, paths: set[str]) -> dict[str, Any]:
        state = self.state
        record = sparse(self.request, "products", dict(state.products[product_id]))
        item_ids = state.product_items[product_id]
        if "items" in paths:
            sub = nested(paths, "items")
            record["items"] = {"data": [self.item(i, sub) for i in item_ids]}
        if "images" in paths:
            record["images"] = {"data": [self.image(i) for i in item_ids[:1]]}
        if "attributekeys" in paths:
            keys = sorted(
                {
                    state.attributevalues[v]["attributekey_id"]
                    for i in item_ids
                    for v in state.item_attrs[i]
                }
            )
            record["attributekeys"] = {"data": [state.attributekeys[k] for k in keys]}
        return record

    def inventory(self, item_id: int, paths: set[str]) -> dict[str, Any]:
        record = sparse(self.request, "inventory", self.state.inventory(item_id))
        if "item" in paths:
            record["item"] = {"data": self.item(item_id, nested(paths, "item"))}
        return record


def narrow_items(state: WpsState, filters: list[Filter]) -> list[int] | None:
    """Use an index instead of a scan when an `eq` filter pins sku, id or product."""
    for name, op, raw in filters:
        if op != "eq":
            continue
        if name == "sku":
            found = state.sku_index.get(raw)
            return [] if found is None else [found]
        if name in ("id", "item_id") and raw.isdigit():
            return [int(raw)]
        if name == "product_id" and raw.isdigit():
            return list(state.product_items.get(int(raw), []))
    return None


def catalogue_routes(state: WpsState) -> list[BaseRoute]:
    """Items, products, inventory, brands and attributes."""

    def narrow(filters: list[Filter]) -> list[int] | None:
        return narrow_items(state, filters)

    def inventory_of(item_id: int) -> dict[str, Any] | None:
        return state.inventory(item_id) if item_id in state.items else None

    @guarded(state)
    async def list_items(request: Request) -> Response:
        r, paths = Renderer(state, request), includes(request)
        return envelope_page(
            request,
            state,
            "items",
            state.item_ids,
            state.items.get,
            lambda i: r.item(i, paths),
            narrow,
        )

    @guarded(state)
    async def list_products(request: Request) -> Response:
        r, paths = Renderer(state, request), includes(request)
        return envelope_page(
            request,
            state,
            "products",
            state.product_ids,
            state.products.get,
            lambda i: r.product(i, paths),
        )

    @guarded(state)
    async def list_inventory(request: Request) -> Response:
        r, paths = Renderer(state, request), includes(request)
        return envelope_page(
            request,
            state,
            "inventory",
            state.item_ids,
            inventory_of,
            lambda i: r.inventory(i, paths),
            narrow,
        )

    def small_table(resource: str) -> Handler:
        @guarded(state)
        async def handler(request: Request) -> Response:
            table: dict[int, dict[str, Any]] = getattr(state, resource)  # replaced on reseed
            return envelope_page(
                request, state, resource, sorted(table), table.__getitem__, table.__getitem__
            )

        return handler

    @guarded(state)
    async def one_item(request: Request) -> Response:
        r, paths = Renderer(state, request), includes(request)
        return one_or_many(
            request.path_params["ids"], state.items, lambda i: r.item(i, paths), "Item"
        )

    @guarded(state)
    async def one_product(request: Request) -> Response:
        r, paths = Renderer(state, request), includes(request)
        return one_or_many(
            request.path_params["ids"], state.products, lambda i: r.product(i, paths), "Product"
        )

    @guarded(state)
    async def one_inventory(request: Request) -> Response:
        r, paths = Renderer(state, request), includes(request)
        return one_or_many(
            request.path_params["ids"], state.items, lambda i: r.inventory(i, paths), "Inventory"
        )

    @guarded(state)
    async def one_brand(request: Request) -> Response:
        return one_or_many(
            request.path_params["ids"], state.brands, state.brands.__getitem__, "Brand"
        )

    @guarded(state)
    async def item_sub(request: Request) -> Response:
        item_id = request.path_params["id"]
        if item_id not in state.items:
            return error(404, "Item not found.")
        renderer = Renderer(state, request)
        sub = request.path_params["sub"]
        if sub == "images":
            return JSONResponse({"data": [renderer.image(item_id)]})
        if sub == "attributevalues":
            values = [state.attributevalues[v] for v in state.item_attrs[item_id]]
            return JSONResponse({"data": values})
        if sub == "inventory":
            return JSONResponse({"data": state.inventory(item_id)})
        if sub == "product":
            product_id = state.items[item_id]["product_id"]
            return JSONResponse({"data": renderer.product(product_id, includes(request))})
        return error(404, "Not found.")

    @guarded(state)
    async def product_items(request: Request) -> Response:
        product_id = request.path_params["id"]
        if product_id not in state.products:
            return error(404, "Product not found.")
        r, paths = Renderer(state, request), includes(request)
        return envelope_page(
            request,
            state,
            "items",
            state.product_items[product_id],
            state.items.get,
            lambda i: r.item(i, paths),
        )

    return [
        Route("/items", list_items),
        Route("/items/{id:int}/{sub:str}", item_sub),
        Route("/items/{ids}", one_item),
        Route("/products", list_products),
        Route("/products/{id:int}/items", product_items),
        Route("/products/{ids}", one_product),
        Route("/inventory", list_inventory),
        Route("/inventory/{ids}", one_inventory),
        Route("/brands", small_table("brands")),
        Route("/brands/{ids}", one_brand),
        Route("/attributekeys", small_table("attributekeys")),
        Route("/attributevalues", small_table("attributevalues")),
    ]
