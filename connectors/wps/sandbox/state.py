"""WPS sandbox state: the seeded catalogue (items grouped into products, per-warehouse
stock), open carts and submitted POs, plus the settings switches for assumed behaviour.
"""

from __future__ import annotations

import bisect
import itertools
import random
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from connectors.sandboxing import fake_secret
from connectors.sandboxing.clock import Clock
from connectors.sandboxing.seeding import paused_gc

WAREHOUSES = ("ca", "ga", "id", "in", "pa", "pa2", "tx")
CART_WAREHOUSES = ("CA", "GA", "ID", "IN", "PA", "TX")
SHIP_VIA = ("AH2D", "BEST", "FE1D", "FE2D", "UP1D", "UP2D", "US1C", "US4C", "FDXG")
STATUSES = ("STK", "NEW", "DIR", "SPEC", "CLO", "PRE", "NA", "NLA", "DSC")
STATUS_WEIGHTS = (70, 8, 5, 3, 4, 2, 3, 3, 2)
UNORDERABLE = frozenset({"NA", "NLA", "DSC"})
SIZES = ("XS", "S", "M", "L", "XL", "2XL")
COLOURS = ("Black", "Red", "Blue", "White", "Hi-Vis Yellow")
NOUNS = ("Jersey", "Glove", "Helmet", "Boot", "Pant", "Jacket", "Brake Pad", "Chain", "Filter")
BRANDS = ("Fly Racing", "EBC", "Hiflofiltro", "Tusk", "Answer", "Moose", "Pro Taper", "DID")
PRICE_FIELDS = frozenset({"list_price", "standard_dealer_price", "mapp_price", "drop_ship_fee"})
CART_LIMITS = {
    "ship_name": 30,
    "ship_address1": 30,
    "ship_address2": 30,
    "ship_address3": 30,
    "ship_city": 17,
    "ship_state": 2,
    "ship_zip": 15,
    "ship_phone": 15,
    "email": 50,
    "comment1": 50,
    "comment2": 50,
    "description": 50,
    "ship_to": 7,
}
HELD = "ON HOLD"  # a detail of an order placed with hold_order (WPS's wording is assumed)
CART_BOOLS = ("allow_backorder", "hold_order", "multiple_warehouse", "proof_of_delivery")
TS = "%Y-%m-%d %H:%M:%S"


@dataclass
class WpsSettings:
    """Switches for behaviour the contract marks as assumed or conflicting."""

    duplicate_po: str = "reject"  # "reject": any reuse of a PO is a 422; "allow": WPS's doc
    inventory_cap: int = 25  # the doc says 9, a 2026 client says 25
    default_page_size: int = 10
    max_page_size: int = 10000


@dataclass
class Cart:
    """An open cart, keyed by PO number."""

    po_number: str
    cart_number: str
    fields: dict[str, Any]
    lines: dict[str, int] = field(default_factory=dict)  # sku -> quantity
    # Whatever else an item request carried (e.g. price, name): kept so tests can read back
    # what a client sent, as the cart (and `submitted`) shows it.
    line_fields: dict[str, dict[str, Any]] = field(default_factory=dict)


class WpsState:
    """Seeded catalogue plus carts and POs, with the indexes the endpoints page through."""

    def __init__(self, seed: int, size: int, clock: Clock) -> None:
        self.clock = clock
        self.settings = WpsSettings()
        # Tokens come from the build seed and survive /_sandbox/seed, so a connection made
        # from describe() keeps working after a test reseeds the catalogue.
        self.token = fake_secret("wps", seed, "token", 40)
        # Valid but without order-processing permission: the doc's 403 case.
        self.restricted_token = fake_secret("wps", seed, "restricted", 40)
        self.reseed(seed, size)

    def reseed(self, seed: int, size: int) -> None:
        """Regenerate everything from `seed`: `size` items grouped into products."""
        self.seed, self.size = seed, size
        self.items: dict[int, dict[str, Any]] = {}
        self.item_ids: list[int] = []
        self.sku_index: dict[str, int] = {}
        self.item_attrs: dict[int, tuple[int, ...]] = {}
        self.products: dict[int, dict[str, Any]] = {}
        self.product_ids: list[int] = []
        self.product_items: dict[int, list[int]] = {}
        self.stock: dict[int, list[int]] = {}
        self.inventory_updated: dict[int, str] = {}
        self.carts: dict[str, Cart] = {}
        self.orders: dict[str, dict[str, Any]] = {}
        # Every cart submitted, as it was (documented fields or not), per PO: what a dealer
        # sent, for tests; WPS's own PO object shows only its documented fields.
        self.submitted: dict[str, list[Cart]] = {}
        self.order_seq = 0
        self.brands = {
            i + 1: {"id": i + 1, "name": name, "created_at": None, "updated_at": None}
            for i, name in enumerate(BRANDS)
        }
        self.attributekeys = {
            1: {"id": 1, "name": "Size"},
            2: {"id": 2, "name": "Color"},
        }
        self.attributevalues: dict[int, dict[str, Any]] = {}
        for key_id, names in ((1, SIZES), (2, COLOURS)):
            for sort, name in enumerate(names):
                value_id = len(self.attributevalues) + 1
                self.attributevalues[value_id] = {
                    "id": value_id,
                    "attributekey_id": key_id,
                    "name": name,
                    "sort": sort,
                }
        with paused_gc():
            _generate(self, random.Random(seed), size)

    # -- stock -------------------------------------------------------------------------

    def inventory(self, item_id: int) -> dict[str, Any]:
        """The inventory record as the API shows it: capped per warehouse."""
        cap = self.settings.inventory_cap
        item = self.items[item_id]
        record: dict[str, Any] = {"id": item_id, "item_id": item_id, "sku": item["sku"]}
        total = 0
        for code, qty in zip(WAREHOUSES, self.stock[item_id], strict=True):
            shown = min(qty, cap)
            record[f"{code}_warehouse"] = shown
            total += shown
        record["total"] = total
        record["created_at"] = item["created_at"]
        record["updated_at"] = self.inventory_updated[item_id]
        return record

    def touch(self, item_id: int, *, stock: bool = False) -> None:
        """Stamp a change so `filter[updated_at][gt]` finds it."""
        now = self.clock.now().strftime(TS)
        self.items[item_id]["updated_at"] = now
        if stock:
            self.inventory_updated[item_id] = now

    def delete_item(self, item_id: int) -> None:
        """Remove an item everywhere (ids stay in the ordered list; pages skip them)."""
        item = self.items.pop(item_id)
        del self.sku_index[item["sku"]]
        self.product_items[item["product_id"]].remove(item_id)

    def add_product(self, name: str, items: list[dict[str, Any]]) -> dict[str, Any]:
        """A new product whose items have the given SKUs, sizes and colours (tests use it
        for SKU shapes the seed does not make, e.g. the guide's `87-4446-BK-L`)."""
        product_id = max(self.products, default=0) + 1
        now = self.clock.now().strftime(TS)
        self.products[product_id] = {
            "id": product_id,
            "designation_id": None,
            "name": name,
            "alternate_name": None,
            "care_instructions": None,
            "description": f"{name}. Added by a test.",
            "sort": 0,
            "image_360_id": None,
            "image_360_preview_id": None,
            "size_chart_id": None,
            "created_at": now,
            "updated_at": now,
        }
        self.product_ids.append(product_id)
        members = self.product_items[product_id] = []
        for spec in items:
            item_id = max(self.items, default=0) + 1
            values = tuple(
                self._attribute_value(key_id, str(spec[key]))
                for key_id, key in ((1, "size"), (2, "color"))
                if spec.get(key)
            )
            item = {
                "id": item_id,
                "brand_id": 1,
                "country_id": None,
                "product_id": product_id,
                "sku": spec["sku"],
                "name": " ".join([name, *(str(spec[k]) for k in ("size", "color") if spec.get(k))]),
                "list_price": str(spec.get("list_price", "10.00")),
                "standard_dealer_price": str(spec.get("standard_dealer_price", "6.80")),
                "mapp_price": "0.00",
                "has_map_policy": False,
                "supplier_product_id": f"SP{item_id:07d}",
                "length": 10,
                "width": 5,
                "height": 2,
                "weight": 1.5,
                "upc": spec.get("upc"),
                "superseded_sku": None,
                "status_id": "STK",
                "status": "STK",
                "unit_of_measurement_id": 12,
                "sort": 0,
                "product_type": "Jersey",
                "carb": None,
                "propd1": None,
                "propd2": None,
                "prop_65_code": None,
                "prop_65_detail": None,
                "drop_ship_fee": "0.00",
                "drop_ship_eligible": True,
                "created_at": now,
                "updated_at": now,
                "published_at": now,
            }
            self.items[item_id] = item
            self.item_ids.append(item_id)
            self.sku_index[item["sku"]] = item_id
            self.item_attrs[item_id] = values
            self.stock[item_id] = [int(spec.get("stock", 5))] + [0] * (len(WAREHOUSES) - 1)
            self.inventory_updated[item_id] = now
            members.append(item_id)
        return {"product_id": product_id, "item_ids": list(members)}

    def _attribute_value(self, key_id: int, name: str) -> int:
        for value_id, value in self.attributevalues.items():
            if value["attributekey_id"] == key_id and value["name"] == name:
                return value_id
        value_id = max(self.attributevalues) + 1
        self.attributevalues[value_id] = {
            "id": value_id,
            "attributekey_id": key_id,
            "name": name,
            "sort": 0,
        }
        return value_id

    def next_order_number(self) -> str:
        """WPS order numbers are numeric strings."""
        self.order_seq += 1
        return str(5_000_000 + self.order_seq)


def _generate(state: WpsState, rng: random.Random, size: int) -> None:
    """Seed `size` items: ~40% stand-alone, the rest size/colour variants of a product.

    Written for speed (100k items in about a second): one `random()` per decision and
    timestamps formatted once per product.
    """
    r = rng.random
    status_cdf = list(itertools.accumulate(STATUS_WEIGHTS))
    status_total = status_cdf[-1]
    labels = {v: (a["name"], a["name"][:2].upper()) for v, a in state.attributevalues.items()}
    base = state.clock.now()
    item_id = 0
    product_id = 0
    while item_id < size:
        product_id += 1
        brand_id = 1 + int(r() * len(BRANDS))
        noun = NOUNS[int(r() * len(NOUNS))]
        name = f"{BRANDS[brand_id - 1]} {noun} {product_id}"
        created_at = base - timedelta(days=30 + int(r() * 870), seconds=int(r() * 86400))
        created = created_at.strftime(TS)
        updated = (created_at + timedelta(days=int(r() * 30))).strftime(TS)
        if r() < 0.4:
            combos: list[tuple[int, ...]] = [()]
        else:
            sizes = sorted(rng.sample(range(1, len(SIZES) + 1), 2 + int(r() * 3)))
            colours = rng.sample(range(7, 7 + len(COLOURS)), 1 + int(r() * 2))
            combos = [(s, c) for c in colours for s in sizes]
        combos = combos[: size - item_id]
        state.products[product_id] = {
            "id": product_id,
            "designation_id": None,
            "name": name,
            "alternate_name": None,
            "care_instructions": None,
            "description": f"{name}. Seeded sandbox product.",
            "sort": 0,
            "image_360_id": None,
            "image_360_preview_id": None,
            "size_chart_id": None,
            "created_at": created,
            "updated_at": updated,
        }
        state.product_ids.append(product_id)
        members = state.product_items[product_id] = []
        cents = 999 + int(r() * 49000)
        list_price = f"{cents / 100:.2f}"
        dealer = f"{cents * 0.68 / 100:.2f}"
        mapp = f"{cents * 0.95 / 100:.2f}"
        # Fields shared by the product's variants; each item copies and fills the rest.
        template = {
            "id": 0,
            "brand_id": brand_id,
            "country_id": None,
            "product_id": product_id,
            "sku": "",
            "name": name,
            "list_price": list_price,
            "standard_dealer_price": dealer,
            "mapp_price": "0.00",
            "has_map_policy": False,
            "supplier_product_id": "",
            "length": 0,
            "width": 0,
            "height": 0,
            "weight": 0.0,
            "upc": None,
            "superseded_sku": None,
            "status_id": "STK",
            "status": "STK",
            "unit_of_measurement_id": 12,
            "sort": 0,
            "product_type": noun,
            "carb": None,
            "propd1": None,
            "propd2": None,
            "prop_65_code": None,
            "prop_65_detail": None,
            "drop_ship_fee": "0.00",
            "drop_ship_eligible": True,
            "created_at": created,
            "updated_at": updated,
            "published_at": created,
        }
        for combo in combos:
            item_id += 1
            sku = f"{10 + brand_id}-{item_id:06d}" + "".join(labels[v][1] for v in combo)
            status = STATUSES[bisect.bisect_right(status_cdf, r() * status_total)]
            item = dict(template)
            item["id"] = item_id
            item["sku"] = sku
            if combo:
                item["name"] = f"{name} " + " ".join(labels[v][0] for v in combo)
            if r() < 0.3:
                item["has_map_policy"] = True
                item["mapp_price"] = mapp
            item["supplier_product_id"] = f"SP{item_id:07d}"
            item["country_id"] = 1 if r() < 0.7 else None
            item["length"] = 2 + int(r() * 28)
            item["width"] = 2 + int(r() * 18)
            item["height"] = 1 + int(r() * 11)
            item["weight"] = round(0.1 + r() * 15, 2)
            if r() < 0.9:
                item["upc"] = str(100_000_000_000 + int(r() * 899_999_999_999))
            item["status_id"] = item["status"] = status
            if r() >= 0.8:
                item["drop_ship_fee"] = "5.00"
            item["drop_ship_eligible"] = r() < 0.9
            state.items[item_id] = item
            state.item_ids.append(item_id)
            state.sku_index[sku] = item_id
            state.item_attrs[item_id] = combo
            members.append(item_id)
            if status not in UNORDERABLE and r() < 0.85:
                state.stock[item_id] = [int(r() * 41) if r() < 0.5 else 0 for _ in WAREHOUSES]
            else:
                state.stock[item_id] = [0] * len(WAREHOUSES)
            state.inventory_updated[item_id] = updated
