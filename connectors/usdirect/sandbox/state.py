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


@dataclass
class USDirectSettings:
    """Switches for assumed behaviour."""

    requests_per_second: int = 2
    auto_authorize: bool = False  # Flxpoint's "Auto Authorize Orders For Payment"


class USDirectState:
    """Primary and secondary feed catalogues, orders by PO, shipments."""

    def __init__(self, seed: int, size: int, clock: Clock) -> None:
        self.clock = clock
        self.settings = USDirectSettings()
        self.token = fake_secret("usdirect", seed, "token")
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
        self.orders: dict[str, dict[str, Any]] = {}
        self.shipments: list[dict[str, Any]] = []
        self.sequence = 0

    def next_id(self, prefix: str) -> str:
        """Ids like `USD-000001`."""
        self.sequence += 1
        return f"{prefix}-{self.sequence:06d}"

    def now(self) -> str:
        """An ISO 8601 UTC timestamp."""
        return self.clock.now().isoformat().replace("+00:00", "Z")
