"""ShipStation sandbox shipments and fulfillments: the label and markasshipped lists."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from connectors.shipstation.sandbox.auth import Guard
from connectors.shipstation.sandbox.query import date_range, equals, matching, paged, sort_records
from connectors.shipstation.sandbox.state import ShipStationState

SHIPMENT_SORTS = {"ShipDate": "_shipped", "CreateDate": "_created"}


def shipment_routes(state: ShipStationState, guard: Guard) -> list[BaseRoute]:
    """GET /shipments (label shipments, voided ones included) and GET /fulfillments."""

    @guard
    async def list_shipments(request: Request) -> Response:
        q = request.query_params
        preds = [
            *equals(request, "recipientName", lambda s: s["shipTo"]["name"]),
            *equals(request, "recipientCountryCode", lambda s: s["shipTo"]["country"]),
            *equals(request, "orderNumber", lambda s: s["orderNumber"]),
            *equals(request, "orderId", lambda s: s["orderId"]),
            *equals(request, "carrierCode", lambda s: s["carrierCode"]),
            *equals(request, "serviceCode", lambda s: s["serviceCode"]),
            *equals(request, "trackingNumber", lambda s: s["trackingNumber"]),
            *equals(request, "storeId", lambda s: s["advancedOptions"]["storeId"]),
            *date_range(request, "createDate", "_created"),
            *date_range(request, "shipDate", "_shipped"),
            *date_range(request, "voidDate", "_voided"),
        ]
        found = sort_records(
            request, matching(list(state.shipments.values()), preds), SHIPMENT_SORTS
        )
        with_items = q.get("includeShipmentItems", "false").lower() == "true"
        if not with_items:
            found = [{**s, "shipmentItems": None} for s in found]
        return paged(request, "shipments", found)

    @guard
    async def list_fulfillments(request: Request) -> Response:
        preds = [
            *equals(request, "fulfillmentId", lambda f: f["fulfillmentId"]),
            *equals(request, "orderId", lambda f: f["orderId"]),
            *equals(request, "orderNumber", lambda f: f["orderNumber"]),
            *equals(request, "trackingNumber", lambda f: f["trackingNumber"]),
            *equals(request, "recipientName", lambda f: f["shipTo"]["name"]),
            *date_range(request, "createDate", "_created"),
            *date_range(request, "shipDate", "_shipped"),
        ]
        found = matching(list(state.fulfillments.values()), preds)
        return paged(request, "fulfillments", sort_records(request, found, SHIPMENT_SORTS))

    return [
        Route("/shipments", list_shipments),
        Route("/fulfillments", list_fulfillments),
    ]
