"""ShipStation sandbox catalogue and account lists: products, users, tags, carriers and
stores."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from connectors.sandboxing.paging import numbered_page
from connectors.sandboxing.records import public
from connectors.shipstation.sandbox.auth import Guard, message
from connectors.shipstation.sandbox.query import Predicate, matching, paged, paging, sort_records
from connectors.shipstation.sandbox.records import parse_time
from connectors.shipstation.sandbox.state import STORES, TAGS, USERS, ShipStationState


def catalogue_routes(state: ShipStationState, guard: Guard) -> list[BaseRoute]:
    """Products (by sku, name, dates; inactive on request), users, tags, carriers, stores."""

    @guard
    async def list_products(request: Request) -> Response:
        q = request.query_params
        show_inactive = q.get("showInactive", "false").lower() == "true"
        if q.get("sku"):
            # Exact after trimming (the doc leaves exact vs partial open; clients re-check).
            found_id = state.product_skus.get(q["sku"].strip().lower())
            ids = [] if found_id is None else [found_id]
            if (
                found_id is not None
                and not show_inactive
                and not state.products[found_id]["active"]
            ):
                ids = []
        else:
            ids = state.product_ids if show_inactive else state.active_product_ids
        preds: list[Predicate] = []
        if q.get("startDate"):
            low = parse_time(q["startDate"], "startDate")
            preds.append(lambda p: p["_created"] >= low)
        if q.get("endDate"):
            high = parse_time(q["endDate"], "endDate")
            preds.append(lambda p: p["_created"] <= high)
        if q.get("name"):
            name = q["name"].lower()
            preds.append(lambda p: name in p["name"].lower())
        if not preds and not q.get("sortBy"):
            # Unfiltered: slice the id list, never touching the rest of the catalogue.
            page, size = paging(request)
            chunk = numbered_page(ids, page, size)
            body = {
                "products": [public(state.products[i]) for i in chunk.records],
                "total": chunk.total,
                "page": chunk.page,
                "pages": chunk.pages,
            }
            return JSONResponse(body)
        found = matching([state.products[i] for i in ids], preds)
        return paged(
            request,
            "products",
            sort_records(
                request, found, {"SKU": "sku", "ModifyDate": "_created", "CreateDate": "_created"}
            ),
        )

    @guard
    async def one_product(request: Request) -> Response:
        product = state.products.get(request.path_params["id"])
        if product is None:
            return message(404, "Product not found.")
        return JSONResponse(public(product))

    @guard
    async def users(request: Request) -> Response:
        return JSONResponse(USERS)

    @guard
    async def tags(request: Request) -> Response:
        return JSONResponse(TAGS)

    @guard
    async def carriers(request: Request) -> Response:
        return JSONResponse(state.carriers)

    @guard
    async def stores(request: Request) -> Response:
        return JSONResponse(
            [{"storeId": i, "storeName": n, "active": True} for i, n in STORES.items()]
        )

    return [
        Route("/products", list_products),
        Route("/products/{id:int}", one_product),
        Route("/users", users),
        Route("/accounts/listtags", tags),
        Route("/carriers", carriers),
        Route("/stores", stores),
    ]
