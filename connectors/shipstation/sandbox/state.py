"""ShipStation sandbox state: seeded products and orders, label shipments (partial, voided),
markasshipped fulfillments, and the settings switches for behaviour the contract leaves open.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from connectors.sandboxing import fake_secret
from connectors.sandboxing.clock import Clock
from connectors.sandboxing.seeding import paused_gc
from connectors.shipstation.sandbox.records import (
    fulfillment_record,
    order_item_record,
    order_record,
    product_record,
    shipment_record,
    ss_date,
    ss_time,
)

OPEN_STATUSES = ("awaiting_payment", "awaiting_shipment", "pending_fulfillment", "on_hold")
STATUSES = (*OPEN_STATUSES, "shipped", "cancelled")
STORES = {101: "WooCommerce Store", 102: "Magento Store"}
TAGS: list[dict[str, Any]] = [
    {"tagId": 8362, "name": "Backorder", "color": "#800080"},
    {"tagId": 8363, "name": "Dropship", "color": "#008000"},
    {"tagId": 8364, "name": "Priority", "color": "#FF0000"},
]
USERS = [
    {
        "userId": "5c7f1b7e-0a5d-4f57-9a53-2f6f2b0a1c01",
        "userName": "ops@example.com",
        "name": "Ops",
    },
    {
        "userId": "9d2a4c1e-7b3f-4e21-8c55-6a1d3e9b2f02",
        "userName": "sam@example.com",
        "name": "Sam",
    },
]
NAMES = ("Ada Lovelace", "Grace Hopper", "Alan Turing", "Edsger Dijkstra", "Barbara Liskov")
CARRIERS = (("ups", "ups_ground"), ("usps", "usps_priority_mail"), ("fedex", "fedex_ground"))
# GET /carriers: the carriers connected to the account (markasshipped accepts only these).
# `usps` is the code of the docs' markasshipped example; Stamps.com is how most accounts
# buy USPS labels.
ACCOUNT_CARRIERS = (
    ("Stamps.com", "stamps_com", True),
    ("USPS", "usps", False),
    ("UPS", "ups", False),
    ("FedEx", "fedex", False),
)


def carrier_record(n: int, name: str, code: str, funded: bool) -> dict[str, Any]:
    """A Carrier as GET /carriers shows it."""
    return {
        "name": name,
        "code": code,
        "accountNumber": f"SS{1000 + n}",
        "requiresFundedAccount": funded,
        "balance": 24.27 if funded else 0.0,
        "nickname": None,
        "shippingProviderId": 12340 + n,
        "primary": True,
    }


@dataclass
class ShipStationSettings:
    """Switches for behaviour the contract leaves open."""

    rate_limit: int = 40
    send_reset_header: bool = True  # off: clients must fall back to 60 s
    send_retry_after: bool = False  # V1 is not known to send it; on to test the fallback
    empty_401_body: bool = False  # the real 401 may carry no JSON
    reship: str = "error"  # markasshipped on a shipped/cancelled order: "error" | "allow"


class ShipStationState:
    """Orders, label shipments, fulfillments and products, with id-ordered lists."""

    def __init__(self, seed: int, size: int, clock: Clock) -> None:
        self.clock = clock
        self.settings = ShipStationSettings()
        self.api_key = fake_secret("shipstation", seed, "key")
        self.api_secret = fake_secret("shipstation", seed, "secret")
        self.reseed(seed, size)

    def reseed(self, seed: int, size: int) -> None:
        """`size` products, about size/20 orders, some shipped with (partial, voided) labels."""
        self.seed, self.size = seed, size
        self.rng = random.Random(seed)
        self.orders: dict[int, dict[str, Any]] = {}
        self.order_keys: dict[str, int] = {}
        self.shipments: dict[int, dict[str, Any]] = {}
        self.fulfillments: dict[int, dict[str, Any]] = {}
        self.products: dict[int, dict[str, Any]] = {}
        self.product_ids: list[int] = []
        self.active_product_ids: list[int] = []
        self.product_skus: dict[str, int] = {}  # trimmed, lower-cased sku -> id
        self.next_ids = {"order": 100_000, "item": 500_000, "shipment": 900_000, "fulfil": 70_000}
        self.carriers = [carrier_record(n, *c) for n, c in enumerate(ACCOUNT_CARRIERS)]
        # What the API was asked to change, in order (tests count writes with these).
        self.assign_calls: list[tuple[list[int], str]] = []
        self.mark_calls: list[dict[str, Any]] = []
        now = self.clock.now()
        with paused_gc():
            for n in range(1, size + 1):
                self.add_product(n, now - timedelta(days=self.rng.randint(1, 700)))
        for _ in range(max(10, size // 20)):
            placed = now - timedelta(hours=self.rng.randint(31, 24 * 60))  # labels land by now
            order = self.place_order(placed=placed)
            roll = self.rng.random()
            if roll < 0.15:
                self.label(order, order["items"][:1], placed + timedelta(hours=20))
                if len(order["items"]) > 1:  # partial: a second label for the rest
                    self.label(order, order["items"][1:], placed + timedelta(hours=30))
            elif roll < 0.2:
                shipment = self.label(order, order["items"], placed + timedelta(hours=5))
                self.void(shipment, placed + timedelta(hours=6))

    def new_id(self, kind: str) -> int:
        """The next id of one kind (ids only grow, so lists stay sorted)."""
        self.next_ids[kind] += 1
        return self.next_ids[kind]

    # -- products ------------------------------------------------------------------------

    def add_product(
        self, n: int, created: datetime, sku: str | None = None, name: str | None = None
    ) -> dict[str, Any]:
        """Product `n` (seeded: a few inactive, a few SKUs with stray spaces; or as given)."""
        if sku is None:
            sku = f"SS-{n:06d}"
            if n % 97 == 0:
                sku = f" {sku}"  # real data has SKUs that need trimming
        active = n % 23 != 0 or name is not None
        product = product_record(n, sku, active, created)
        if name is not None:
            product["name"] = name
        self.products[n] = product
        self.product_ids.append(n)
        if active:
            self.active_product_ids.append(n)
        self.product_skus[sku.strip().lower()] = n
        return product

    def delete_product(self, product_id: int) -> None:
        """Remove a product from every index."""
        product = self.products.pop(product_id)
        self.product_ids.remove(product_id)
        if product_id in self.active_product_ids:
            self.active_product_ids.remove(product_id)
        del self.product_skus[product["sku"].strip().lower()]

    # -- orders --------------------------------------------------------------------------

    def place_order(
        self,
        placed: datetime | None = None,
        lines: list[tuple[str, int]] | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """A customer order as a store integration would import it (awaiting_shipment)."""
        rng = self.rng
        placed = placed or self.clock.now()
        if lines is None:
            picks = rng.sample(self.product_ids, min(len(self.product_ids), rng.randint(1, 3)))
            lines = [(self.products[p]["sku"].strip(), rng.randint(1, 3)) for p in picks]
        order_id = self.new_id("order")
        name = rng.choice(NAMES)
        items = [self.order_item(sku, qty, placed) for sku, qty in lines]
        store_id = rng.choice(list(STORES))
        carrier, service = rng.choice(CARRIERS)
        order = order_record(order_id, placed, name, items, store_id, carrier, service, rng)
        order.update(fields)
        self.orders[order_id] = order
        self.order_keys[order["orderKey"]] = order_id
        return order

    def order_item(self, sku: str, quantity: int, when: datetime) -> dict[str, Any]:
        """An OrderItem for `sku` (priced from the product when there is one)."""
        product_id = self.product_skus.get(sku.strip().lower())
        product = self.products.get(product_id) if product_id else None
        item_id = self.new_id("item")
        return order_item_record(item_id, sku, quantity, product_id, product, when)

    def touch(self, order: dict[str, Any]) -> None:
        """Bump modifyDate (what modifyDateStart filters see)."""
        order["_modified"] = self.clock.now()
        order["modifyDate"] = ss_time(order["_modified"])

    # -- shipments and fulfillments ------------------------------------------------------

    def label(
        self,
        order: dict[str, Any],
        items: list[dict[str, Any]],
        when: datetime,
        tracking: str | None = None,
        quantities: dict[str, int] | None = None,
    ) -> dict[str, Any]:
        """A label-created shipment covering `items`; the order is shipped once all are."""
        shipment_id = self.new_id("shipment")
        shipment = shipment_record(shipment_id, order, items, when, tracking, quantities)
        self.shipments[shipment_id] = shipment
        shipped = self.shipped_quantities(order["orderId"])
        if all(shipped.get(i["lineItemKey"], 0) >= i["quantity"] for i in order["items"]):
            order["orderStatus"] = "shipped"
            order["shipDate"] = ss_date(when)
            self.touch(order)
        return shipment

    def shipped_quantities(self, order_id: int) -> dict[str, int]:
        """Quantity per lineItemKey on the order's live (not voided) labels."""
        out: dict[str, int] = {}
        for shipment in self.shipments.values():
            if shipment["orderId"] == order_id and not shipment["voided"]:
                for item in shipment["shipmentItems"]:
                    out[item["lineItemKey"]] = out.get(item["lineItemKey"], 0) + item["quantity"]
        return out

    def void(self, shipment: dict[str, Any], when: datetime) -> None:
        """Void a label: it stays listed with `voided` and `voidDate`."""
        shipment["voided"] = True
        shipment["_voided"] = when
        shipment["voidDate"] = ss_time(when)

    def fulfil(self, order: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        """What markasshipped records: a fulfillment, never a shipment."""
        now = self.clock.now()
        fulfillment_id = self.new_id("fulfil")
        ship_day = body.get("shipDate") or ss_date(now)
        fulfillment = fulfillment_record(fulfillment_id, order, body, now, ship_day)
        self.fulfillments[fulfillment_id] = fulfillment
        order["orderStatus"] = "shipped"
        order["shipDate"] = ship_day
        order["externallyFulfilled"] = True
        self.touch(order)
        return fulfillment
