"""Turn stored WooCommerce sandbox records into the wc/v3 JSON shapes, and page lists."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse

from connectors.woocommerce.sandbox.params import WPError
from connectors.woocommerce.sandbox.state import WooState, price_of

API = "/wp-json/wc/v3"
_INTERNAL = {"children", "created", "modified", "completed", "paid", "notes", "trackings"}


def site_url(request: Request) -> str:
    """The store's home URL as this request sees it (scheme honours X-Forwarded-Proto)."""
    scheme = request.headers.get("x-forwarded-proto", request.url.scheme)
    return f"{scheme}://{request.headers.get('host', 'localhost')}"


def dates(state: WooState, name: str, epoch: int | None, offset_hours: int) -> dict[str, Any]:
    """`{name: local, name_gmt: utc}` as WooCommerce prints them (no zone suffix)."""
    if epoch is None:
        return {name: None, f"{name}_gmt": None}
    fmt = "%Y-%m-%dT%H:%M:%S"
    local = datetime.fromtimestamp(epoch, timezone(timedelta(hours=offset_hours)))
    return {
        name: local.strftime(fmt),
        f"{name}_gmt": datetime.fromtimestamp(epoch, UTC).strftime(fmt),
    }


def parse_date(value: str, offset_hours: int, gmt: bool) -> int:
    """A filter date as epoch seconds; naive values are site-local (or UTC with dates_are_gmt)."""
    text = value.replace("z", "Z").replace("Z", "+00:00")
    try:
        when = datetime.fromisoformat(text)
    except ValueError as exc:
        raise WPError("rest_invalid_date", "Invalid date.", 400) from exc
    if when.tzinfo is None:
        zone = UTC if gmt else timezone(timedelta(hours=offset_hours))
        when = when.replace(tzinfo=zone)
    return int(when.timestamp())


def _on_sale(record: dict[str, Any]) -> bool:
    try:
        return bool(record.get("sale_price")) and float(record["sale_price"]) < float(
            record.get("regular_price") or "inf"
        )
    except ValueError:
        return False


def _stock_fields(record: dict[str, Any]) -> dict[str, Any]:
    managed = bool(record.get("manage_stock"))
    return {
        "manage_stock": managed,
        "stock_quantity": record.get("stock_quantity") if managed else None,
        "stock_status": record.get("stock_status", "instock"),
        "backorders": record.get("backorders", "no"),
        "backorders_allowed": record.get("backorders", "no") != "no",
        "backordered": False,
        "low_stock_amount": None,
    }


def product_json(state: WooState, p: dict[str, Any], base: str, tz: int) -> dict[str, Any]:
    """A product as `GET /products/{id}` returns it."""
    children = [state.variations[v] for v in p.get("children", []) if v in state.variations]
    out: dict[str, Any] = {
        "id": p["id"],
        "name": p.get("name", ""),
        "slug": p.get("slug", ""),
        "permalink": f"{base}/product/{p.get('slug', p['id'])}/",
        **dates(state, "date_created", p["created"], tz),
        **dates(state, "date_modified", p["modified"], tz),
        "type": p.get("type", "simple"),
        "status": p.get("status", "publish"),
        "featured": p.get("featured", False),
        "catalog_visibility": p.get("catalog_visibility", "visible"),
        "description": p.get("description", ""),
        "short_description": p.get("short_description", ""),
        "sku": p.get("sku", ""),
        "global_unique_id": p.get("global_unique_id", ""),
        "price": price_of(p),
        "regular_price": p.get("regular_price", ""),
        "sale_price": p.get("sale_price", ""),
        "on_sale": _on_sale(p),
        "purchasable": p.get("status", "publish") == "publish",
        "total_sales": p.get("total_sales", 0),
        "virtual": False,
        "downloadable": False,
        "tax_status": p.get("tax_status", "taxable"),
        "tax_class": p.get("tax_class", ""),
        **_stock_fields(p),
        "weight": p.get("weight", ""),
        "dimensions": p.get("dimensions", {"length": "", "width": "", "height": ""}),
        "shipping_class": "",
        "shipping_class_id": 0,
        "parent_id": 0,
        "categories": p.get("categories", []),
        "tags": p.get("tags", []),
        "images": p.get("images", []),
        "attributes": p.get("attributes", []),
        "default_attributes": [],
        "variations": [c["id"] for c in children],
        "menu_order": p.get("menu_order", 0),
        "meta_data": p.get("meta_data", []),
        "_links": _links(base, f"products/{p['id']}", "products"),
    }
    if out["type"] == "variable" and children:
        prices = [float(price_of(c)) for c in children if price_of(c)]
        out["price"] = f"{min(prices):.2f}" if prices else ""
        in_stock = any(c.get("stock_status") == "instock" for c in children)
        out["stock_status"] = "instock" if in_stock else "outofstock"
    return out


def variation_json(state: WooState, v: dict[str, Any], base: str, tz: int) -> dict[str, Any]:
    """A variation as `GET /products/{pid}/variations/{id}` returns it."""
    parent = state.products.get(v["parent_id"], {})
    option = " - ".join(a["option"] for a in v.get("attributes", []))
    return {
        "id": v["id"],
        "name": f"{parent.get('name', '')} - {option}" if option else parent.get("name", ""),
        "type": "variation",
        "parent_id": v["parent_id"],
        **dates(state, "date_created", v["created"], tz),
        **dates(state, "date_modified", v["modified"], tz),
        "description": v.get("description", ""),
        "permalink": f"{base}/product/{parent.get('slug', v['parent_id'])}/?variation={v['id']}",
        "sku": v.get("sku", ""),
        "global_unique_id": v.get("global_unique_id", ""),
        "price": price_of(v),
        "regular_price": v.get("regular_price", ""),
        "sale_price": v.get("sale_price", ""),
        "on_sale": _on_sale(v),
        "status": v.get("status", "publish"),
        "purchasable": bool(price_of(v)),
        "virtual": False,
        "downloadable": False,
        "tax_status": "taxable",
        "tax_class": "",
        **_stock_fields(v),
        "weight": v.get("weight", ""),
        "dimensions": v.get("dimensions", {"length": "", "width": "", "height": ""}),
        "shipping_class": "",
        "shipping_class_id": 0,
        "image": v.get("image"),
        "attributes": v.get("attributes", []),
        "menu_order": v.get("menu_order", 0),
        "meta_data": v.get("meta_data", []),
        "_links": {
            **_links(
                base,
                f"products/{v['parent_id']}/variations/{v['id']}",
                f"products/{v['parent_id']}/variations",
            ),
            "up": [{"href": f"{base}{API}/products/{v['parent_id']}"}],
        },
    }


def _links(base: str, self_path: str, collection: str) -> dict[str, Any]:
    return {
        "self": [{"href": f"{base}{API}/{self_path}"}],
        "collection": [{"href": f"{base}{API}/{collection}"}],
    }


def public(record: dict[str, Any]) -> dict[str, Any]:
    """A stored record without the sandbox's internal keys."""
    return {k: v for k, v in record.items() if k not in _INTERNAL}


def page_response(
    request: Request,
    items: list[Any],
    params: dict[str, Any],
    render: Any,
) -> JSONResponse:
    """One page of `items` with X-WP-Total, X-WP-TotalPages and prev/next Link headers.

    Like `WC_REST_CRUD_Controller::get_items`: a page past the end is `[]` with the totals,
    and its `prev` link points at the last real page.
    """
    per_page, page = params["per_page"], params["page"]
    total = len(items)
    start = params["offset"] if params.get("offset") is not None else (page - 1) * per_page
    chunk = items[start : start + per_page]
    max_pages = math.ceil(total / per_page) if per_page else 0
    headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(max_pages)}
    # Credentials are left out of the links so they never land in logged headers.
    query = {
        k: v
        for k, v in request.query_params.items()
        if not k.startswith(("oauth_", "consumer_")) and k != "page"
    }
    link_base = f"{site_url(request)}{request.url.path}"
    links = []
    if page > 1:
        links.append((min(page - 1, max_pages), "prev"))
    if max_pages > page:
        links.append((page + 1, "next"))
    if links:
        headers["Link"] = ", ".join(
            f'<{link_base}?{urlencode({**query, "page": n})}>; rel="{rel}"' for n, rel in links
        )
    return JSONResponse([render(item) for item in chunk], headers=headers)
