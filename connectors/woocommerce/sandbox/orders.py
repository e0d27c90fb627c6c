"""Orders, order notes and Shipment Tracking items of the WooCommerce sandbox."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone
from typing import Any

from connectors.woocommerce.sandbox.params import Arg, WPError, validate
from connectors.woocommerce.sandbox.products import PAGING, Ctx, filter_sort, invalid_id, merge_meta
from connectors.woocommerce.sandbox.render import API, dates, public
from connectors.woocommerce.sandbox.state import new_order

ORDER_STATUSES = (
    "pending",
    "processing",
    "on-hold",
    "completed",
    "cancelled",
    "refunded",
    "failed",
    "checkout-draft",
)
STATUS_NAMES = {
    "pending": "Pending payment",
    "processing": "Processing",
    "on-hold": "On hold",
    "completed": "Completed",
    "cancelled": "Cancelled",
    "refunded": "Refunded",
    "failed": "Failed",
    "checkout-draft": "Draft",
    "trash": "Trash",
}
LIST_ORDERS = {
    **PAGING,
    "status": Arg(
        "array", item_type="string", enum=("any", "trash", *ORDER_STATUSES), default=["any"]
    ),
    "orderby": Arg(
        "string", enum=("date", "modified", "id", "include", "title", "slug"), default="date"
    ),
    "customer": Arg("integer"),
    "product": Arg("integer"),
}
# wc/v2's `status` filter is a single string (WC_REST_Orders_V2_Controller).
LIST_ORDERS_V2 = {
    **LIST_ORDERS,
    "status": Arg("string", enum=("any", "trash", *ORDER_STATUSES), default="any"),
}
WRITE_ORDER = {
    "status": Arg("string", enum=ORDER_STATUSES),
    "billing": Arg("object"),
    "shipping": Arg("object"),
    "line_items": Arg("list"),
    "shipping_lines": Arg("list"),
    "meta_data": Arg("list"),
    "customer_note": Arg("string"),
    "set_paid": Arg("boolean"),
}
# Shipment Tracking's predefined providers (a subset; links take the number as %1$s).
PROVIDERS = {
    "USPS": "https://tools.usps.com/go/TrackConfirmAction_input?qtc_tLabels1=%1$s",
    "UPS": "https://www.ups.com/track?loc=en_US&tracknum=%1$s",
    "FedEx": "https://www.fedex.com/apps/fedextrack/?action=track&tracknumbers=%1$s",
    "DHL US": "https://www.logistics.dhl/us-en/home/tracking/tracking-ecommerce.html?tracking-id=%1$s",
    "OnTrac": "https://www.ontrac.com/tracking/?number=%1$s",
}


def order_json(ctx: Ctx, order: dict[str, Any]) -> dict[str, Any]:
    """An order as `GET /orders/{id}` returns it."""
    tz = ctx.settings.utc_offset_hours
    return {
        **public(order),
        **dates(ctx.state, "date_created", order["created"], tz),
        **dates(ctx.state, "date_modified", order["modified"], tz),
        **dates(ctx.state, "date_paid", order["paid"], tz),
        **dates(ctx.state, "date_completed", order["completed"], tz),
        "is_editable": order["status"] in ("pending", "on-hold", "checkout-draft"),
        "needs_payment": order["status"] in ("pending", "failed"),
        "needs_processing": True,
        "_links": {
            "self": [{"href": f"{ctx.base}{API}/orders/{order['id']}"}],
            "collection": [{"href": f"{ctx.base}{API}/orders"}],
        },
    }


def list_orders(ctx: Ctx, raw: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
    """Orders matching the list filters (status may be a comma-separated list; in wc/v2
    it is one status)."""
    if ctx.version == "v2":
        params = validate(raw, LIST_ORDERS_V2)
        statuses = {params["status"]}
    else:
        params = validate(raw, LIST_ORDERS)
        statuses = set(params["status"])
    checks = []
    if "any" in statuses:
        checks.append(lambda o: o["status"] != "trash" or "trash" in statuses)
    else:
        checks.append(lambda o: o["status"] in statuses)
    if params.get("product"):
        pid = params["product"]
        checks.append(lambda o: any(i["product_id"] == pid for i in o["line_items"]))
    return filter_sort(ctx, ctx.state.orders, ctx.state.order_ids, params, checks), params


def get_order(ctx: Ctx, oid: int, status: int = 404) -> dict[str, Any]:
    """The stored order, or `woocommerce_rest_shop_order_invalid_id`."""
    order = ctx.state.orders.get(oid)
    if order is None:
        raise invalid_id("shop_order", status)
    return order


def add_note(
    ctx: Ctx, order: dict[str, Any], text: str, customer_note: bool = False, by_user: bool = False
) -> dict[str, Any]:
    """Append a note; system notes show author "system" like WooCommerce's REST API."""
    state = ctx.state
    state.next_note_id += 1
    note = {
        "id": state.next_note_id,
        "author": "shop_manager" if by_user else "system",
        "created": state.now(),
        "note": text,
        "customer_note": customer_note,
    }
    order["notes"].append(note)
    return note


def note_json(ctx: Ctx, order: dict[str, Any], note: dict[str, Any]) -> dict[str, Any]:
    """A note as `GET /orders/{id}/notes` lists it."""
    link = f"{ctx.base}{API}/orders/{order['id']}"
    return {
        "id": note["id"],
        "author": note["author"],
        **dates(ctx.state, "date_created", note["created"], ctx.settings.utc_offset_hours),
        "note": note["note"],
        "customer_note": note["customer_note"],
        "_links": {
            "self": [{"href": f"{link}/notes/{note['id']}"}],
            "collection": [{"href": f"{link}/notes"}],
            "up": [{"href": link}],
        },
    }


def set_status(ctx: Ctx, order: dict[str, Any], status: str) -> None:
    """Change status, stamping dates and adding WooCommerce's status-change note."""
    old = order["status"]
    if old == status:
        return
    order["status"] = status
    now = ctx.state.now()
    if status == "completed":
        order["completed"] = now
    if status in ("processing", "completed") and order["paid"] is None:
        order["paid"] = now
    add_note(
        ctx,
        order,
        f"Order status changed from {STATUS_NAMES.get(old, old)} to "
        f"{STATUS_NAMES.get(status, status)}.",
    )


def _lines_from_params(ctx: Ctx, raw_lines: list[Any]) -> list[tuple[dict[str, Any], int]]:
    lines = []
    for raw in raw_lines:
        if not isinstance(raw, dict):
            continue
        target = None
        vid, pid, sku = raw.get("variation_id"), raw.get("product_id"), raw.get("sku")
        if vid:
            target = ctx.state.variations.get(int(vid))
        elif pid:
            target = ctx.state.products.get(int(pid))
        elif sku:
            owner = ctx.state.sku_owner(str(sku))
            target = ctx.state.products.get(owner or 0) or ctx.state.variations.get(owner or 0)
        else:
            raise WPError(
                "woocommerce_rest_required_product_reference", "Product ID or SKU is required.", 400
            )
        if target is None:
            raise WPError(
                "woocommerce_rest_invalid_product_id",
                "Product ID provided is not associated with any product.",
                400,
            )
        lines.append((target, int(raw.get("quantity") or 1)))
    return lines


def create_order(ctx: Ctx, raw: dict[str, Any]) -> dict[str, Any]:
    """`POST /orders`."""
    params = validate(raw, WRITE_ORDER)
    with ctx.state.lock:
        lines = _lines_from_params(ctx, params.get("line_items") or [])
        ship: dict[str, Any] = next(iter(params.get("shipping_lines") or []), {}) or {}
        shipping = (ship.get("method_id", ""), ship.get("method_title", ""), ship.get("total") or 0)
        status = params.get("status") or ("processing" if params.get("set_paid") else "pending")
        order = new_order(
            ctx.state,
            lines,
            status=status,
            shipping=shipping,
            customer={
                "billing": params.get("billing") or {},
                "shipping": params.get("shipping") or {},
                "customer_note": params.get("customer_note", ""),
            },
        )
        order["created_via"] = "rest-api"
        return order_json(ctx, order)


def update_order(ctx: Ctx, oid: int, raw: dict[str, Any]) -> dict[str, Any]:
    """`PUT /orders/{id}`: status, addresses, note and meta."""
    params = validate(raw, WRITE_ORDER)
    with ctx.state.lock:
        order = get_order(ctx, oid, 400)
        for name in ("billing", "shipping"):
            if isinstance(params.get(name), dict):
                order[name].update(params[name])
        if params.get("customer_note") is not None:
            order["customer_note"] = params["customer_note"]
        if params.get("meta_data"):
            merge_meta(ctx.state, order, params["meta_data"])
        if params.get("status"):
            set_status(ctx, order, params["status"])
        order["modified"] = ctx.state.now()
        return order_json(ctx, order)


def tracking_json(ctx: Ctx, order: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    """A Shipment Tracking item as the plugin's REST API returns it."""
    link = f"{ctx.base}/wp-json/wc-shipment-tracking/v3/orders/{order['id']}/shipment-trackings"
    return {
        **{k: v for k, v in item.items() if not k.startswith("_")},
        "_links": {
            "self": [{"href": f"{link}/{item['tracking_id']}"}],
            "collection": [{"href": link}],
            "up": [{"href": f"{ctx.base}{API}/orders/{order['id']}"}],
        },
    }


def add_tracking(ctx: Ctx, order: dict[str, Any], raw: dict[str, Any]) -> dict[str, Any]:
    """`POST .../shipment-trackings`: a predefined or custom provider item."""
    params = validate(
        raw,
        {
            "tracking_number": Arg("string", required=True),
            "tracking_provider": Arg("string"),
            "custom_tracking_provider": Arg("string"),
            "custom_tracking_link": Arg("string"),
            "date_shipped": Arg("string"),
        },
    )
    tz = timezone(timedelta(hours=ctx.settings.utc_offset_hours))
    shipped = params.get("date_shipped") or datetime.fromtimestamp(ctx.state.now(), tz).strftime(
        "%Y-%m-%d"
    )
    number = params["tracking_number"]
    provider = params.get("tracking_provider") or ""
    known = {k.lower(): k for k in PROVIDERS}
    if provider.lower() in known:
        name = known[provider.lower()]
        link = PROVIDERS[name].replace("%1$s", number)
    else:
        name = params.get("custom_tracking_provider") or provider
        link = (params.get("custom_tracking_link") or "").replace("%1$s", number)
    seq = len(order["trackings"]) + sum(1 for _ in order["notes"])
    tid = hashlib.md5(f"{order['id']}:{number}:{name}:{shipped}:{seq}".encode()).hexdigest()
    item = {
        "tracking_id": tid,
        "tracking_provider": name,
        "tracking_link": link,
        "tracking_number": number,
        "date_shipped": shipped,
    }
    order["trackings"].append(item)
    order["modified"] = ctx.state.now()
    add_note(ctx, order, f"Shipment tracking added: {name} {number}")
    return item
