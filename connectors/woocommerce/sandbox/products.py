"""Products and variations of the WooCommerce sandbox: list, get, create, update, delete, batch."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from connectors.woocommerce.sandbox.params import Arg, WPError, split_list, validate
from connectors.woocommerce.sandbox.render import parse_date, product_json, variation_json
from connectors.woocommerce.sandbox.state import CATEGORIES, Settings, WooState

BATCH_LIMIT = 100
PAGING = {
    "page": Arg("integer", minimum=1, default=1),
    "per_page": Arg("integer", minimum=1, maximum=100, default=10),
    "offset": Arg("integer", minimum=0),
    "order": Arg("string", enum=("asc", "desc"), default="desc"),
    "search": Arg("string"),
    "include": Arg("array"),
    "exclude": Arg("array"),
    "after": Arg("string", date=True),
    "before": Arg("string", date=True),
    "modified_after": Arg("string", date=True),
    "modified_before": Arg("string", date=True),
    "dates_are_gmt": Arg("boolean", default=False),
}
PRODUCT_STATUSES = ("draft", "pending", "private", "publish", "future")
LIST_PRODUCTS = {
    **PAGING,
    "orderby": Arg(
        "string",
        enum=(
            "date",
            "modified",
            "id",
            "include",
            "title",
            "slug",
            "price",
            "popularity",
            "rating",
            "menu_order",
        ),
        default="date",
    ),
    "status": Arg("string", enum=("any", *PRODUCT_STATUSES, "trash"), default="any"),
    "type": Arg("string", enum=("simple", "grouped", "external", "variable")),
    "sku": Arg("string"),
    "category": Arg("string"),
    "stock_status": Arg("string", enum=("instock", "outofstock", "onbackorder")),
}
WRITE_PRODUCT = {
    "name": Arg("string"),
    "type": Arg("string", enum=("simple", "grouped", "external", "variable")),
    "status": Arg("string", enum=PRODUCT_STATUSES),
    "catalog_visibility": Arg("string", enum=("visible", "catalog", "search", "hidden")),
    "sku": Arg("string"),
    "global_unique_id": Arg("string"),
    "regular_price": Arg("string"),
    "sale_price": Arg("string"),
    "manage_stock": Arg("boolean"),
    "stock_quantity": Arg("integer"),
    "stock_status": Arg("string", enum=("instock", "outofstock", "onbackorder")),
    "backorders": Arg("string", enum=("no", "notify", "yes")),
    "categories": Arg("list"),
    "images": Arg("list"),
    "attributes": Arg("list"),
    "meta_data": Arg("list"),
}


@dataclass
class Ctx:
    """What a handler needs: the state, the settings and how to render."""

    state: WooState
    settings: Settings
    base: str
    version: str = "v3"  # "v2" for requests under /wp-json/wc/v2

    def product(self, p: dict[str, Any]) -> dict[str, Any]:
        """Render a product."""
        return self._as_version(
            product_json(self.state, p, self.base, self.settings.utc_offset_hours)
        )

    def variation(self, v: dict[str, Any]) -> dict[str, Any]:
        """Render a variation."""
        return self._as_version(
            variation_json(self.state, v, self.base, self.settings.utc_offset_hours)
        )

    def _as_version(self, out: dict[str, Any]) -> dict[str, Any]:
        if self.version != "v2":
            return out
        # wc/v2 predates the GTIN/UPC field (WooCommerce 9.2, v3 only).
        out.pop("global_unique_id", None)
        out["_links"] = {
            rel: [{"href": link["href"].replace("/wc/v3/", "/wc/v2/")} for link in links]
            for rel, links in out.get("_links", {}).items()
        }
        return out


def invalid_id(post_type: str, status: int = 404) -> WPError:
    """`woocommerce_rest_{post_type}_invalid_id` ("Invalid ID.")."""
    return WPError(f"woocommerce_rest_{post_type}_invalid_id", "Invalid ID.", status)


def _date_filter(ctx: Ctx, params: dict[str, Any]) -> Callable[[dict[str, Any]], bool] | None:
    bounds = []
    gmt = bool(params.get("dates_are_gmt"))
    for name, field, after in (
        ("after", "created", True),
        ("before", "created", False),
        ("modified_after", "modified", True),
        ("modified_before", "modified", False),
    ):
        if params.get(name):
            at = parse_date(params[name], ctx.settings.utc_offset_hours, gmt)
            bounds.append((field, at, after))
    if not bounds:
        return None
    return lambda r: all((r[f] > at) if after else (r[f] < at) for f, at, after in bounds)


def filter_sort(
    ctx: Ctx,
    records: dict[int, dict[str, Any]],
    ids: list[int],
    params: dict[str, Any],
    checks: list[Callable[[dict[str, Any]], bool]],
) -> list[Any]:
    """Apply common filters and ordering to `ids` (ascending) and return the records."""
    include = params.get("include") or []
    if include:
        ids = sorted({i for i in include if i in records})
    exclude = set(params.get("exclude") or [])
    dated = _date_filter(ctx, params)
    if dated:
        checks = [*checks, dated]
    if params.get("search"):
        term = params["search"].lower()
        checks = [
            *checks,
            lambda r: term in r.get("name", "").lower() or term in r.get("description", "").lower(),
        ]
    rows = [records[i] for i in ids if i not in exclude]
    if checks:
        rows = [r for r in rows if all(c(r) for c in checks)]
    orderby = params.get("orderby", "date")
    keys: dict[str, Callable[[dict[str, Any]], Any]] = {
        "date": lambda r: (r["created"], r["id"]),
        "modified": lambda r: (r["modified"], r["id"]),
        "title": lambda r: (r.get("name", "").lower(), r["id"]),
        "slug": lambda r: (r.get("slug", ""), r["id"]),
        "price": lambda r: (float(r.get("sale_price") or r.get("regular_price") or 0), r["id"]),
    }
    if orderby == "include" and include:
        position = {i: n for n, i in enumerate(include)}
        return sorted(rows, key=lambda r: position[r["id"]])
    if orderby in keys and not (orderby == "date" and ctx.state.dates_follow_ids):
        rows.sort(key=keys[orderby])
    if params.get("order", "desc") == "desc":
        rows.reverse()
    return rows


def list_products(ctx: Ctx, raw: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
    """Products matching the list filters, ordered, plus the validated params."""
    params = validate(raw, LIST_PRODUCTS)
    state = ctx.state
    ids = state.product_ids
    checks: list[Callable[[dict[str, Any]], bool]] = []
    if params.get("sku"):
        # SKU lookups hit the index instead of scanning the catalogue.
        wanted = {state.skus.get(s) for s in split_list(params["sku"])}
        ids = sorted(i for i in wanted if i in state.products)
    status = params["status"]
    if status == "any":
        if state.trashed:
            checks.append(lambda r: r.get("status") != "trash")
    else:
        checks.append(lambda r: r.get("status") == status)
    for name in ("type", "stock_status"):
        if params.get(name):
            checks.append(partial(_has_value, name, params[name]))
    if params.get("category"):
        cats = {int(c) for c in split_list(params["category"]) if str(c).isdigit()}
        checks.append(lambda r: any(c["id"] in cats for c in r.get("categories", [])))
    return filter_sort(ctx, state.products, ids, params, checks), params


def _has_value(name: str, value: Any, record: dict[str, Any]) -> bool:
    return bool(record.get(name) == value)


def _category(ref: dict[str, Any]) -> dict[str, Any]:
    known = {c["id"]: c for c in CATEGORIES}
    cid = int(ref.get("id", 0)) if str(ref.get("id", "")).isdigit() else 0
    return dict(known.get(cid, {"id": cid, "name": ref.get("name", ""), "slug": ""}))


def merge_meta(state: WooState, record: dict[str, Any], items: list[Any]) -> None:
    """Apply `meta_data` entries to a product or order: update by id or key, add, or delete."""
    meta = record.setdefault("meta_data", [])
    for item in items:
        if not isinstance(item, dict) or ("key" not in item and "id" not in item):
            continue
        found = next(
            (
                m
                for m in meta
                if ("id" in item and m["id"] == item["id"]) or m["key"] == item.get("key")
            ),
            None,
        )
        if found and item.get("value") is None and "id" in item:
            meta.remove(found)
        elif found:
            found["value"] = item.get("value")
        else:
            state.next_item_id += 1
            meta.append(
                {"id": state.next_item_id + 800_000, "key": item["key"], "value": item.get("value")}
            )


def apply_fields(ctx: Ctx, record: dict[str, Any], params: dict[str, Any]) -> None:
    """Write validated product/variation fields into `record` (SKU uniqueness enforced)."""
    state = ctx.state
    if ctx.version == "v2":
        params = {k: v for k, v in params.items() if k != "global_unique_id"}  # unknown in v2
    if "sku" in params:
        sku = params["sku"] or ""
        owner = state.sku_owner(sku)
        if owner is not None and owner != record["id"]:
            raise WPError(
                "product_invalid_sku",
                "Invalid or duplicated SKU.",
                400,
                resource_id=owner,
                unique_sku=f"{sku}-1",
            )
        if record.get("sku"):
            state.skus.pop(record["sku"], None)
        record["sku"] = sku
        if sku:
            state.skus[sku] = record["id"]
    for name in (
        "name",
        "type",
        "status",
        "catalog_visibility",
        "global_unique_id",
        "regular_price",
        "sale_price",
        "manage_stock",
        "stock_quantity",
        "stock_status",
        "backorders",
        "description",
        "short_description",
        "weight",
        "attributes",
    ):
        if name in params and params[name] is not None:
            record[name] = params[name]
    if "name" in params and "slug" not in record:
        record["slug"] = str(params["name"]).lower().replace(" ", "-")
    if params.get("categories") is not None:
        record["categories"] = [_category(c) for c in params["categories"] if isinstance(c, dict)]
    if params.get("images") is not None:
        record["images"] = [
            {
                "id": int(i.get("id") or state.new_id()),
                "src": i.get("src", ""),
                "name": i.get("name", ""),
                "alt": i.get("alt", ""),
            }
            for i in params["images"]
            if isinstance(i, dict)
        ]
    if params.get("meta_data") is not None:
        merge_meta(state, record, params["meta_data"])
    # Managed stock drives stock_status unless the caller set only the status.
    derive = "stock_status" not in params or params.get("stock_quantity") is not None
    if derive and record.get("manage_stock") and record.get("stock_quantity") is not None:
        backorder = record.get("backorders", "no") != "no"
        in_stock = record["stock_quantity"] > 0
        record["stock_status"] = (
            "instock" if in_stock else ("onbackorder" if backorder else "outofstock")
        )
    record["modified"] = state.now()


def create_product(ctx: Ctx, raw: dict[str, Any]) -> dict[str, Any]:
    """`POST /products`: the new product (rendered)."""
    if raw.get("id"):
        raise WPError("woocommerce_rest_product_exists", "Cannot create existing product.", 400)
    params = validate(raw, WRITE_PRODUCT)
    state = ctx.state
    with state.lock:
        now = state.now()
        record: dict[str, Any] = {
            "id": state.new_id(),
            "name": "Product",
            "type": "simple",
            "status": "publish",
            "created": now,
            "modified": now,
            "children": [],
            "meta_data": [],
            "attributes": [],
        }
        apply_fields(ctx, record, params)
        state.add_product(record)
        return ctx.product(record)


def update_product(ctx: Ctx, pid: int, raw: dict[str, Any]) -> dict[str, Any]:
    """`PUT /products/{id}`: the updated product."""
    params = validate(raw, WRITE_PRODUCT)
    with ctx.state.lock:
        record = ctx.state.products.get(pid)
        if record is None:
            raise invalid_id("product", 400)
        apply_fields(ctx, record, params)
        return ctx.product(record)


def delete_product(ctx: Ctx, pid: int, force: bool) -> dict[str, Any]:
    """`DELETE /products/{id}`: trash (410 when already trashed) or delete for good."""
    state = ctx.state
    with state.lock:
        record = state.products.get(pid)
        if record is None:
            raise invalid_id("product")
        rendered = ctx.product(record)
        if force:
            state.remove_product(pid)
            return rendered
        if record.get("status") == "trash":
            raise WPError(
                "woocommerce_rest_already_trashed", "The product has already been deleted.", 410
            )
        record["status"] = "trash"
        record["modified"] = state.now()
        state.trashed.add(pid)
        return ctx.product(record)


def variation_of(ctx: Ctx, pid: int, vid: int, status: int = 404) -> dict[str, Any]:
    """The stored variation `vid` of product `pid`, or `..._product_variation_invalid_id`."""
    record = ctx.state.variations.get(vid)
    if record is None or record["parent_id"] != pid:
        raise invalid_id("product_variation", status)
    return record


def list_variations(ctx: Ctx, pid: int, raw: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
    """Variations of `pid` after filters; an unknown parent is a 404."""
    params = validate(
        raw,
        {
            **PAGING,
            "sku": Arg("string"),
            "orderby": Arg(
                "string",
                enum=("date", "modified", "id", "include", "title", "slug", "menu_order"),
                default="date",
            ),
        },
    )
    parent = ctx.state.products.get(pid)
    if parent is None:
        raise invalid_id("product")
    checks = []
    if params.get("sku"):
        wanted = set(split_list(params["sku"]))
        checks.append(lambda r: r.get("sku") in wanted)
    return filter_sort(ctx, ctx.state.variations, list(parent["children"]), params, checks), params


def create_variation(ctx: Ctx, pid: int, raw: dict[str, Any]) -> dict[str, Any]:
    """`POST /products/{pid}/variations`."""
    params = validate(raw, WRITE_PRODUCT)
    state = ctx.state
    with state.lock:
        parent = state.products.get(pid)
        if parent is None:
            raise invalid_id("product")
        now = state.now()
        record: dict[str, Any] = {
            "id": state.new_id(),
            "parent_id": pid,
            "status": "publish",
            "created": now,
            "modified": now,
            "meta_data": [],
            "attributes": [],
            "manage_stock": False,
        }
        apply_fields(ctx, record, params)
        state.variations[record["id"]] = record
        parent["children"].append(record["id"])
        parent["modified"] = now
        return ctx.variation(record)


def update_variation(ctx: Ctx, pid: int, vid: int, raw: dict[str, Any]) -> dict[str, Any]:
    """`PUT /products/{pid}/variations/{id}`."""
    params = validate(raw, WRITE_PRODUCT)
    with ctx.state.lock:
        record = variation_of(ctx, pid, vid, 400)
        apply_fields(ctx, record, params)
        return ctx.variation(record)


def delete_variation(ctx: Ctx, pid: int, vid: int, force: bool) -> dict[str, Any]:
    """`DELETE /products/{pid}/variations/{id}`: variations cannot be trashed."""
    with ctx.state.lock:
        record = variation_of(ctx, pid, vid)
        if not force:
            raise WPError(
                "woocommerce_rest_trash_not_supported",
                "The product_variation does not support trashing.",
                501,
            )
        rendered = ctx.variation(record)
        ctx.state.remove_variation(vid)
        return rendered


def batch(
    raw: dict[str, Any],
    create: Callable[[dict[str, Any]], Any],
    update: Callable[[int, dict[str, Any]], Any],
    delete: Callable[[int], Any],
) -> dict[str, list[Any]]:
    """`POST .../batch`: run each item, reporting per-item `error` objects like WooCommerce."""
    items = {k: raw.get(k) or [] for k in ("create", "update", "delete")}
    if not all(isinstance(v, list) for v in items.values()):
        raise WPError("rest_invalid_param", "Invalid parameter(s): create, update, delete", 400)
    if sum(len(v) for v in items.values()) > BATCH_LIMIT:
        raise WPError(
            "woocommerce_rest_request_entity_too_large",
            f"Unable to accept more than {BATCH_LIMIT} items for this request.",
            413,
        )
    out: dict[str, list[Any]] = {}
    for item in items["create"]:
        out.setdefault("create", []).append(_one(0, partial(create, item)))
    for item in items["update"]:
        item_id = item.get("id", 0) if isinstance(item, dict) else 0
        out.setdefault("update", []).append(
            _one(item_id, partial(lambda n, i: update(int(n or 0), i), item_id, item))
        )
    for raw_id in items["delete"]:
        did = int(raw_id) if str(raw_id).isdigit() else 0
        if did:
            out.setdefault("delete", []).append(_one(did, partial(delete, did)))
    return out


def _one(item_id: Any, run: Callable[[], Any]) -> Any:
    try:
        return run()
    except WPError as exc:
        return {
            "id": item_id,
            "error": {
                "code": exc.code,
                "message": exc.message,
                "data": {"status": exc.status, **exc.data},
            },
        }
