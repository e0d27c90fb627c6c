"""US Direct sandbox state: primary and secondary feed catalogues, orders by PO, shipments,
and the settings switches for assumed behaviour.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from connectors.sandboxing import fake_secret
from connectors.sandboxing.clock import Clock

NOUNS = ("Helmet", "Glove", "Tire", "Battery", "Mirror", "Grip", "Lever", "Seat Cover")
SHIP_TO_FIELDS = ("name", "address1", "city", "state", "zip", "country")
SHIP_TO_OPTIONAL = ("address2", "phone", "email")
OPEN = ("pending_authorization", "authorized")
# Shipping codes the (assumed) API accepts as `ship_method`, with the carrier that ships them.
SHIP_METHODS = {"UPS-GND": "UPS", "FEDEX-EXP": "FedEx", "USPS-PRIORITY": "USPS"}
SHIPMENT_STATUSES = ("In Transit", "Out for Delivery", "Delivered", "Exception")


@dataclass
class USDirectSettings:
    """Switches for assumed behaviour."""

    requests_per_second: int = 2
    auto_authorize: bool = False  # Flxpoint's "Auto Authorize Orders For Payment"
    secondary_feed: bool = True  # off: the secondary feed URL answers 404
    feed_delay_ms: int = 0  # a slow feed: wait this long before each chunk of rows
    feed_malformed_rows: int = 0  # this many broken rows (bad price, bad qty, no sku) first
    integration_access: bool = True  # off: the account has no integration access (403)


class USDirectState:
    """Primary and secondary feed catalogues, orders by PO, shipments."""

    def __init__(self, seed: int, size: int, clock: Clock) -> None:
        self.clock = clock
        self.settings = USDirectSettings()
        self.token = fake_secret("usdirect", seed, "token")
        self.reseller_token = fake_secret("usdirect", seed, "reseller")
        self.feed_token = fake_secret("usdirect", seed, "feed", 24)
        self.reseed(seed, size)

    def reseed(self, seed: int, size: int) -> None:
        """`size` primary-feed products and about size/10 secondary-feed ones."""
        self.seed, self.size = seed, size
        rng = random.Random(seed)
        self.products: dict[str, dict[str, Any]] = {}
        self.primary: list[str] = []
        self.secondary: list[str] = []
        for feed, count, prefix in ((self.primary, size, "1"), (self.secondary, size // 10, "8")):
            for n in range(1, count + 1):
                sku = f"{prefix}{n:05d}-{rng.choice(('BLK', 'RED', 'STD'))}"
                noun = rng.choice(NOUNS)
                # Some names carry commas and quotes, so the CSV has to quote them.
                name = f'{noun}, {rng.choice(("Youth", "Adult"))} "{n}"' if n % 7 == 0 else noun
                roll = rng.random()
                qty: int | None = None if roll < 0.05 else 0 if roll < 0.2 else rng.randint(1, 250)
                self.products[sku] = {
                    "sku": sku,
                    "name": f"{name} {n}",
                    "price": f"{Decimal(rng.randint(499, 39999)) / 100:.2f}",
                    "qty": qty,
                }
                feed.append(sku)
        # The feeds' Last-Modified and ETag: changed by any stock or price change.
        self.feed_modified = self.clock.now().replace(microsecond=0)
        self.feed_version = 1
        self.orders: dict[str, dict[str, Any]] = {}
        self.shipments: list[dict[str, Any]] = []
        self.sequence = 0

    def feed_changed(self) -> None:
        """A product changed: the feeds get a new ETag and Last-Modified."""
        self.feed_version += 1
        self.feed_modified = self.clock.now().replace(microsecond=0)

    def next_id(self, prefix: str) -> str:
        """Ids like `USD-000001`."""
        self.sequence += 1
        return f"{prefix}-{self.sequence:06d}"

    def now(self) -> str:
        """An ISO 8601 UTC timestamp."""
        return self.clock.now().isoformat().replace("+00:00", "Z")
