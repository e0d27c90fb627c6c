"""In-memory store of the WooCommerce sandbox: products, variations, orders, and seeding.

Storing an order (`new_order`) lives here, not in `orders`, because seeding creates orders
too; the route handlers in `orders` build on this module and nothing here imports them.

Records are plain dicts keyed by id (products and variations share one id sequence, as
WordPress posts do). Dates are stored as UTC epoch seconds and rendered in the site's
timezone on the way out. Lookups by id and SKU are dict hits; list endpoints page over an
id list kept in ascending order, so 100k products page as fast as 2k.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from typing import Any

from connectors.sandboxing.clock import Clock
from connectors.sandboxing.seeding import paused_gc

SECONDS_PER_DAY = 86_400
CATEGORIES = [
    {"id": 15, "name": "Uncategorized", "slug": "uncategorized"},
    {"id": 21, "name": "Outdoor", "slug": "outdoor"},
    {"id": 22, "name": "Kitchen", "slug": "kitchen"},
    {"id": 23, "name": "Apparel", "slug": "apparel"},
    {"id": 24, "name": "Tools", "slug": "tools"},
]
NOUNS = ["Lantern", "Kettle", "Hoodie", "Wrench", "Tent", "Skillet", "Jacket", "Drill", "Mug"]
ADJECTIVES = ["Classic", "Rugged", "Compact", "Deluxe", "Everyday", "Pro", "Travel", "Eco"]
SIZES = ["S", "M", "L", "XL"]
COLORS = ["Red", "Blue", "Black", "Green"]
SHIPPING_METHODS = [
    ("flat_rate", "Flat rate", "5.00"),
    ("free_shipping", "Free shipping", "0.00"),
    ("flat_rate", "Express", "19.90"),
    ("local_pickup", "Local pickup", "0.00"),
]


def upc(rng: random.Random) -> str:
    """A valid 12-digit UPC-A (check digit included)."""
    digits = [int(d) for d in f"{rng.randrange(10**11):011d}"]
    odd = sum(digits[0::2]) * 3 + sum(digits[1::2])
    return "".join(map(str, digits)) + str((10 - odd % 10) % 10)


@dataclass
class Settings:
    """Switches settable through `PUT /_sandbox/settings`."""

    # Plain http on 127.0.0.1 cannot prove TLS; when true, Basic/query keys are accepted as
    # if the request came over HTTPS (X-Forwarded-Proto: https always counts).
    assume_https: bool = True
    # The store's timezone as a fixed UTC offset; `date_created` is local, `_gmt` is UTC.
    utc_offset_hours: int = -5
    # The API key's permission, as set in WooCommerce → Settings → Advanced → REST API:
    # read, write or read_write. A read key's writes get "The API key provided does not
    # have write permissions." (401) before any route runs.
    key_permissions: str = "read_write"


@dataclass
class WooState:
    """Everything the WooCommerce sandbox knows. Mutate only under `lock`."""

    seed: int
    size: int
    clock: Clock
    products: dict[int, dict[str, Any]] = field(default_factory=dict)
    variations: dict[int, dict[str, Any]] = field(default_factory=dict)
    orders: dict[int, dict[str, Any]] = field(default_factory=dict)
    product_ids: list[int] = field(default_factory=list)  # ascending, trashed included
    order_ids: list[int] = field(default_factory=list)
    skus: dict[str, int] = field(default_factory=dict)  # sku -> product or variation id
    trashed: set[int] = field(default_factory=set)
    # True while creation dates ascend with ids, so "orderby=date" needs no sort.
    dates_follow_ids: bool = True
    next_id: int = 10
    next_item_id: int = 1
    next_note_id: int = 1
    lock: threading.RLock = field(default_factory=threading.RLock)

    def reseed(self, seed: int, size: int) -> None:
        """Throw everything away and regenerate `size` products (and some orders)."""
        with self.lock:
            self.seed, self.size = seed, size
            self.products, self.variations, self.orders = {}, {}, {}
            self.product_ids, self.order_ids, self.skus = [], [], {}
            self.trashed, self.dates_follow_ids = set(), True
            self.next_id, self.next_item_id, self.next_note_id = 10, 1, 1
            # Seeding allocates millions of small objects; cyclic GC passes over them
            # would double the time and find nothing to free.
            with paused_gc():
                _seed_catalogue(self, random.Random(seed))
                _seed_orders(self, random.Random(seed * 7919 + 1))

    def new_id(self) -> int:
        """The next post id (products, variations and orders share the sequence)."""
        self.next_id += 1
        return self.next_id

    def now(self) -> int:
        """Sandbox time as epoch seconds."""
        return int(self.clock.timestamp())

    def add_product(self, record: dict[str, Any]) -> None:
        """Store a new product (ids only grow, so the id list stays sorted)."""
        if self.product_ids and record["created"] < self.products[self.product_ids[-1]]["created"]:
            self.dates_follow_ids = False
        self.products[record["id"]] = record
        self.product_ids.append(record["id"])

    def remove_product(self, pid: int) -> None:
        """Delete a product for good, with its variations and SKUs."""
        record = self.products.pop(pid)
        self.product_ids.remove(pid)
        self.trashed.discard(pid)
        if record.get("sku"):
            self.skus.pop(record["sku"], None)
        for vid in list(record.get("children", [])):
            self.remove_variation(vid)

    def remove_variation(self, vid: int) -> None:
        """Delete a variation for good."""
        record = self.variations.pop(vid, None)
        if record is None:
            return
        if record.get("sku"):
            self.skus.pop(record["sku"], None)
        parent = self.products.get(record["parent_id"])
        if parent and vid in parent["children"]:
            parent["children"].remove(vid)

    def sku_owner(self, sku: str) -> int | None:
        """Id of the live product or variation holding `sku`."""
        return self.skus.get(sku) if sku else None


def price_of(record: dict[str, Any]) -> str:
    """The active price: sale price when set, else regular price."""
    return str(record.get("sale_price") or record.get("regular_price") or "")


def _item_id(state: WooState) -> int:
    state.next_item_id += 1
    return state.next_item_id


def line_item(state: WooState, target: dict[str, Any], quantity: int) -> dict[str, Any]:
    """An order line for a product or variation record."""
    is_variation = "parent_id" in target
    parent = state.products.get(target["parent_id"]) if is_variation else target
    price = float(price_of(target) or 0)
    meta = (
        [
            {
                "id": _item_id(state),
                "key": f"pa_{a['name'].lower()}",
                "value": a["option"],
                "display_key": a["name"],
                "display_value": a["option"],
            }
            for a in target.get("attributes", [])
        ]
        if is_variation
        else []
    )
    suffix = " - " + ", ".join(m["value"] for m in meta) if meta else ""
    return {
        "id": _item_id(state),
        "name": (parent or {}).get("name", "") + suffix,
        "product_id": target["parent_id"] if is_variation else target["id"],
        "variation_id": target["id"] if is_variation else 0,
        "quantity": quantity,
        "tax_class": "",
        "subtotal": f"{price * quantity:.2f}",
        "subtotal_tax": "0.00",
        "total": f"{price * quantity:.2f}",
        "total_tax": "0.00",
        "taxes": [],
        "meta_data": meta,
        "sku": target.get("sku", ""),
        "price": price,
        "image": {"id": "", "src": ""},
        "parent_name": (parent or {}).get("name") if is_variation else None,
    }


def new_order(
    state: WooState,
    lines: list[tuple[dict[str, Any], int]],
    *,
    status: str,
    shipping: tuple[str, str, str | float],  # (method id, title, total)
    customer: dict[str, Any],
    created: int | None = None,
) -> dict[str, Any]:
    """Store an order for (product-or-variation, quantity) lines and return its record."""
    oid = state.new_id()
    created = state.now() if created is None else created
    items = [line_item(state, target, qty) for target, qty in lines]
    method_id, method_title, ship_total = shipping
    total = sum(float(i["total"]) for i in items) + float(ship_total)
    paid = status in ("processing", "completed", "on-hold")
    order: dict[str, Any] = {
        "id": oid,
        "parent_id": 0,
        "number": str(oid),
        "order_key": f"wc_order_{oid:x}abc",
        "created_via": "checkout",
        "version": "9.4.0",
        "status": status,
        "currency": "USD",
        "currency_symbol": "$",
        "prices_include_tax": False,
        "discount_total": "0.00",
        "discount_tax": "0.00",
        "shipping_total": f"{float(ship_total):.2f}",
        "shipping_tax": "0.00",
        "cart_tax": "0.00",
        "total": f"{total:.2f}",
        "total_tax": "0.00",
        "customer_id": 0,
        "billing": dict(customer.get("billing", {})),
        "shipping": dict(customer.get("shipping", {})),
        "payment_method": "stripe",
        "payment_method_title": "Credit card",
        "transaction_id": f"ch_{oid}" if paid else "",
        "customer_ip_address": "203.0.113.7",
        "customer_user_agent": "Mozilla/5.0",
        "customer_note": customer.get("customer_note", ""),
        "cart_hash": "",
        "meta_data": [],
        "line_items": items,
        "tax_lines": [],
        "fee_lines": [],
        "coupon_lines": [],
        "refunds": [],
        "shipping_lines": [
            {
                "id": _item_id(state),
                "method_title": method_title,
                "method_id": method_id,
                "instance_id": "1",
                "total": f"{float(ship_total):.2f}",
                "total_tax": "0.00",
                "taxes": [],
                "meta_data": [],
            }
        ],
        "created": created,
        "modified": created,
        "paid": created if paid else None,
        "completed": created if status == "completed" else None,
        "notes": [],
        "trackings": [],
    }
    state.orders[oid] = order
    state.order_ids.append(oid)
    return order


def _seed_catalogue(state: WooState, rng: random.Random) -> None:
    now = state.now()
    start = now - 400 * SECONDS_PER_DAY
    step = max(1, (380 * SECONDS_PER_DAY) // max(1, state.size))
    for i in range(state.size):
        created = start + i * step
        modified = min(created + int(rng.random() * 30 * SECONDS_PER_DAY), now - 60)
        pid = state.new_id()
        name = f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)} {i + 1}"
        variable = rng.random() < 0.25
        price = f"{int(500 + rng.random() * 24500) / 100:.2f}"
        product: dict[str, Any] = {
            "id": pid,
            "name": name,
            "slug": name.lower().replace(" ", "-"),
            "type": "variable" if variable else "simple",
            "status": "publish" if rng.random() < 0.95 else "draft",
            "catalog_visibility": "visible",
            "sku": f"WC-{seed_tag(state.seed)}-{i + 1:06d}",
            "regular_price": "" if variable else price,
            "sale_price": "",
            "manage_stock": not variable,
            "stock_quantity": None if variable else int(rng.random() * 120),
            "stock_status": "instock",
            "categories": [
                CATEGORIES[int(rng.random() * len(CATEGORIES))]
            ],  # shared: never mutated
            "images": [{"id": pid + 500_000, "src": f"https://img.example/p/{pid}.jpg"}],
            "attributes": [],
            "meta_data": [],
            "global_unique_id": "",
            "children": [],
            "created": created,
            "modified": modified,
            "weight": f"{int(1 + rng.random() * 199) / 10:.1f}",
        }
        if not variable:
            _stock_status(product)
            _maybe_upc(product, rng)
        else:
            axis, values = ("Size", SIZES) if rng.random() < 0.5 else ("Color", COLORS)
            chosen = values[: rng.randrange(2, len(values) + 1)]
            product["attributes"] = [
                {
                    "id": 1 if axis == "Size" else 2,
                    "name": axis,
                    "slug": f"pa_{axis.lower()}",
                    "position": 0,
                    "visible": True,
                    "variation": True,
                    "options": list(chosen),
                }
            ]
            for j, value in enumerate(chosen):
                vid = state.new_id()
                variation = {
                    "id": vid,
                    "parent_id": pid,
                    "sku": f"{product['sku']}-{j + 1}",
                    "regular_price": price,
                    "sale_price": "",
                    "status": "publish",
                    "manage_stock": True,
                    "stock_quantity": int(rng.random() * 60),
                    "stock_status": "instock",
                    "attributes": [
                        {"id": product["attributes"][0]["id"], "name": axis, "option": value}
                    ],
                    "meta_data": [],
                    "global_unique_id": "",
                    "created": created,
                    "modified": modified,
                    "weight": product["weight"],
                    "menu_order": j,
                }
                _stock_status(variation)
                _maybe_upc(variation, rng, attribute=False)
                state.variations[vid] = variation
                state.skus[variation["sku"]] = vid
                product["children"].append(vid)
        state.products[pid] = product
        state.product_ids.append(pid)
        state.skus[product["sku"]] = pid


def seed_tag(seed: int) -> str:
    """A short per-seed SKU prefix, so catalogues of two seeds never share SKUs."""
    return f"{seed % 1000:03d}"


def _maybe_upc(record: dict[str, Any], rng: random.Random, attribute: bool = True) -> None:
    # UPCs live where real stores put them: a meta field, a "UPC" attribute, or (WC 9.2+)
    # the core GTIN/UPC field `global_unique_id`. Some products have none.
    roll = rng.random()
    if roll < 0.25:
        record["meta_data"].append({"id": record["id"] + 900_000, "key": "_upc", "value": upc(rng)})
    elif roll < 0.45 and attribute:
        record["attributes"].append(
            {
                "id": 0,
                "name": "UPC",
                "slug": "upc",
                "position": 1,
                "visible": True,
                "variation": False,
                "options": [upc(rng)],
            }
        )
    elif roll < 0.65:
        record["global_unique_id"] = upc(rng)


def _stock_status(record: dict[str, Any]) -> None:
    if record.get("manage_stock") and record.get("stock_quantity") is not None:
        record["stock_status"] = "instock" if record["stock_quantity"] > 0 else "outofstock"


def _seed_orders(state: WooState, rng: random.Random) -> None:
    count = min(500, max(5, state.size // 20))
    sellable = [pid for pid in state.product_ids[: min(len(state.product_ids), 5000)]]
    if not sellable:
        return
    start = state.now() - 60 * SECONDS_PER_DAY
    for i in range(count):
        lines = []
        for _ in range(rng.randrange(1, 4)):
            product = state.products[rng.choice(sellable)]
            target = (
                state.variations[rng.choice(product["children"])]
                if product["children"]
                else product
            )
            lines.append((target, rng.randrange(1, 4)))
        status = rng.choices(
            ["processing", "completed", "on-hold", "pending", "cancelled"], [5, 8, 1, 1, 1]
        )[0]
        method = SHIPPING_METHODS[rng.randrange(len(SHIPPING_METHODS))]
        created = start + i * (60 * SECONDS_PER_DAY // count)
        new_order(
            state,
            lines,
            status=status,
            shipping=method,
            customer=_customer(rng, i),
            created=created,
        )


def _customer(rng: random.Random, i: int) -> dict[str, Any]:
    first = rng.choice(["Ada", "Grace", "Alan", "Edsger", "Barbara", "Ken", "Radia"])
    last = rng.choice(["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Thompson"])
    address = {
        "first_name": first,
        "last_name": last,
        "company": "",
        "address_1": f"{rng.randrange(1, 999)} Main St",
        "address_2": "",
        "city": "Springfield",
        "state": "IL",
        "postcode": f"627{rng.randrange(10, 99)}",
        "country": "US",
    }
    email = f"{first.lower()}.{last.lower()}{i}@example.com"
    return {
        "billing": {**address, "email": email, "phone": "555-0100"},
        "shipping": {**address, "phone": ""},
    }
