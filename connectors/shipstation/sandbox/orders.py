"""ShipStation sandbox orders: list (filters, sorts), listbytag, one, createorder(s) upsert,
assign/unassign user, add/remove tag and markasshipped.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from connectors.sandboxing.records import public
from connectors.shipstation.sandbox.auth import Guard, message
from connectors.shipstation.sandbox.query import (
    Predicate,
    body_of,
    date_range,
    int_param,
    matching,
    object_of,
    paged,
    sort_records,
)
from connectors.shipstation.sandbox.records import BadRequest, parse_time, ss_time
from connectors.shipstation.sandbox.state import (
    OPEN_STATUSES,
    STATUSES,
    TAGS,
    USERS,
    ShipStationState,
)

MAX_BATCH = 100
ORDER_SORTS = {"OrderDate": "_ordered", "ModifyDate": "_modified", "CreateDate": "_created"}
REQUIRED_ORDER_FIELDS = ("orderNumber", "orderDate", "orderStatus", "billTo", "shipTo")


def order_filters(request: Request) -> list[Predicate]:
    """The GET /orders filters (tagId is not one of them; see listbytag)."""
    q = request.query_params
    preds: list[Predicate] = []
    if q.get("orderStatus"):
        if q["orderStatus"] not in STATUSES:
            raise BadRequest(f"The value '{q['orderStatus']}' is not valid for orderStatus.")
        preds.append(lambda o: o["orderStatus"] == q["orderStatus"])
    if q.get("orderNumber"):
        preds.append(lambda o: o["orderNumber"].startswith(q["orderNumber"]))
    if q.get("customerName"):
        name = q["customerName"].lower()
        preds.append(lambda o: name in (o["billTo"]["name"] or "").lower())
    if q.get("itemKeyword"):
        word = q["itemKeyword"].lower()
        preds.append(
            lambda o: any(
                word in (i["sku"] or "").lower()
                or word in (i["name"] or "").lower()
                or any(word in str(opt.get("value", "")).lower() for opt in i["options"] or [])
                for i in o["items"]
            )
        )
    store = int_param(request, "storeId")
    if store is not None:
        preds.append(lambda o: o["advancedOptions"]["storeId"] == store)
    for prefix, field in (
        ("createDate", "_created"),
        ("modifyDate", "_modified"),
        ("orderDate", "_ordered"),
        ("paymentDate", "_paid"),
    ):
        preds += date_range(request, prefix, field)
    return preds


def invalid(text: str, exception: str) -> Response:
    """A 400 in v1's ASP.NET style, as markasshipped answers an unknown order or carrier.

    The shape (`Message`/`ExceptionMessage`/`ExceptionType`) is the legacy .NET error body
    the contract notes record (1.6); the exact wording ShipStation uses is not published.
    """
    body = {
        "Message": "The request is invalid.",
        "ExceptionMessage": text,
        "ExceptionType": f"System.{exception}Exception",
        "StackTrace": None,
    }
    return JSONResponse(body, status_code=400)


def order_routes(state: ShipStationState, guard: Guard) -> list[BaseRoute]:
    """Orders: list, listbytag, one, create/update, tags, users, markasshipped."""

    @guard
    async def list_orders(request: Request) -> Response:
        found = matching(list(state.orders.values()), order_filters(request))
        return paged(request, "orders", sort_records(request, found, ORDER_SORTS))

    @guard
    async def list_by_tag(request: Request) -> Response:
        status = request.query_params.get("orderStatus")
        tag = int_param(request, "tagId")
        if not status or tag is None:
            raise BadRequest("orderStatus and tagId are required.")
        found = [
            o
            for o in state.orders.values()
            if o["orderStatus"] == status and tag in (o["tagIds"] or [])
        ]
        return paged(request, "orders", found)

    @guard
    async def one_order(request: Request) -> Response:
        order = state.orders.get(request.path_params["id"])
        if order is None:
            return message(404, "Order not found.")
        return JSONResponse(public(order))

    def upsert(body: Any) -> dict[str, Any]:
        """createorder semantics: insert, or replace an open order with the same orderKey."""
        if not isinstance(body, dict):
            raise BadRequest("The request body must be an order object.")
        missing = [f for f in REQUIRED_ORDER_FIELDS if body.get(f) in (None, "")]
        if missing:
            raise BadRequest(f"{', '.join(missing)} required.")
        if body["orderStatus"] not in STATUSES:
            raise BadRequest(f"The value '{body['orderStatus']}' is not valid for orderStatus.")
        ordered = parse_time(str(body["orderDate"]), "orderDate")
        lines = body.get("items") or []
        if not isinstance(lines, list) or not all(
            isinstance(i, dict) and isinstance(i.get("quantity", 1), int) for i in lines
        ):
            raise BadRequest("items must be a list of order items.")
        key = body.get("orderKey") or None
        existing = state.orders.get(state.order_keys.get(key, -1)) if key else None
        if existing is not None and existing["orderStatus"] not in OPEN_STATUSES:
            raise BadRequest(
                f"Order {existing['orderNumber']} is {existing['orderStatus']} and cannot be "
                "updated."
            )
        items = [
            state.order_item(str(i.get("sku") or ""), i.get("quantity", 1), ordered) for i in lines
        ]
        for sent, item in zip(lines, items, strict=True):
            for name in ("lineItemKey", "name", "unitPrice", "options"):
                if sent.get(name) is not None:
                    item[name] = sent[name]
        fields = {
            "orderNumber": str(body["orderNumber"]),
            "orderStatus": body["orderStatus"],
            "orderDate": ss_time(ordered),
            "billTo": body["billTo"],
            "shipTo": body["shipTo"],
            "items": items,
            "tagIds": body.get("tagIds") or None,
            "_ordered": ordered,
        }
        for name in (
            "customerEmail",
            "customerUsername",
            "amountPaid",
            "orderTotal",
            "requestedShippingService",
            "customerNotes",
            "internalNotes",
        ):
            if name in body:
                fields[name] = body[name]
        if existing is not None:  # no partial updates: the whole object is replaced
            existing.update(fields)
            state.touch(existing)
            return existing
        order = state.place_order(placed=state.clock.now(), lines=[], **fields)
        if key:
            del state.order_keys[order["orderKey"]]
            order["orderKey"] = key
            state.order_keys[key] = order["orderId"]
        return order

    @guard
    async def create_order(request: Request) -> Response:
        return JSONResponse(public(upsert(await body_of(request))))

    @guard
    async def create_orders(request: Request) -> Response:
        batch = await body_of(request)
        if not isinstance(batch, list):
            raise BadRequest("The request body must be an array of orders.")
        if len(batch) > MAX_BATCH:
            raise BadRequest(f"At most {MAX_BATCH} orders per request.")
        results = []
        for sent in batch:
            try:
                order = upsert(sent)
            except BadRequest as exc:
                sent = sent if isinstance(sent, dict) else {}
                results.append(
                    {
                        "orderId": 0,
                        "orderNumber": sent.get("orderNumber"),
                        "orderKey": sent.get("orderKey"),
                        "success": False,
                        "errorMessage": str(exc),
                    }
                )
                continue
            results.append(
                {
                    "orderId": order["orderId"],
                    "orderNumber": order["orderNumber"],
                    "orderKey": order["orderKey"],
                    "success": True,
                    "errorMessage": None,
                }
            )
        has_errors = any(not r["success"] for r in results)
        return JSONResponse({"hasErrors": has_errors, "results": results})

    def orders_by_ids(body: dict[str, Any]) -> list[dict[str, Any]]:
        ids = body.get("orderIds")
        if not isinstance(ids, list) or not ids:
            raise BadRequest("orderIds is required.")
        unknown = [i for i in ids if i not in state.orders]
        if unknown:  # all-or-nothing: nothing changes
            raise BadRequest(f"Order(s) not found: {', '.join(map(str, unknown))}.")
        return [state.orders[i] for i in ids]

    @guard
    async def assign_user(request: Request) -> Response:
        body = await object_of(request)
        user = body.get("userId")
        if user not in {u["userId"] for u in USERS}:
            raise BadRequest("userId is not a user of this account.")
        orders = orders_by_ids(body)
        state.assign_calls.append(([o["orderId"] for o in orders], str(user)))
        for order in orders:
            order["userId"] = user
            state.touch(order)
        return JSONResponse({"success": True, "message": "User assigned successfully."})

    @guard
    async def unassign_user(request: Request) -> Response:
        for order in orders_by_ids(await object_of(request)):
            order["userId"] = None
            state.touch(order)
        return JSONResponse({"success": True, "message": "User unassigned successfully."})

    def order_and_tag(body: dict[str, Any]) -> tuple[dict[str, Any], int]:
        order = state.orders.get(body.get("orderId"))  # type: ignore[arg-type]  # any JSON id
        wanted = body.get("tagId")
        tag: int | None = next((t["tagId"] for t in TAGS if t["tagId"] == wanted), None)
        if order is None:
            raise BadRequest("orderId not found.")
        if tag is None:
            raise BadRequest("tagId not found.")
        return order, tag

    @guard
    async def add_tag(request: Request) -> Response:
        order, tag = order_and_tag(await object_of(request))
        if tag not in (order["tagIds"] or []):
            order["tagIds"] = [*(order["tagIds"] or []), tag]
            state.touch(order)
        return JSONResponse({"success": True, "message": "Tag added successfully."})

    @guard
    async def remove_tag(request: Request) -> Response:
        order, tag = order_and_tag(await object_of(request))
        remaining = [t for t in order["tagIds"] or [] if t != tag]
        order["tagIds"] = remaining or None  # null, not [], when empty
        state.touch(order)
        return JSONResponse({"success": True, "message": "Tag removed successfully."})

    @guard
    async def mark_as_shipped(request: Request) -> Response:
        body = await object_of(request)
        order = state.orders.get(body.get("orderId"))  # type: ignore[arg-type]  # any JSON id
        if order is None:
            return invalid(f"Order not found. OrderId: {body.get('orderId')}", "KeyNotFound")
        if not body.get("carrierCode"):
            raise BadRequest("carrierCode is required.")
        codes = {c["code"] for c in state.carriers}
        if body["carrierCode"] not in codes:
            return invalid(f"Invalid carrierCode: {body['carrierCode']}", "Argument")
        if body.get("shipDate"):
            try:
                date.fromisoformat(str(body["shipDate"]))
            except ValueError as exc:
                raise BadRequest("shipDate must be YYYY-MM-DD.") from exc
        if order["orderStatus"] in ("shipped", "cancelled") and state.settings.reship == "error":
            raise BadRequest(f"Order {order['orderNumber']} is already {order['orderStatus']}.")
        state.mark_calls.append(dict(body))
        state.fulfil(order, body)
        return JSONResponse({"orderId": order["orderId"], "orderNumber": order["orderNumber"]})

    return [
        Route("/orders", list_orders),
        Route("/orders/listbytag", list_by_tag),
        Route("/orders/{id:int}", one_order),
        Route("/orders/createorder", create_order, methods=["POST"]),
        Route("/orders/createorders", create_orders, methods=["POST"]),
        Route("/orders/assignuser", assign_user, methods=["POST"]),
        Route("/orders/unassignuser", unassign_user, methods=["POST"]),
        Route("/orders/addtag", add_tag, methods=["POST"]),
        Route("/orders/removetag", remove_tag, methods=["POST"]),
        Route("/orders/markasshipped", mark_as_shipped, methods=["POST"]),
    ]
