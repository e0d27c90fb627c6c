"""Sales handlers of the Magento sandbox: placing orders, comments, shipping, shipments.

`ship_order` follows `ShipOrder` + `ShipmentFactory`: no `items` ships everything still
shippable, a configurable line ships through its parent row (a child row alone ships
nothing), a quantity above what is left is clamped, and nothing to ship is a 400.
"""

from __future__ import annotations

from typing import Any

from connectors.magento.sandbox.state import ENTITY_404, MagentoError, MagentoState, stamp

VALIDATION = "Shipment Document Validation Error(s):\n"
NO_PRODUCTS = "You can't create a shipment without products."
NOT_ALLOWED = "The order does not allow a shipment to be created."
UNSHIPPABLE = ("holded", "payment_review", "canceled", "closed")


def order_or_404(state: MagentoState, oid: int) -> dict[str, Any]:
    """The order with entity id `oid`, or Magento's entity 404."""
    order = state.orders.get(oid)
    if order is None:
        raise MagentoError(404, ENTITY_404)
    return order


def place_order(
    state: MagentoState,
    lines: list[tuple[dict[str, Any], float]],
    email: str,
    method: str,
    *,
    coupon_code: str | None = None,
    customer_note: str | None = None,
    with_shipping: bool = True,
    created: int | None = None,
) -> dict[str, Any]:
    """Store a paid ("processing") order with an invoice for (product, qty) lines.

    A configurable's child becomes two rows, as in Magento: the parent row (type
    `configurable`, the child's SKU, the price) and the child row (price 0, `parent_item_id`).
    """
    oid = len(state.orders) + 1
    discount_rate = 0.1 if coupon_code else 0.0
    items: list[dict[str, Any]] = []
    for product, qty in lines:
        parent = _parent_of(state, product)
        row = _item(state, oid, product, qty, product["price"], discount_rate)
        if parent is not None:
            row.update(product_type="configurable", name=parent["name"], product_id=parent["id"])
            child = _item(state, oid, product, qty, 0.0, 0.0)
            child["parent_item_id"] = row["item_id"]
            items += [row, child]
        else:
            items.append(row)
        stock = product["extension_attributes"]["stock_item"]
        stock["qty"] = stock["qty"] - qty
        stock["is_in_stock"] = stock["qty"] > 0
    address = {
        "firstname": "Sam",
        "lastname": "Shopper",
        "company": "Shopper & Co",
        "street": ["1 Test Way", "Suite 2"],
        "city": "Springfield",
        "region": "Illinois",
        "region_code": "IL",
        "postcode": "62701",
        "country_id": "US",
        "telephone": "555-0100",
        "email": email,
    }
    subtotal = round(sum(i["row_total"] for i in items), 2)
    discount = round(sum(i["discount_amount"] for i in items), 2)
    now = stamp(state.now() if created is None else created)
    shipping = 5.0 if with_shipping else 0.0
    order: dict[str, Any] = {
        "entity_id": oid,
        "increment_id": f"{oid:09d}",
        "state": "processing",
        "status": "processing",
        "created_at": now,
        "updated_at": now,
        "customer_email": email,
        "customer_firstname": "Sam",
        "customer_lastname": "Shopper",
        "coupon_code": coupon_code,
        "customer_note": customer_note,
        "items": items,
        "billing_address": {**address, "address_type": "billing"},
        "shipping_description": method if with_shipping else None,
        "subtotal": subtotal,
        "discount_amount": -discount,
        "shipping_amount": shipping,
        "grand_total": round(subtotal - discount + shipping, 2),
        "order_currency_code": "USD",
        "payment": {"method": "checkmo"},
        "status_histories": [],
        "extension_attributes": {"shipping_assignments": []},
    }
    if with_shipping:
        order["extension_attributes"]["shipping_assignments"] = [
            {
                "shipping": {
                    "address": {**address, "address_type": "shipping"},
                    "method": "flatrate_flatrate",
                    "total": {"shipping_amount": shipping},
                },
                "items": items,
            }
        ]
    state.orders[oid] = order
    _invoice(state, order)
    return order


def _parent_of(state: MagentoState, product: dict[str, Any]) -> dict[str, Any] | None:
    if product["visibility"] != 1:
        return None
    for candidate in state.products.values():
        links = candidate["extension_attributes"].get("configurable_product_links") or []
        if product["id"] in links:
            return candidate
    return None


def _item(
    state: MagentoState,
    oid: int,
    product: dict[str, Any],
    qty: float,
    price: float,
    discount_rate: float,
) -> dict[str, Any]:
    state.next_item += 1
    row_total = round(price * qty, 2)
    return {
        "item_id": state.next_item,
        "order_id": oid,
        "sku": product["sku"],
        "name": product["name"],
        "product_id": product["id"],
        "product_type": "simple",
        "qty_ordered": qty,
        "qty_shipped": 0,
        "qty_invoiced": qty,
        "qty_canceled": 0,
        "price": price,
        "base_price": price,
        "original_price": price,
        "row_total": row_total,
        "weight": product.get("weight", 1.0),
        "row_weight": round(float(product.get("weight") or 0) * qty, 4),
        "discount_amount": round(row_total * discount_rate, 2),
        "is_virtual": 0,
    }


def _invoice(state: MagentoState, order: dict[str, Any]) -> None:
    iid = len(state.invoices) + 1
    state.invoices[iid] = {
        "entity_id": iid,
        "increment_id": f"{iid:09d}",
        "order_id": order["entity_id"],
        "state": 2,  # paid
        "grand_total": order["grand_total"],
        "created_at": order["created_at"],
        "items": [
            {"order_item_id": i["item_id"], "sku": i["sku"], "qty": i["qty_invoiced"]}
            for i in order["items"]
        ],
    }


def comments(order: dict[str, Any]) -> dict[str, Any]:
    """`GET /V1/orders/{id}/comments`: the status history as a search result."""
    rows = order["status_histories"]
    return {"items": rows, "search_criteria": {"filter_groups": []}, "total_count": len(rows)}


def add_comment(state: MagentoState, order: dict[str, Any], body: Any) -> bool:
    """`POST /V1/orders/{id}/comments` with `{"statusHistory": {...}}`."""
    history = body.get("statusHistory") if isinstance(body, dict) else None
    if not isinstance(history, dict):
        raise MagentoError(
            400, '"%fieldName" is required. Enter and try again.', {"fieldName": "statusHistory"}
        )
    if not str(history.get("comment") or "").strip():
        raise MagentoError(400, "Comment is required.")  # Magento refuses an empty comment
    state.next_comment += 1
    if history.get("status"):
        order["status"] = str(history["status"])
    order["status_histories"].insert(
        0,
        {
            "entity_id": state.next_comment,
            "parent_id": order["entity_id"],
            "comment": str(history["comment"]),
            "is_customer_notified": int(bool(history.get("is_customer_notified"))),
            "is_visible_on_front": int(bool(history.get("is_visible_on_front"))),
            "status": order["status"],
            "entity_name": "order",
            "created_at": stamp(state.now()),
        },
    )
    order["updated_at"] = stamp(state.now())
    return True


def ship_order(state: MagentoState, order: dict[str, Any], body: dict[str, Any]) -> int:
    """`POST /V1/order/{id}/ship`: create a shipment and return its id."""
    if order["status"] in UNSHIPPABLE or order["state"] in UNSHIPPABLE:
        raise MagentoError(
            400, "A shipment cannot be created when an order has a status of %1", [order["status"]]
        )
    rows = {i["item_id"]: i for i in order["items"]}
    left = {k: i["qty_ordered"] - i["qty_shipped"] - i["qty_canceled"] for k, i in rows.items()}
    requested = body.get("items") or [
        {"order_item_id": k, "qty": q} for k, q in left.items() if not rows[k].get("parent_item_id")
    ]
    errors: list[str] = []
    shipping: dict[int, float] = {}
    for line in requested:
        if not isinstance(line, dict):
            continue
        item_id = line.get("order_item_id")
        row = rows.get(item_id) if isinstance(item_id, int) else None
        if row is None:
            errors.append(f'We can not found item "{item_id}" in order.')
            continue
        try:
            qty = float(line.get("qty", 0))
        except (TypeError, ValueError):
            qty = -1.0
        if qty < 0:
            errors.append(f'We found an invalid quantity to ship for item "{row["name"]}".')
            continue
        if row.get("parent_item_id"):  # a child alone carries nothing: its parent ships it
            continue
        qty = min(qty, left[row["item_id"]])  # ShipmentFactory clamps silently
        if qty > 0:
            shipping[row["item_id"]] = shipping.get(row["item_id"], 0) + qty
    tracks = [t for t in body.get("tracks") or [] if isinstance(t, dict)]
    for track in tracks:
        for name in ("track_number", "carrier_code"):
            if not str(track.get(name) or "").strip():
                errors.append(f'"{name}" is required. Enter and try again.')
    if not shipping and not errors:
        if not any(q > 0 for q in left.values()):
            errors.append(NOT_ALLOWED)
        errors.append(NO_PRODUCTS)
    if errors:
        raise MagentoError(400, VALIDATION + "\n".join(errors))
    return _record_shipment(state, order, rows, shipping, body, tracks)


def _record_shipment(
    state: MagentoState,
    order: dict[str, Any],
    rows: dict[int, dict[str, Any]],
    shipping: dict[int, float],
    body: dict[str, Any],
    tracks: list[dict[str, Any]],
) -> int:
    state.next_shipment += 1
    sid, now = state.next_shipment, stamp(state.now())
    items = []
    for item_id, qty in shipping.items():
        rows[item_id]["qty_shipped"] += qty
        for child in rows.values():
            if child.get("parent_item_id") == item_id:
                child["qty_shipped"] += qty
        row = rows[item_id]
        items.append(
            {
                "order_item_id": item_id,
                "qty": qty,
                "sku": row["sku"],
                "name": row["name"],
                "price": row["price"],
                "weight": row["weight"],
                "parent_id": sid,
            }
        )
    comment = body.get("comment") if isinstance(body.get("comment"), dict) else None
    notify = bool(body.get("notify"))
    shipment = {
        "entity_id": sid,
        "increment_id": f"{sid:09d}",
        "order_id": order["entity_id"],
        "created_at": now,
        "updated_at": now,
        "total_qty": sum(shipping.values()),
        "email_sent": int(notify),
        "items": items,
        "tracks": [
            {
                "entity_id": sid * 100 + n,
                "parent_id": sid,
                "order_id": order["entity_id"],
                "track_number": str(t["track_number"]),
                "title": t.get("title"),
                "carrier_code": str(t["carrier_code"]),
                "created_at": now,
            }
            for n, t in enumerate(tracks)
        ],
        "comments": [],
        "extension_attributes": dict(
            (body.get("arguments") or {}).get("extension_attributes") or {}
        ),
        # What the customer email carried: the comment only with notify and appendComment.
        "notification": {
            "sent": notify,
            "comment": (comment or {}).get("comment")
            if notify and body.get("appendComment")
            else None,
        },
    }
    if comment and str(comment.get("comment") or "").strip():
        shipment["comments"].append(
            {
                "entity_id": sid,
                "parent_id": sid,
                "comment": str(comment["comment"]),
                "is_visible_on_front": int(bool(comment.get("is_visible_on_front"))),
                "is_customer_notified": int(notify),
                "created_at": now,
            }
        )
    state.shipments[sid] = shipment
    if order["state"] == "new":
        order["state"] = order["status"] = "processing"
    if all(i["qty_shipped"] + i["qty_canceled"] >= i["qty_ordered"] for i in rows.values()):
        order["state"] = order["status"] = "complete"
    order["updated_at"] = now
    return sid
