"""In-memory store of the Magento sandbox (products, categories, orders, shipments).

Products are keyed by SKU (Magento's REST identifier) with a sorted entity-id list for
paging. `search()` applies `searchCriteria` like Magento's collections do: a `currentPage`
past the end returns the last page again on 2.3 and an empty page on 2.4 (`settings`).
"""

from __future__ import annotations

import functools
import math
import random
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from connectors.sandboxing.clock import Clock

NOUNS = ["Lantern", "Kettle", "Hoodie", "Wrench", "Tent", "Skillet", "Jacket", "Drill"]
COLORS = ["Red", "Blue", "Black"]
CHILD_CODES = {"Red": "R", "Blue": "B", "Black": "K"}  # one SKU suffix per child (unique)
# (id, parent id, name): Magento's root (1) and default category (2), then a small tree.
CATEGORIES = [
    (1, 0, "Root Catalog"),
    (2, 1, "Default Category"),
    (3, 2, "Apparel"),
    (4, 3, "T-Shirts"),
    (5, 4, "Men's"),
    (6, 2, "Tools"),
    (7, 6, "Hand Tools"),
    (8, 2, "Outdoor"),
    (9, 8, "Camping"),
    (10, 9, "Tents"),
    (11, 1, "Outlet Catalog"),  # the root of the second store's tree (store group 2)
]
# Leaf paths a seeded product is filed under (one to three levels below the default category).
CATEGORY_PATHS = [[3, 4, 5], [6, 7], [8, 9, 10], [8], [3, 4]]


# Store views (code -> store id). `all` is the admin scope (id 0): global values.
STORE_VIEWS = {"default": 1, "fr": 2, "outlet": 3}
# Store view code -> store group id (`GET /V1/store/storeViews`); `admin` is the admin scope.
VIEW_GROUPS = {"admin": 0, "default": 1, "fr": 1, "outlet": 2}
# Store groups (`GET /V1/store/storeGroups`): (id, website id, root category id, code, name).
# Group 0 is the admin's (root 0); the main store files under the Default Category (2), a
# second store ("outlet") under its own root (11).
STORE_GROUPS = [
    (0, 0, 0, "default", "Default"),
    (1, 1, 2, "main_website_store", "Main Website Store"),
    (2, 2, 11, "outlet_store", "Outlet Store"),
]
# Attributes with a store-view scope; price, special price and stock are global.
SCOPED = ("name", "status", "visibility")
SCOPED_CUSTOM = ("description", "short_description", "url_key")


@dataclass
class MagentoSettings:
    """Switches served at `/_sandbox/settings`.

    `version`: "2.3" repeats the last page for a `currentPage` past the end, "2.4" answers
    an empty page. `integration_as_bearer`: the admin setting "Allow OAuth Access Tokens
    to be used as standalone Bearer tokens" (off: the token is ignored and every call is 401).
    """

    version: str = "2.3"
    integration_as_bearer: bool = True


class MagentoError(Exception):
    """A Magento web API error: `{"message": ..., "parameters": ...}` with a status."""

    def __init__(self, status: int, message: str, parameters: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.parameters = parameters

    def body(self) -> dict[str, Any]:
        """The JSON body Magento sends."""
        out: dict[str, Any] = {"message": self.message}
        if self.parameters is not None:
            out["parameters"] = self.parameters
        return out


PRODUCT_404 = "The product that was requested doesn't exist. Verify the product and try again."
ENTITY_404 = "The entity that was requested doesn't exist. Verify the entity and try again."


def stamp(epoch: int) -> str:
    """Magento's `created_at` format (UTC, space separated)."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S")


@dataclass
class MagentoState:
    """Everything the Magento sandbox knows. Mutate only under `lock`."""

    seed: int
    size: int
    clock: Clock
    products: dict[str, dict[str, Any]] = field(default_factory=dict)  # sku -> product
    by_id: dict[int, str] = field(default_factory=dict)
    ids: list[int] = field(default_factory=list)
    orders: dict[int, dict[str, Any]] = field(default_factory=dict)
    shipments: dict[int, dict[str, Any]] = field(default_factory=dict)
    invoices: dict[int, dict[str, Any]] = field(default_factory=dict)
    categories: dict[int, dict[str, Any]] = field(default_factory=dict)
    bulks: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # uuid -> operations
    # Store-view values: store code -> sku -> {attribute: value} over the global ones.
    store_values: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    store_groups: list[dict[str, Any]] = field(default_factory=list)
    settings: MagentoSettings = field(default_factory=MagentoSettings)
    next_id: int = 0
    next_item: int = 0
    next_shipment: int = 0
    next_media: int = 0
    next_option: int = 0
    next_comment: int = 0
    lock: threading.RLock = field(default_factory=threading.RLock)

    def reseed(self, seed: int, size: int) -> None:
        """Throw everything away and regenerate `size` products."""
        with self.lock:
            self.seed, self.size = seed, size
            self.products, self.by_id, self.ids, self.orders = {}, {}, [], {}
            self.shipments, self.invoices, self.bulks = {}, {}, {}
            self.store_values = {}
            self.store_groups = [store_group(*g) for g in STORE_GROUPS]
            self.categories = {cid: category(cid, parent, name) for cid, parent, name in CATEGORIES}
            self.settings.version, self.settings.integration_as_bearer = "2.3", True
            for cid, node in self.categories.items():
                node["level"] = len(self.category_path(cid)) - 1
                node["path"] = "/".join(str(i) for i in self.category_path(cid))
                node["children"] = ",".join(
                    str(c["id"]) for c in self.categories.values() if c["parent_id"] == cid
                )
            self.next_id = self.next_item = self.next_shipment = 0
            self.next_media = self.next_option = self.next_comment = 0
            _seed(self, random.Random(seed))

    def now(self) -> int:
        """Sandbox time as epoch seconds."""
        return int(self.clock.timestamp())

    def add(self, product: dict[str, Any]) -> None:
        """Store a product (new entity ids only grow, so `ids` stays sorted)."""
        self.products[product["sku"]] = product
        if product["id"] not in self.by_id:
            self.ids.append(product["id"])
        self.by_id[product["id"]] = product["sku"]

    def view(self, product: dict[str, Any], scope: str) -> dict[str, Any]:
        """The product as store view `scope` shows it: its own values over the global
        ones (`all`, the admin scope, shows the global values)."""
        own = self.store_values.get(scope, {}).get(product["sku"])
        if not own:
            return product
        shown = {**product, **{k: v for k, v in own.items() if k in SCOPED}}
        custom = {k: v for k, v in own.items() if k in SCOPED_CUSTOM}
        if custom:
            attrs = [a for a in product["custom_attributes"] if a["attribute_code"] not in custom]
            shown["custom_attributes"] = attrs + [
                {"attribute_code": k, "value": v} for k, v in custom.items()
            ]
        return shown

    def remove(self, sku: str) -> None:
        """Delete a product for good."""
        for values in self.store_values.values():
            values.pop(sku, None)
        product = self.products.pop(sku)
        del self.by_id[product["id"]]
        self.ids.remove(product["id"])

    def new_product(
        self,
        sku: str,
        name: str,
        price: float,
        qty: int,
        type_id: str = "simple",
        created: int | None = None,
    ) -> dict[str, Any]:
        """A product record in the `catalogProductRepositoryV1` shape."""
        self.next_id += 1
        created = self.now() if created is None else created
        return {
            "id": self.next_id,
            "sku": sku,
            "name": name,
            "attribute_set_id": 4,
            "price": price,
            "status": 1,
            "visibility": 4,
            "type_id": type_id,
            "created_at": stamp(created),
            "updated_at": stamp(created),
            "weight": 1.0,
            "extension_attributes": {
                "website_ids": [1],
                "category_links": [],
                "stock_item": stock_item(self.next_id, qty, type_id == "simple"),
            },
            "product_links": [],
            "options": [],
            "media_gallery_entries": [],
            "tier_prices": [],
            "custom_attributes": [
                {"attribute_code": "url_key", "value": url_key(name)},
                {"attribute_code": "description", "value": f"<p>{name}, built to last.</p>"},
                {"attribute_code": "short_description", "value": name},
            ],
        }

    def add_media(self, product: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
        """Store a media gallery entry; a `content` upload becomes a file under /x/y/."""
        self.next_media += 1
        content = entry.get("content") or {}
        file = entry.get("file") or _media_file(product, str(content.get("name") or "image"))
        stored = {
            "id": self.next_media,
            "media_type": entry.get("media_type", "image"),
            "label": entry.get("label"),
            "position": entry.get("position", len(product["media_gallery_entries"]) + 1),
            "disabled": bool(entry.get("disabled", False)),
            "types": list(entry.get("types") or []),
            "file": file,
        }
        product["media_gallery_entries"].append(stored)
        return stored

    def category_path(self, cid: int) -> list[int]:
        """Category ids from the root down to `cid` (Magento's `path`)."""
        out: list[int] = []
        node = self.categories.get(cid)
        while node is not None:
            out.insert(0, node["id"])
            node = self.categories.get(node["parent_id"])
        return out


def url_key(name: str) -> str:
    """Magento's URL key from a product name (lowercase, dashes)."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _media_file(product: dict[str, Any], name: str) -> str:
    base = re.sub(r"[^a-z0-9_.-]+", "_", name.lower()) or "image"
    stem, dot, ext = base.rpartition(".")
    stem, ext = (stem, ext) if dot else (base, "jpg")
    taken = {e["file"] for e in product["media_gallery_entries"]}
    file, n = f"/{stem[0]}/{stem[1:2] or '_'}/{stem}.{ext}", 0
    while file in taken:  # Magento renames a clashing upload name_1, name_2, ...
        n += 1
        file = f"/{stem[0]}/{stem[1:2] or '_'}/{stem}_{n}.{ext}"
    return file


def store_group(gid: int, website: int, root: int, code: str, name: str) -> dict[str, Any]:
    """A `storeGroupRepositoryV1` record; its default store is its first store view."""
    views = [STORE_VIEWS.get(c, 0) for c, g in VIEW_GROUPS.items() if g == gid]
    return {
        "id": gid,
        "website_id": website,
        "root_category_id": root,
        "default_store_id": min(views) if views else 0,
        "name": name,
        "code": code,
    }


def store_views() -> list[dict[str, Any]]:
    """`GET /V1/store/storeViews`: the admin store (id 0) and every store view."""
    return [
        {
            "id": STORE_VIEWS.get(code, 0),
            "code": code,
            "name": "Admin" if code == "admin" else f"{code.title()} Store View",
            "website_id": next(g[1] for g in STORE_GROUPS if g[0] == gid),
            "store_group_id": gid,
            "is_active": 1,
        }
        for code, gid in VIEW_GROUPS.items()
    ]


def category(cid: int, parent: int, name: str) -> dict[str, Any]:
    """A `catalogCategoryRepositoryV1` record."""
    return {
        "id": cid,
        "parent_id": parent,
        "name": name,
        "is_active": True,
        "position": cid,
        "level": 0,
        "children": "",
        "include_in_menu": True,
    }


def stock_item(product_id: int, qty: float, managed: bool = True) -> dict[str, Any]:
    """A `cataloginventory` stock item (item_id mirrors the product id, stock 1)."""
    return {
        "item_id": product_id,
        "product_id": product_id,
        "stock_id": 1,
        "qty": qty,
        "is_in_stock": qty > 0 or not managed,
        "is_qty_decimal": False,
        "use_config_min_qty": True,
        "min_qty": 0,
        "use_config_min_sale_qty": 1,
        "min_sale_qty": 1,
        "use_config_max_sale_qty": True,
        "max_sale_qty": 10000,
        "use_config_backorders": True,
        "backorders": 0,
        "use_config_notify_stock_qty": True,
        "notify_stock_qty": 1,
        "use_config_manage_stock": True,
        "manage_stock": managed,
        "low_stock_date": None,
        "stock_status_changed_auto": 0,
    }


def _seed(state: MagentoState, rng: random.Random) -> None:
    start = state.now() - 300 * 86_400
    step = max(1, 280 * 86_400 // max(1, state.size))
    made = 0
    while made < state.size:
        created = start + made * step
        name = f"{rng.choice(NOUNS)} {made + 1}"
        sku = f"MG-{state.seed % 1000:03d}-{made + 1:06d}"
        price = round(5 + rng.random() * 200, 2)
        if rng.random() < 0.2 and made + 3 <= state.size:
            parent = state.new_product(sku, name, price, 0, "configurable", created)
            _dress(state, parent)
            children = []
            for color in COLORS:
                child = state.new_product(
                    f"{sku}-{CHILD_CODES[color]}",
                    f"{name}-{color}",
                    price,
                    int(rng.random() * 40),
                    created=created,
                )
                child["visibility"] = 1  # children are "Not Visible Individually"
                child["custom_attributes"].append({"attribute_code": "color", "value": color})
                state.add(child)
                children.append(child["id"])
            parent["extension_attributes"]["configurable_product_links"] = children
            parent["extension_attributes"]["configurable_product_options"] = [
                {
                    "id": parent["id"],
                    "attribute_id": "93",
                    "label": "Color",
                    "position": 0,
                    "values": [{"value_index": 50 + i} for i in range(len(COLORS))],
                    "product_id": parent["id"],
                }
            ]
            state.add(parent)
            made += 1 + len(COLORS)
            continue
        product = state.new_product(sku, name, price, int(rng.random() * 100), created=created)
        _dress(state, product)
        if rng.random() < 0.6:
            digits = f"{int(rng.random() * 10**11):011d}"
            odd = sum(int(d) for d in digits[0::2]) * 3 + sum(int(d) for d in digits[1::2])
            upc = digits + str((10 - odd % 10) % 10)
            product["custom_attributes"].append({"attribute_code": "upc", "value": upc})
        state.add(product)
        made += 1


def _dress(state: MagentoState, product: dict[str, Any]) -> None:
    """Categories, images and now and then a special price, as a real catalogue has.

    Its own random stream per product, so the catalogue's shape stays what the seed made it.
    """
    rng = random.Random(state.seed * 1_000_003 + product["id"])
    path = rng.choice(CATEGORY_PATHS)
    product["extension_attributes"]["category_links"] = [
        {"position": i, "category_id": str(cid)} for i, cid in enumerate(path)
    ]
    for n in range(int(rng.random() * 3)):
        state.add_media(
            product,
            {
                "label": product["name"],
                "types": ["image", "small_image", "thumbnail"] if n == 0 else [],
                "content": {"name": f"{product['sku'].lower()}-{n}.jpg"},
            },
        )
    if rng.random() < 0.2:
        special = round(product["price"] * 0.9, 2)
        product["custom_attributes"].append({"attribute_code": "special_price", "value": special})


def _field(record: dict[str, Any], name: str) -> Any:
    if name in record:
        return record[name]
    if name == "entity_id":
        return record.get("id")
    for attr in record.get("custom_attributes", []):
        if attr["attribute_code"] == name:
            return attr["value"]
    return None


def _number(value: Any) -> Any:
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


@functools.lru_cache(maxsize=64)
def _in_list(wanted: str) -> frozenset[str]:
    # Parsed once per distinct filter value, not once per record.
    return frozenset(v.strip() for v in wanted.split(","))


def _matches(value: Any, condition: str, wanted: str) -> bool:
    if condition in ("null", "notnull"):
        return (value is None) == (condition == "null")
    if value is None:
        return False
    if condition in ("like", "nlike"):
        pattern = "^" + ".*".join(re.escape(p) for p in wanted.split("%")) + "$"
        hit = re.match(pattern.replace("_", "."), str(value), re.IGNORECASE) is not None
        return hit if condition == "like" else not hit
    if condition in ("in", "nin"):
        hit = str(value) in _in_list(wanted)
        return hit if condition == "in" else not hit
    if condition == "finset":
        return wanted in str(value).split(",")
    left, right = _number(value), _number(wanted)
    if type(left) is not type(right):
        left, right = str(value), wanted
    ops: dict[str, Callable[[Any, Any], bool]] = {
        "eq": lambda a, b: a == b,
        "neq": lambda a, b: a != b,
        "gt": lambda a, b: a > b,
        "gteq": lambda a, b: a >= b,
        "lt": lambda a, b: a < b,
        "lteq": lambda a, b: a <= b,
        "from": lambda a, b: a >= b,
        "to": lambda a, b: a <= b,
    }
    if condition not in ops:
        raise MagentoError(400, 'Invalid condition type: "%1"', [condition])
    return ops[condition](left, right)


def _get(d: dict[str, Any], camel: str, snake: str) -> Any:
    return d.get(camel, d.get(snake))


def search(records: list[dict[str, Any]], criteria: Any, *, clamp: bool = True) -> dict[str, Any]:
    """Apply `searchCriteria` (AND of OR-groups, sort, page) and build Magento's result.

    `clamp` is 2.3's collection paging (past the end: the last page again); 2.4 answers [].
    """
    criteria = criteria if isinstance(criteria, dict) else {}
    groups_in = _get(criteria, "filterGroups", "filter_groups") or {}
    echo_groups = []
    rows = records
    for group in groups_in.values() if isinstance(groups_in, dict) else groups_in:
        filters = (group.get("filters") or {}) if isinstance(group, dict) else {}
        flist = []
        for f in filters.values() if isinstance(filters, dict) else filters:
            cond = _get(f, "conditionType", "condition_type") or "eq"
            flist.append(
                {"field": f.get("field"), "value": f.get("value", ""), "condition_type": cond}
            )
        echo_groups.append({"filters": flist})
        rows = [
            r
            for r in rows
            if any(
                _matches(_field(r, f["field"]), f["condition_type"], str(f["value"])) for f in flist
            )
        ]
    sorts = _get(criteria, "sortOrders", "sort_orders") or {}
    for s in reversed(list(sorts.values() if isinstance(sorts, dict) else sorts)):
        field = s.get("field")
        rows = sorted(
            rows,
            key=lambda r: _number(_field(r, field)) or 0,
            reverse=str(s.get("direction", "ASC")).upper() == "DESC",
        )
    echo: dict[str, Any] = {"filter_groups": echo_groups}
    size, page = (
        _get(criteria, "pageSize", "page_size"),
        _get(criteria, "currentPage", "current_page"),
    )
    total = len(rows)
    if size not in (None, ""):
        size = max(1, int(size))
        echo["page_size"] = size
        last = max(1, math.ceil(total / size))
        wanted = int(page) if page not in (None, "") else 1
        # 2.3 collections clamp the page (past the end: the last page again); 2.4 does not.
        current = min(max(1, wanted), last) if clamp else max(1, wanted)
        rows = rows[(current - 1) * size : current * size]
        if page not in (None, ""):
            echo["current_page"] = wanted
    return {"items": rows, "search_criteria": echo, "total_count": total}
