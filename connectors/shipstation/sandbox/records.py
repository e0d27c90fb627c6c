"""ShipStation V1 record shapes: products, orders, items, shipments and fulfillments as the
API shows them (plus private `_` keys the sandbox filters and sorts on), and V1's
Pacific-local timestamps.
"""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any, overload
from zoneinfo import ZoneInfo

PACIFIC = ZoneInfo("America/Los_Angeles")


def ss_time(moment: datetime | None) -> str | None:
    """V1's timestamp style: Pacific local, 7 fractional digits, no offset."""
    if moment is None:
        return None
    return moment.astimezone(PACIFIC).strftime("%Y-%m-%dT%H:%M:%S.0000000")


@overload
def ss_date(moment: datetime) -> str: ...
@overload
def ss_date(moment: None) -> None: ...
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


def product_record(n: int, sku: str, active: bool, created: datetime) -> dict[str, Any]:
    """Product `n` as V1 shows it (plus the private `_created`)."""
    return {
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


def order_record(
    order_id: int,
    placed: datetime,
    name: str,
    items: list[dict[str, Any]],
    store_id: int,
    carrier: str,
    service: str,
    rng: random.Random,
) -> dict[str, Any]:
    """An awaiting_shipment Order as V1 shows it (plus private `_` datetimes)."""
    total = round(sum(i["unitPrice"] * i["quantity"] for i in items), 2)
    return {
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


def order_item_record(
    item_id: int,
    sku: str,
    quantity: int,
    product_id: int | None,
    product: dict[str, Any] | None,
    when: datetime,
) -> dict[str, Any]:
    """An OrderItem for `sku` (priced from `product` when there is one)."""
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


def shipment_record(
    shipment_id: int,
    order: dict[str, Any],
    items: list[dict[str, Any]],
    when: datetime,
    tracking: str | None,
    quantities: dict[str, int] | None,
) -> dict[str, Any]:
    """A label-created Shipment of `order` covering `items` (`quantities` by lineItemKey)."""
    carrier = order["carrierCode"] or "ups"
    return {
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


def fulfillment_record(
    fulfillment_id: int, order: dict[str, Any], body: dict[str, Any], now: datetime, ship_day: str
) -> dict[str, Any]:
    """The Fulfillment markasshipped records for `order` from its request `body`."""
    return {
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
