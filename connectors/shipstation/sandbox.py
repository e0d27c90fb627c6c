"""A local stand-in for ShipStation API v1 (ssapi.shipstation.com).

Follows `shared/api/shipstation_wps_usdirect.md` section 1: Basic key:secret auth, 40
requests per minute per key pair with `X-Rate-Limit-*` headers on every response, page
numbers with `{<collection>, total, page, pages}`, orders (filters, listbytag, assignuser,
addtag, markasshipped → a fulfillment, createorder(s) upsert), label shipments (partial,
voided) and products. Timestamps are US Pacific local time without an offset, as V1 sends.
"""

from __future__ import annotations

import base64
import binascii
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import Scope

from connectors.sandboxing import BuiltSandbox, assemble, fake_secret
from connectors.sandboxing.clock import Clock
from connectors.sandboxing.control import ControlError, control_endpoint, control_mount, json_object
from connectors.sandboxing.faults import Faults
from connectors.sandboxing.paging import numbered_page
from connectors.sandboxing.ratelimit import FixedWindowLimiter, RateLimitMiddleware, WindowStatus
from connectors.sandboxing.seeding import paused_gc

PACIFIC = ZoneInfo("America/Los_Angeles")
OPEN_STATUSES = ("awaiting_payment", "awaiting_shipment", "pending_fulfillment", "on_hold")
STATUSES = (*OPEN_STATUSES, "shipped", "cancelled")
STORES = {101: "WooCommerce Store", 102: "Magento Store"}
TAGS = [
    {"tagId": 8362, "name": "Backorder", "color": "#800080"},
    {"tagId": 8363, "name": "Dropship", "color": "#008000"},
    {"tagId": 8364, "name": "Priority", "color": "#FF0000"},
]
USERS = [
    {
        "userId": "5c7f1b7e-0a5d-4f57-9a53-2f6f2b0a1c01",
        "userName": "ops@example.com",
        "name": "Ops",
    },
    {
        "userId": "9d2a4c1e-7b3f-4e21-8c55-6a1d3e9b2f02",
        "userName": "sam@example.com",
        "name": "Sam",
    },
]
NAMES = ("Ada Lovelace", "Grace Hopper", "Alan Turing", "Edsger Dijkstra", "Barbara Liskov")
CARRIERS = (("ups", "ups_ground"), ("usps", "usps_priority_mail"), ("fedex", "fedex_ground"))
MAX_PAGE_SIZE = 500
MAX_BATCH = 100


@dataclass
class ShipStationSettings:
    """Switches for behaviour the contract leaves open."""

    rate_limit: int = 40
    send_reset_header: bool = True  # off: clients must fall back to 60 s
    send_retry_after: bool = False  # V1 is not known to send it; on to test the fallback
    empty_401_body: bool = False  # the real 401 may carry no JSON
    reship: str = "error"  # markasshipped on a shipped/cancelled order: "error" | "allow"


def ss_time(moment: datetime | None) -> str | None:
    """V1's timestamp style: Pacific local, 7 fractional digits, no offset."""
    if moment is None:
        return None
    return moment.astimezone(PACIFIC).strftime("%Y-%m-%dT%H:%M:%S.0000000")


def ss_date(moment: datetime | None) -> str | None:
    """A date-only value (shipDate)."""
    return None if moment is None else moment.astimezone(PACIFIC).date().isoformat()


class BadRequest(Exception):
    """An invalid request; answered with 400 `{"message": ...}`."""


def parse_time(raw: str, name: str) -> datetime:
    """A filter value (`2015-01-01 00:00:00`, a date, or ISO) read as Pacific local time."""
    text = raw.strip().replace("T", " ")
    if "." in text:
        text = text.split(".", 1)[0]
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise BadRequest(f"The value '{raw}' is not valid for {name}.") from exc
    return parsed.replace(tzinfo=PACIFIC) if parsed.tzinfo is None else parsed


def address(name: str, rng: random.Random) -> dict[str, Any]:
    """A ShipStation Address."""
    return {
        "name": name,
        "company": None,
        "street1": f"{rng.randint(1, 9999)} Main St",
        "street2": "",
        "street3": None,
        "city": "Austin",
        "state": "TX",
        "postalCode": "78701",
        "country": "US",
        "phone": "555-0100",
        "residential": True,
        "addressVerified": "Address validated successfully",
    }


class ShipStationState:
    """Orders, label shipments, fulfillments and products, with id-ordered lists."""

    def __init__(self, seed: int, size: int, clock: Clock) -> None:
        self.clock = clock
        self.settings = ShipStationSettings()
        self.api_key = fake_secret("shipstation", seed, "key")
        self.api_secret = fake_secret("shipstation", seed, "secret")
        self.reseed(seed, size)

    def reseed(self, seed: int, size: int) -> None:
        """`size` products, about size/20 orders, some shipped with (partial, voided) labels."""
        self.seed, self.size = seed, size
        self.rng = random.Random(seed)
        self.orders: dict[int, dict[str, Any]] = {}
        self.order_keys: dict[str, int] = {}
        self.shipments: dict[int, dict[str, Any]] = {}
        self.fulfillments: dict[int, dict[str, Any]] = {}
        self.products: dict[int, dict[str, Any]] = {}
        self.product_ids: list[int] = []
        self.active_product_ids: list[int] = []
        self.product_skus: dict[str, int] = {}  # trimmed, lower-cased sku -> id
        self.next_ids = {"order": 100_000, "item": 500_000, "shipment": 900_000, "fulfil": 70_000}
        now = self.clock.now()
        with paused_gc():
            for n in range(1, size + 1):
                self.add_product(n, now - timedelta(days=self.rng.randint(1, 700)))
        for _ in range(max(10, size // 20)):
            placed = now - timedelta(hours=self.rng.randint(31, 24 * 60))  # labels land by now
            order = self.place_order(placed=placed)
            roll = self.rng.random()
            if roll < 0.15:
                self.label(order, order["items"][:1], placed + timedelta(hours=20))
                if len(order["items"]) > 1:  # partial: a second label for the rest
                    self.label(order, order["items"][1:], placed + timedelta(hours=30))
            elif roll < 0.2:
                shipment = self.label(order, order["items"], placed + timedelta(hours=5))
                self.void(shipment, placed + timedelta(hours=6))

    def new_id(self, kind: str) -> int:
        """The next id of one kind (ids only grow, so lists stay sorted)."""
        self.next_ids[kind] += 1
        return self.next_ids[kind]

    # -- products ------------------------------------------------------------------------

    def add_product(self, n: int, created: datetime) -> None:
        """Seed product `n`; a few are inactive and a few SKUs carry stray spaces."""
        sku = f"SS-{n:06d}"
        if n % 97 == 0:
            sku = f" {sku}"  # real data has SKUs that need trimming
        active = n % 23 != 0
        product = {
            "productId": n,
            "sku": sku,
            "name": f"Sandbox product {n}",
            "price": round(5 + (n * 7919 % 20000) / 100, 2),
            "defaultCost": None,
            "length": None,
            "width": None,
            "height": None,
            "weightOz": float(n % 64 + 1),
            "internalNotes": None,
            "fulfillmentSku": None,
            "createDate": ss_time(created),
            "modifyDate": ss_time(created),
            "active": active,
            "productCategory": None,
            "productType": None,
            "warehouseLocation": None,
            "defaultCarrierCode": None,
            "defaultServiceCode": None,
            "defaultPackageCode": None,
            "defaultIntlCarrierCode": None,
            "defaultIntlServiceCode": None,
            "defaultIntlPackageCode": None,
            "defaultConfirmation": None,
            "defaultIntlConfirmation": None,
            "customsDescription": None,
            "customsValue": None,
            "customsTariffNo": None,
            "customsCountryCode": None,
            "noCustoms": None,
            "tags": None,
            "aliases": None,
            "_created": created,
        }
        self.products[n] = product
        self.product_ids.append(n)
        if active:
            self.active_product_ids.append(n)
        self.product_skus[sku.strip().lower()] = n

    def delete_product(self, product_id: int) -> None:
        """Remove a product from every index."""
        product = self.products.pop(product_id)
        self.product_ids.remove(product_id)
        if product_id in self.active_product_ids:
            self.active_product_ids.remove(product_id)
        del self.product_skus[product["sku"].strip().lower()]

    # -- orders --------------------------------------------------------------------------

    def place_order(
        self,
        placed: datetime | None = None,
        lines: list[tuple[str, int]] | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """A customer order as a store integration would import it (awaiting_shipment)."""
        rng = self.rng
        placed = placed or self.clock.now()
        if lines is None:
            picks = rng.sample(self.product_ids, min(len(self.product_ids), rng.randint(1, 3)))
            lines = [(self.products[p]["sku"].strip(), rng.randint(1, 3)) for p in picks]
        order_id = self.new_id("order")
        name = rng.choice(NAMES)
        items = [self.order_item(sku, qty, placed) for sku, qty in lines]
        total = round(sum(i["unitPrice"] * i["quantity"] for i in items), 2)
        store_id = rng.choice(list(STORES))
        carrier, service = rng.choice(CARRIERS)
        order: dict[str, Any] = {
            "orderId": order_id,
            "orderNumber": str(order_id - 90_000),
            "orderKey": f"key-{order_id}",
            "orderDate": ss_time(placed),
            "createDate": ss_time(placed),
            "modifyDate": ss_time(placed),
            "paymentDate": ss_time(placed),
            "shipByDate": None,
            "orderStatus": "awaiting_shipment",
            "customerId": rng.randint(1000, 9999),
            "customerUsername": None,
            "customerEmail": f"{name.split()[0].lower()}@example.com",
            "billTo": address(name, rng),
            "shipTo": address(name, rng),
            "items": items,
            "orderTotal": total,
            "amountPaid": total,
            "taxAmount": 0.0,
            "shippingAmount": 0.0,
            "customerNotes": None,
            "internalNotes": None,
            "gift": False,
            "giftMessage": None,
            "paymentMethod": "Credit Card",
            "requestedShippingService": "Standard",
            "carrierCode": carrier,
            "serviceCode": service,
            "packageCode": "package",
            "confirmation": "none",
            "shipDate": None,
            "holdUntilDate": None,
            "weight": {"value": 16.0, "units": "ounces", "WeightUnits": 1},
            "dimensions": None,
            "insuranceOptions": {"provider": None, "insureShipment": False, "insuredValue": 0.0},
            "internationalOptions": {"contents": None, "customsItems": None, "nonDelivery": None},
            "advancedOptions": advanced_options(store_id),
            "tagIds": None,
            "userId": None,
            "externallyFulfilled": False,
            "externallyFulfilledBy": None,
            "labelMessages": None,
            "_created": placed,
            "_modified": placed,
            "_ordered": placed,
            "_paid": placed,
        }
        order.update(fields)
        self.orders[order_id] = order
        self.order_keys[order["orderKey"]] = order_id
        return order

    def order_item(self, sku: str, quantity: int, when: datetime) -> dict[str, Any]:
        """An OrderItem for `sku` (priced from the product when there is one)."""
        product_id = self.product_skus.get(sku.strip().lower())
        product = self.products.get(product_id) if product_id else None
        item_id = self.new_id("item")
        return {
            "orderItemId": item_id,
            "lineItemKey": f"line-{item_id}",
            "sku": sku,
            "name": product["name"] if product else sku,
            "imageUrl": None,
            "weight": None,
            "quantity": quantity,
            "unitPrice": product["price"] if product else 10.0,
            "taxAmount": None,
            "shippingAmount": None,
            "warehouseLocation": None,
            "options": [],
            "productId": product_id,
            "fulfillmentSku": None,
            "adjustment": False,
            "upc": None,
            "createDate": ss_time(when),
            "modifyDate": ss_time(when),
        }

    def touch(self, order: dict[str, Any]) -> None:
        """Bump modifyDate (what modifyDateStart filters see)."""
        order["_modified"] = self.clock.now()
        order["modifyDate"] = ss_time(order["_modified"])

    # -- shipments and fulfillments ------------------------------------------------------

    def label(
        self,
        order: dict[str, Any],
        items: list[dict[str, Any]],
        when: datetime,
        tracking: str | None = None,
        quantities: dict[str, int] | None = None,
    ) -> dict[str, Any]:
        """A label-created shipment covering `items`; the order is shipped once all are."""
        shipment_id = self.new_id("shipment")
        carrier = order["carrierCode"] or "ups"
        shipment = {
            "shipmentId": shipment_id,
            "orderId": order["orderId"],
            "orderKey": order["orderKey"],
            "userId": order["userId"],
            "orderNumber": order["orderNumber"],
            "createDate": ss_time(when),
            "shipDate": ss_date(when),
            "shipmentCost": 7.5,
            "insuranceCost": 0.0,
            "trackingNumber": tracking or f"1Z{shipment_id:016d}",
            "isReturnLabel": False,
            "batchNumber": None,
            "carrierCode": carrier,
            "serviceCode": order["serviceCode"],
            "packageCode": "package",
            "confirmation": None,
            "warehouseId": 1,
            "voided": False,
            "voidDate": None,
            "marketplaceNotified": True,
            "notifyErrorMessage": None,
            "shipTo": order["shipTo"],
            "weight": order["weight"],
            "dimensions": None,
            "insuranceOptions": order["insuranceOptions"],
            "advancedOptions": order["advancedOptions"],
            "shipmentItems": [
                {
                    "orderItemId": i["orderItemId"],
                    "lineItemKey": i["lineItemKey"],
                    "sku": i["sku"],
                    "name": i["name"],
                    "quantity": (quantities or {}).get(i["lineItemKey"], i["quantity"]),
                    "unitPrice": i["unitPrice"],
                    "productId": i["productId"],
                }
                for i in items
            ],
            "labelData": None,
            "formData": None,
            "customerEmail": order["customerEmail"],
            "_created": when,
            "_shipped": when,
            "_voided": None,
        }
        self.shipments[shipment_id] = shipment
        shipped = self.shipped_quantities(order["orderId"])
        if all(shipped.get(i["lineItemKey"], 0) >= i["quantity"] for i in order["items"]):
            order["orderStatus"] = "shipped"
            order["shipDate"] = ss_date(when)
            self.touch(order)
        return shipment

    def shipped_quantities(self, order_id: int) -> dict[str, int]:
        """Quantity per lineItemKey on the order's live (not voided) labels."""
        out: dict[str, int] = {}
        for shipment in self.shipments.values():
            if shipment["orderId"] == order_id and not shipment["voided"]:
                for item in shipment["shipmentItems"]:
                    out[item["lineItemKey"]] = out.get(item["lineItemKey"], 0) + item["quantity"]
        return out

    def void(self, shipment: dict[str, Any], when: datetime) -> None:
        """Void a label: it stays listed with `voided` and `voidDate`."""
        shipment["voided"] = True
        shipment["_voided"] = when
        shipment["voidDate"] = ss_time(when)

    def fulfil(self, order: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        """What markasshipped records: a fulfillment, never a shipment."""
        now = self.clock.now()
        fulfillment_id = self.new_id("fulfil")
        ship_day = body.get("shipDate") or ss_date(now)
        fulfillment = {
            "fulfillmentId": fulfillment_id,
            "orderId": order["orderId"],
            "orderNumber": order["orderNumber"],
            "userId": order["userId"],
            "customerEmail": order["customerEmail"],
            "trackingNumber": body.get("trackingNumber"),
            "createDate": ss_time(now),
            "shipDate": ship_day,
            "voidDate": None,
            "deliveryDate": None,
            "carrierCode": body["carrierCode"],
            "fulfillmentServiceCode": None,
            "fulfillmentProviderCode": None,
            "fulfillmentFee": 0.0,
            "voidRequested": False,
            "voided": False,
            "marketplaceNotified": bool(body.get("notifySalesChannel")),
            "notifyErrorMessage": None,
            "shipTo": order["shipTo"],
            "_created": now,
            "_shipped": parse_time(ship_day, "shipDate"),
        }
        self.fulfillments[fulfillment_id] = fulfillment
        order["orderStatus"] = "shipped"
        order["shipDate"] = ship_day
        order["externallyFulfilled"] = True
        self.touch(order)
        return fulfillment


def advanced_options(store_id: int) -> dict[str, Any]:
    """An AdvancedOptions block for a store."""
    return {
        "warehouseId": 1,
        "nonMachinable": False,
        "saturdayDelivery": False,
        "containsAlcohol": False,
        "mergedOrSplit": False,
        "mergedIds": [],
        "parentId": None,
        "storeId": store_id,
        "customField1": None,
        "customField2": None,
        "customField3": None,
        "source": None,
        "billToParty": None,
        "billToAccount": None,
        "billToPostalCode": None,
        "billToCountryCode": None,
        "billToMyOtherAccount": None,
    }


def public(record: dict[str, Any]) -> dict[str, Any]:
    """A record without the sandbox's private `_` keys."""
    return {k: v for k, v in record.items() if not k.startswith("_")}


# -- auth, rate limit, errors ---------------------------------------------------------------


def basic_pair(scope: Scope) -> tuple[str, str] | None:
    """The (key, secret) from a Basic header, or None."""
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            scheme, _, encoded = value.decode("latin-1").partition(" ")
            if scheme.lower() != "basic":
                return None
            try:
                key, sep, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return None
            return (key, secret) if sep else None
    return None


def message(status: int, text: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """V1's documented error body `{"message": ...}`."""
    return JSONResponse({"message": text}, status_code=status, headers=headers)


class ShipStationErrors:
    """Fault responses in ShipStation's styles (both 5xx shapes, 429 with rate headers)."""

    def __init__(self, state: ShipStationState, limiter: FixedWindowLimiter) -> None:
        self.state = state
        self.limiter = limiter

    def rate_headers(self, status: WindowStatus) -> dict[str, str]:
        """`X-Rate-Limit-*` (and optionally `Retry-After`) per the settings."""
        settings = self.state.settings
        headers = {
            "X-Rate-Limit-Limit": str(status.limit),
            "X-Rate-Limit-Remaining": str(status.remaining),
        }
        if settings.send_reset_header:
            headers["X-Rate-Limit-Reset"] = str(status.reset_seconds)
        if settings.send_retry_after and not status.allowed:
            headers["Retry-After"] = str(status.reset_seconds)
        return headers

    def limited(self, status: WindowStatus) -> Response:
        """Request 41 in a window."""
        return message(429, "Too Many Requests", self.rate_headers(status))

    def too_many_requests(self) -> Response:
        status = WindowStatus(False, self.limiter.limit, 0, 60)
        return self.limited(status)

    def server_error(self, faults: Faults) -> Response:
        status = faults.choice([500, 502, 503])
        if faults.choice([True, False]):
            return message(status, "An error has occurred.")
        legacy = {
            "Message": "An error has occurred.",
            "ExceptionMessage": "Object reference not set to an instance of an object.",
            "ExceptionType": "System.NullReferenceException",
            "StackTrace": None,
        }
        return JSONResponse(legacy, status_code=status)

    def unauthorized(self) -> Response:
        if self.state.settings.empty_401_body:
            return Response(status_code=401)
        return message(401, "Invalid API credentials")


Handler = Callable[[Request], Any]


def authed(state: ShipStationState, errors: ShipStationErrors) -> Callable[[Handler], Handler]:
    """Require the key:secret pair; turn `BadRequest` into 400 `{"message"}`."""

    def wrap(fn: Handler) -> Handler:
        async def endpoint(request: Request) -> Response:
            if basic_pair(request.scope) != (state.api_key, state.api_secret):
                return errors.unauthorized()
            try:
                response: Response = await fn(request)
            except BadRequest as exc:
                return message(400, str(exc))
            return response

        return endpoint

    return wrap


# -- query helpers ----------------------------------------------------------------------------


def paging(request: Request) -> tuple[int, int]:
    """`page` (1-based, default 1) and `pageSize` (default 100, at most 500 → else 400)."""
    q = request.query_params
    try:
        page = int(q.get("page", "1"))
        size = int(q.get("pageSize", "100"))
    except ValueError as exc:
        raise BadRequest("page and pageSize must be whole numbers.") from exc
    if page < 1:
        raise BadRequest("page must be 1 or more.")
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise BadRequest(f"pageSize must be between 1 and {MAX_PAGE_SIZE}.")
    return page, size


def paged(request: Request, key: str, records: list[dict[str, Any]]) -> Response:
    """`{<key>: [...], total, page, pages}`; past the end is an empty list, same totals."""
    page, size = paging(request)
    result = numbered_page(records, page, size)
    body = {
        key: [public(r) for r in result.records],
        "total": result.total,
        "page": result.page,
        "pages": result.pages,
    }
    return JSONResponse(body)


Predicate = Callable[[dict[str, Any]], bool]


def date_range(request: Request, prefix: str, field: str) -> list[Predicate]:
    """`<prefix>Start`/`<prefix>End` on the private datetime `field`."""
    out: list[Predicate] = []
    q = request.query_params
    if q.get(f"{prefix}Start"):
        low = parse_time(q[f"{prefix}Start"], f"{prefix}Start")
        out.append(lambda r: r[field] is not None and r[field] >= low)
    if q.get(f"{prefix}End"):
        high = parse_time(q[f"{prefix}End"], f"{prefix}End")
        if len(q[f"{prefix}End"].strip()) == 10:
            high += timedelta(days=1) - timedelta(microseconds=1)  # a bare date is inclusive
        out.append(lambda r: r[field] is not None and r[field] <= high)
    return out


def equals(request: Request, param: str, get: Callable[[dict[str, Any]], Any]) -> list[Predicate]:
    """An exact (case-insensitive) match on one query parameter, when given."""
    raw = request.query_params.get(param)
    if not raw:
        return []
    wanted = raw.strip().lower()
    return [lambda r: str(get(r) or "").lower() == wanted]


def sort_records(
    request: Request, records: list[dict[str, Any]], fields: dict[str, str]
) -> list[dict[str, Any]]:
    """Apply `sortBy` (one of `fields`) and `sortDir`; records arrive in id order."""
    sort_by = request.query_params.get("sortBy")
    descending = request.query_params.get("sortDir", "ASC").upper() == "DESC"
    if sort_by:
        if sort_by not in fields:
            raise BadRequest(f"sortBy must be one of {', '.join(fields)}.")
        key = fields[sort_by]
        return sorted(records, key=lambda r: r[key], reverse=descending)
    return list(reversed(records)) if descending else records


def int_param(request: Request, name: str) -> int | None:
    """An optional integer query parameter."""
    raw = request.query_params.get(name)
    if not raw:
        return None
    if not raw.isdigit():
        raise BadRequest(f"The value '{raw}' is not valid for {name}.")
    return int(raw)


# -- endpoints ---------------------------------------------------------------------------------

ORDER_SORTS = {"OrderDate": "_ordered", "ModifyDate": "_modified", "CreateDate": "_created"}
SHIPMENT_SORTS = {"ShipDate": "_shipped", "CreateDate": "_created"}
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


def matching(records: list[dict[str, Any]], preds: list[Predicate]) -> list[dict[str, Any]]:
    """Records passing every predicate."""
    return [r for r in records if all(p(r) for p in preds)]


def order_routes(state: ShipStationState, guard: Callable[[Handler], Handler]) -> list[BaseRoute]:
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
        for order in orders_by_ids(body):
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
        order = state.orders.get(body.get("orderId"))  # type: ignore[arg-type]
        tag = body.get("tagId")
        if order is None:
            raise BadRequest("orderId not found.")
        if tag not in {t["tagId"] for t in TAGS}:
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
        order = state.orders.get(body.get("orderId"))  # type: ignore[arg-type]
        if order is None:
            raise BadRequest("orderId not found.")
        if not body.get("carrierCode"):
            raise BadRequest("carrierCode is required.")
        if body.get("shipDate"):
            try:
                date.fromisoformat(str(body["shipDate"]))
            except ValueError as exc:
                raise BadRequest("shipDate must be YYYY-MM-DD.") from exc
        if order["orderStatus"] in ("shipped", "cancelled") and state.settings.reship == "error":
            raise BadRequest(f"Order {order['orderNumber']} is already {order['orderStatus']}.")
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


async def body_of(request: Request) -> Any:
    """The JSON body, or `BadRequest`."""
    try:
        return await request.json()
    except ValueError as exc:
        raise BadRequest("The request body is not valid JSON.") from exc


async def object_of(request: Request) -> dict[str, Any]:
    """The JSON body as an object, or `BadRequest`."""
    body = await body_of(request)
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object.")
    return body


def other_routes(state: ShipStationState, guard: Callable[[Handler], Handler]) -> list[BaseRoute]:
    """Shipments, fulfillments, products, users, tags and stores."""

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
    async def stores(request: Request) -> Response:
        return JSONResponse(
            [{"storeId": i, "storeName": n, "active": True} for i, n in STORES.items()]
        )

    return [
        Route("/shipments", list_shipments),
        Route("/fulfillments", list_fulfillments),
        Route("/products", list_products),
        Route("/products/{id:int}", one_product),
        Route("/users", users),
        Route("/accounts/listtags", tags),
        Route("/stores", stores),
    ]


# -- control surface -------------------------------------------------------------------------


def control_routes(state: ShipStationState) -> list[BaseRoute]:
    """Place a customer order, label/void shipments, set status, delete a product."""

    def order_or_404(order_id: int) -> dict[str, Any]:
        order = state.orders.get(order_id)
        if order is None:
            raise ControlError(f"no order {order_id}", 404)
        return order

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
        order = state.place_order(lines=parsed)
        for name in ("orderStatus", "orderNumber", "customerEmail"):
            if name in body:
                order[name] = body[name]
        return JSONResponse(public(order), status_code=201)

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
                if item is None:
                    raise ControlError("items must name lines of the order (lineItemKey or sku)")
                items.append(item)
                quantities[item["lineItemKey"]] = int(line.get("quantity", item["quantity"]))
        shipment = state.label(
            order, items, state.clock.now(), body.get("trackingNumber"), quantities
        )
        return JSONResponse(public(shipment), status_code=201)

    @control_endpoint
    async def void(request: Request) -> Response:
        shipment = state.shipments.get(request.path_params["id"])
        if shipment is None:
            raise ControlError("no such shipment", 404)
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
        Route("/orders/{id:int}/status", set_status, methods=["PUT"]),
        Route("/orders/{id:int}/shipments", add_label, methods=["POST"]),
        Route("/shipments/{id:int}/void", void, methods=["POST"]),
        Route("/products/{id:int}", delete_product, methods=["DELETE"]),
    ]


def build(seed: int = 1, size: int = 2000, *, clock: Clock | None = None) -> BuiltSandbox:
    """A ShipStation sandbox: `size` products; credentials `{"api_key", "api_secret"}`."""
    clock = clock or Clock()
    state = ShipStationState(seed, size, clock)
    faults = Faults(seed=seed)
    limiter = FixedWindowLimiter(state.settings.rate_limit, 60, clock)
    errors = ShipStationErrors(state, limiter)
    guard = authed(state, errors)

    def pair_key(scope: Scope) -> str | None:
        limiter.limit = state.settings.rate_limit  # follow PUT /_sandbox/settings
        pair = basic_pair(scope)
        return f"{pair[0]}:{pair[1]}" if pair == (state.api_key, state.api_secret) else None

    app = assemble(
        [*order_routes(state, guard), *other_routes(state, guard)],
        control=control_mount(
            state=state,
            faults=faults,
            clock=clock,
            limiters=[limiter],
            settings=state.settings,
            extra=control_routes(state),
        ),
        faults=faults,
        profile=errors,
        middleware=[
            lambda inner: RateLimitMiddleware(
                inner, limiter, pair_key, errors.limited, errors.rate_headers
            )
        ],
    )
    credentials = {"api_key": state.api_key, "api_secret": state.api_secret}
    return BuiltSandbox(app=app, credentials=credentials, state=state, faults=faults)
