"""In-memory store of the Magento sandbox (products, stock items, orders) and searchCriteria.

Products are keyed by SKU (Magento's REST identifier) with a sorted entity-id list for
paging. `search()` applies `searchCriteria` like Magento's collections do, including the
quirk that a `currentPage` past the end returns the last page again.
"""

from __future__ import annotations

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
    next_id: int = 0
    next_item: int = 0
    next_shipment: int = 0
    lock: threading.RLock = field(default_factory=threading.RLock)

    def reseed(self, seed: int, size: int) -> None:
        """Throw everything away and regenerate `size` products."""
        with self.lock:
            self.seed, self.size = seed, size
            self.products, self.by_id, self.ids, self.orders = {}, {}, [], {}
            self.next_id = self.next_item = self.next_shipment = 0
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

    def remove(self, sku: str) -> None:
        """Delete a product for good."""
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
                {"attribute_code": "url_key", "value": name.lower().replace(" ", "-")}
            ],
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
            children = []
            for color in COLORS:
                child = state.new_product(
                    f"{sku}-{color[0]}",
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
        if rng.random() < 0.6:
            digits = f"{int(rng.random() * 10**11):011d}"
            odd = sum(int(d) for d in digits[0::2]) * 3 + sum(int(d) for d in digits[1::2])
            upc = digits + str((10 - odd % 10) % 10)
            product["custom_attributes"].append({"attribute_code": "upc", "value": upc})
        state.add(product)
        made += 1


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
        hit = str(value) in {v.strip() for v in wanted.split(",")}
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


def search(records: list[dict[str, Any]], criteria: Any) -> dict[str, Any]:
    """Apply `searchCriteria` (AND of OR-groups, sort, page) and build Magento's result."""
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
        # Magento collections clamp the page: past the end you get the last page again.
        current = min(max(1, wanted), last)
        rows = rows[(current - 1) * size : current * size]
        if page not in (None, ""):
            echo["current_page"] = wanted
    return {"items": rows, "search_criteria": echo, "total_count": total}
