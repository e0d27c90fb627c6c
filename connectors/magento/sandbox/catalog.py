"""Catalogue handlers of the Magento sandbox: products, media, configurables, categories.

Each function takes the state (already locked by the caller) and the request's parsed
parameters, and returns the JSON Magento answers or raises `MagentoError`.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from connectors.magento.sandbox.state import (
    PRODUCT_404,
    SCOPED,
    SCOPED_CUSTOM,
    STORE_VIEWS,
    MagentoError,
    MagentoState,
    category,
    stamp,
    url_key,
)

REQUIRED = '"%fieldName" is required. Enter and try again.'
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif")


def product_or_404(state: MagentoState, sku: str) -> dict[str, Any]:
    """The product with `sku`, or Magento's product 404."""
    product = state.products.get(sku)
    if product is None:
        raise MagentoError(404, PRODUCT_404)
    return product


def listed(product: dict[str, Any]) -> dict[str, Any]:
    """A product as list responses show it: without `stock_item` (magento2 #24418)."""
    ext = {k: v for k, v in product["extension_attributes"].items() if k != "stock_item"}
    return {**product, "extension_attributes": ext}


def save_product(
    state: MagentoState, sku: str | None, body: Any, scope: str = "all"
) -> dict[str, Any]:
    """`ProductRepository::save`: an upsert by SKU for POST and PUT alike.

    Scope (Adobe's REST "fallback" rules): a create is global whatever the scope; an
    update under `all` sets global values, under a store view (`default` when the URL has
    no code) its store-view-scoped attributes (name, status, visibility, description,
    short description, URL key) become that view's own values, the rest global."""
    data = body.get("product") if isinstance(body, dict) else None
    if not isinstance(data, dict):
        raise MagentoError(400, REQUIRED, {"fieldName": "product"})
    sku = sku or data.get("sku")
    if not sku:
        raise MagentoError(
            400, 'The "%1" attribute value is empty. Set the attribute and try again.', ["sku"]
        )
    product = state.products.get(sku)
    _check_numbers(data)
    if product is not None and scope in STORE_VIEWS:
        data = _store_view_values(state, scope, sku, data)
    if product is None:  # save() creates an unknown SKU, for POST and PUT alike
        name = data.get("name")
        if not name:
            raise MagentoError(
                400,
                'The "%1" attribute value is empty. Set the attribute and try again.',
                ["name"],
            )
        key = _custom(data, "url_key") or url_key(str(name))
        if any(_attr(p, "url_key") == key for p in state.products.values()):
            raise MagentoError(400, "URL key for specified store already exists.")
        product = state.new_product(
            sku, name, float(data.get("price") or 0), 0, data.get("type_id", "simple")
        )
        _set_attr(product, "url_key", key)
        product["custom_attributes"] = [
            a
            for a in product["custom_attributes"]
            if a["attribute_code"] not in ("description", "short_description")
        ]
    for name in ("name", "status", "visibility", "attribute_set_id", "type_id"):
        if name in data:
            product[name] = data[name]
    for name in ("price", "weight"):  # Magento stores decimals, whatever JSON type came in
        if data.get(name) is not None:
            product[name] = float(data[name])
    if isinstance(data.get("custom_attributes"), list):
        for attr in data["custom_attributes"]:
            _set_attr(product, str(attr.get("attribute_code")), attr.get("value"))
    ext = data.get("extension_attributes") or {}
    if isinstance(ext.get("stock_item"), dict):
        apply_stock(product, ext["stock_item"])
    for name in ("category_links", "website_ids", "configurable_product_options"):
        if isinstance(ext.get(name), list):
            product["extension_attributes"][name] = list(ext[name])
    if isinstance(ext.get("configurable_product_links"), list):
        product["extension_attributes"]["configurable_product_links"] = [
            int(i) for i in ext["configurable_product_links"]
        ]
    if isinstance(data.get("media_gallery_entries"), list):
        _replace_gallery(state, product, data["media_gallery_entries"])
    product["updated_at"] = stamp(state.now())
    state.add(product)
    return state.view(product, scope)


def _store_view_values(
    state: MagentoState, scope: str, sku: str, data: dict[str, Any]
) -> dict[str, Any]:
    """Keep the store-view-scoped attributes of `data` as `scope`'s own values; the rest
    (global attributes) is returned to be saved as usual."""
    own = state.store_values.setdefault(scope, {}).setdefault(sku, {})
    rest = {k: v for k, v in data.items() if k not in SCOPED}
    own.update({k: v for k, v in data.items() if k in SCOPED})
    if isinstance(data.get("custom_attributes"), list):
        rest["custom_attributes"] = []
        for attr in data["custom_attributes"]:
            code = attr.get("attribute_code") if isinstance(attr, dict) else None
            if code in SCOPED_CUSTOM:
                own[str(code)] = attr.get("value")
            else:
                rest["custom_attributes"].append(attr)
    return rest


def _check_numbers(data: dict[str, Any]) -> None:
    for name in ("price", "weight"):
        value = data.get(name)
        if value is None:
            continue
        try:
            float(value)
        except (TypeError, ValueError):
            raise MagentoError(
                400, 'Invalid type for value: "%1". Expected Type: "float".', [str(value)]
            ) from None


def _custom(data: dict[str, Any], code: str) -> Any:
    for attr in data.get("custom_attributes") or []:
        if isinstance(attr, dict) and attr.get("attribute_code") == code:
            return attr.get("value")
    return None


def _attr(product: dict[str, Any], code: str) -> Any:
    return _custom(product, code)


def _set_attr(product: dict[str, Any], code: str, value: Any) -> None:
    for attr in product["custom_attributes"]:
        if attr["attribute_code"] == code:
            attr["value"] = value
            return
    product["custom_attributes"].append({"attribute_code": code, "value": value})


def apply_stock(product: dict[str, Any], changes: dict[str, Any]) -> None:
    """Apply a `stockItem` body (qty, in stock, cart limits) to a product's stock item."""
    item = product["extension_attributes"]["stock_item"]
    for name in (
        "qty",
        "is_in_stock",
        "manage_stock",
        "backorders",
        "min_qty",
        "min_sale_qty",
        "max_sale_qty",
        "use_config_max_sale_qty",
        "use_config_min_sale_qty",
    ):
        if name in changes:
            item[name] = changes[name]
    if "max_sale_qty" in changes and "use_config_max_sale_qty" not in changes:
        item["use_config_max_sale_qty"] = False
    if "qty" in changes and "is_in_stock" not in changes and item["manage_stock"]:
        item["is_in_stock"] = float(item["qty"]) > 0


# --- media gallery -------------------------------------------------------------------------


def _decoded(entry: dict[str, Any]) -> None:
    content = entry.get("content")
    if not isinstance(content, dict):
        raise MagentoError(400, "The image content is invalid. Verify the content and try again.")
    try:
        base64.b64decode(str(content.get("base64_encoded_data", "")), validate=True)
    except (binascii.Error, ValueError):
        raise MagentoError(400, "The image content must be valid base64 encoded data.") from None
    if not content.get("base64_encoded_data"):
        raise MagentoError(400, "The image content must be valid base64 encoded data.")
    if content.get("type") not in IMAGE_TYPES:
        raise MagentoError(400, "The image MIME type is not valid or not supported.")
    if not content.get("name"):
        raise MagentoError(400, "Provided image name contains forbidden characters.")


def _replace_gallery(state: MagentoState, product: dict[str, Any], entries: list[Any]) -> None:
    """`processMediaGallery`: entries with an id stay (updated), new ones are added, the rest go."""
    keep = {int(e["id"]) for e in entries if isinstance(e, dict) and e.get("id") is not None}
    for entry in entries:
        if isinstance(entry, dict) and entry.get("id") is None:
            _decoded(entry)
    product["media_gallery_entries"] = [
        e for e in product["media_gallery_entries"] if e["id"] in keep
    ]
    current = {e["id"]: e for e in product["media_gallery_entries"]}
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        if entry.get("id") is None:
            state.add_media(product, entry)
        elif int(entry["id"]) in current:
            for name in ("label", "position", "disabled", "types"):
                if name in entry:
                    current[int(entry["id"])][name] = entry[name]


def media_list(state: MagentoState, sku: str) -> list[dict[str, Any]]:
    """`GET /V1/products/{sku}/media`."""
    return list(product_or_404(state, sku)["media_gallery_entries"])


def media_add(state: MagentoState, sku: str, body: Any) -> str:
    """`POST /V1/products/{sku}/media`: the new entry's id, as a string."""
    product = product_or_404(state, sku)
    entry = body.get("entry") if isinstance(body, dict) else None
    if not isinstance(entry, dict):
        raise MagentoError(400, REQUIRED, {"fieldName": "entry"})
    _decoded(entry)
    stored = state.add_media(product, entry)
    product["updated_at"] = stamp(state.now())
    return str(stored["id"])


def media_one(state: MagentoState, sku: str, entry_id: int, method: str) -> Any:
    """`GET|DELETE /V1/products/{sku}/media/{entryId}`."""
    product = product_or_404(state, sku)
    found = next((e for e in product["media_gallery_entries"] if e["id"] == entry_id), None)
    if found is None:
        if method == "DELETE":
            raise MagentoError(
                404, "No image with the provided ID was found. Verify the ID and try again."
            )
        raise MagentoError(404, "The image doesn't exist. Verify and try again.")
    if method == "DELETE":
        product["media_gallery_entries"].remove(found)
        product["updated_at"] = stamp(state.now())
        return True
    return found


# --- configurable products -----------------------------------------------------------------


def _configurable(state: MagentoState, sku: str) -> dict[str, Any]:
    product = product_or_404(state, sku)
    if product["type_id"] != "configurable":
        raise MagentoError(400, 'The product with SKU "%1" is not configurable.', [sku])
    return product


def children(state: MagentoState, sku: str, scope: str = "default") -> list[dict[str, Any]]:
    """`GET /V1/configurable-products/{sku}/children`."""
    links = product_or_404(state, sku)["extension_attributes"].get("configurable_product_links")
    return [
        listed(state.view(state.products[state.by_id[i]], scope))
        for i in links or []
        if i in state.by_id
    ]


def options_all(state: MagentoState, sku: str) -> list[dict[str, Any]]:
    """`GET /V1/configurable-products/{sku}/options/all`."""
    ext = product_or_404(state, sku)["extension_attributes"]
    return list(ext.get("configurable_product_options") or [])


def option_add(state: MagentoState, sku: str, body: Any) -> int:
    """`POST /V1/configurable-products/{sku}/options`: the new option's id."""
    product = _configurable(state, sku)
    option = body.get("option") if isinstance(body, dict) else None
    if not isinstance(option, dict):
        raise MagentoError(400, REQUIRED, {"fieldName": "option"})
    if not option.get("attribute_id"):
        raise MagentoError(400, "Option attribute ID is not specified.")
    if not option.get("values"):
        raise MagentoError(400, "Option values are not specified.")
    options = product["extension_attributes"].setdefault("configurable_product_options", [])
    if any(str(o["attribute_id"]) == str(option["attribute_id"]) for o in options):
        raise MagentoError(400, "Something went wrong while saving option.")
    state.next_option += 1
    options.append(
        {
            "id": state.next_option,
            "attribute_id": str(option["attribute_id"]),
            "label": option.get("label", ""),
            "position": option.get("position", len(options)),
            "values": [{"value_index": v.get("value_index")} for v in option["values"]],
            "product_id": product["id"],
        }
    )
    return state.next_option


def child_add(state: MagentoState, sku: str, body: Any) -> bool:
    """`POST /V1/configurable-products/{sku}/child` with `{"childSku"}`: one child per call."""
    product = _configurable(state, sku)
    child_sku = body.get("childSku") if isinstance(body, dict) else None
    if not child_sku:
        raise MagentoError(400, REQUIRED, {"fieldName": "childSku"})
    child = product_or_404(state, str(child_sku))
    links = product["extension_attributes"].setdefault("configurable_product_links", [])
    if child["id"] in links:
        raise MagentoError(400, "The product is already attached.")
    if not product["extension_attributes"].get("configurable_product_options"):
        raise MagentoError(400, "The parent product doesn't have configurable product options.")
    links.append(child["id"])
    product["updated_at"] = stamp(state.now())
    return True


def child_remove(state: MagentoState, sku: str, child_sku: str) -> bool:
    """`DELETE /V1/configurable-products/{sku}/children/{childSku}`."""
    product = _configurable(state, sku)
    child = state.products.get(child_sku)
    links = product["extension_attributes"].get("configurable_product_links") or []
    if child is None or child["id"] not in links:
        raise MagentoError(
            404, "The option that was requested doesn't exist. Verify the entity and try again."
        )
    links.remove(child["id"])
    return True


# --- categories ----------------------------------------------------------------------------


def category_one(state: MagentoState, cid: int) -> dict[str, Any]:
    """`GET /V1/categories/{id}`."""
    node = state.categories.get(cid)
    if node is None:
        raise MagentoError(
            404,
            "No such entity with %fieldName = %fieldValue",
            {"fieldName": "id", "fieldValue": cid},
        )
    return node


def category_add(state: MagentoState, body: Any) -> dict[str, Any]:
    """`POST /V1/categories` with `{"category": {name, parent_id, is_active}}`."""
    data = body.get("category") if isinstance(body, dict) else None
    if not isinstance(data, dict):
        raise MagentoError(400, REQUIRED, {"fieldName": "category"})
    name = str(data.get("name") or "").strip()
    if not name:
        raise MagentoError(
            400,
            'Could not save category: The "%1" attribute value is empty. Set the attribute '
            "and try again.",
            ["name"],
        )
    parent = category_one(state, int(data.get("parent_id") or 2))
    cid = max(state.categories) + 1
    node = category(cid, parent["id"], name)
    node["is_active"] = bool(data.get("is_active", True))
    state.categories[cid] = node
    node["level"] = len(state.category_path(cid)) - 1
    node["path"] = "/".join(str(i) for i in state.category_path(cid))
    parent["children"] = ",".join(p for p in (parent["children"], str(cid)) if p)
    return node


def category_tree(state: MagentoState, root: int = 2) -> dict[str, Any]:
    """`GET /V1/categories`: the tree below the default category, as `children_data`."""
    node = category_one(state, root)
    counts = _product_counts(state)
    return _tree(state, node, counts)


def _product_counts(state: MagentoState) -> dict[str, int]:
    counts: dict[str, int] = {}
    for product in state.products.values():
        for link in product["extension_attributes"].get("category_links") or []:
            counts[str(link["category_id"])] = counts.get(str(link["category_id"]), 0) + 1
    return counts


def _tree(state: MagentoState, node: dict[str, Any], counts: dict[str, int]) -> dict[str, Any]:
    kids = [c for c in state.categories.values() if c["parent_id"] == node["id"]]
    return {
        "id": node["id"],
        "parent_id": node["parent_id"],
        "name": node["name"],
        "is_active": node["is_active"],
        "position": node["position"],
        "level": node["level"],
        "product_count": counts.get(str(node["id"]), 0),
        "children_data": [_tree(state, c, counts) for c in kids],
    }


# --- asynchronous bulk ---------------------------------------------------------------------


def bulk_save(state: MagentoState, body: Any, scope: str = "all") -> dict[str, Any]:
    """`PUT /rest/<store>/async/bulk/V1/products/bySku`: one operation per product.

    The sandbox's consumer runs at once: each operation is complete (1) or failed with
    Magento's message (3, "needs a change") by the time the status is asked for.
    """
    if not isinstance(body, list) or not body:
        raise MagentoError(400, REQUIRED, {"fieldName": "entities"})
    uuid = f"{len(state.bulks) + 1:08x}-0000-4000-8000-{state.now():012x}"[-36:]
    operations: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    for n, entry in enumerate(body):
        try:
            sku = (
                ((entry or {}).get("product") or {}).get("sku") if isinstance(entry, dict) else None
            )
            save_product(state, sku, entry, scope)
            operations.append({"id": n, "status": 1, "result_message": None, "error_code": None})
        except MagentoError as exc:
            text = exc.message
            params = exc.parameters
            for i, value in enumerate(params if isinstance(params, list) else [], 1):
                text = text.replace(f"%{i}", str(value))
            for key, value in (params if isinstance(params, dict) else {}).items():
                text = text.replace(f"%{key}", str(value))
            operations.append(
                {"id": n, "status": 3, "result_message": text, "error_code": exc.status}
            )
        items.append({"id": n, "data_hash": f"{n:064x}", "status": "accepted"})
    state.bulks[uuid] = operations
    return {"bulk_uuid": uuid, "request_items": items, "errors": False}


def bulk_status(state: MagentoState, uuid: str) -> dict[str, Any]:
    """`GET /V1/bulk/{uuid}/status`."""
    operations = state.bulks.get(uuid)
    if operations is None:
        raise MagentoError(404, "Bulk uuid %1 not exist", [uuid])
    return {
        "operations_list": operations,
        "bulk_id": uuid,
        "description": "Topic async.magento.catalog.api.productrepositoryinterface.save.put",
        "operation_count": len(operations),
    }
