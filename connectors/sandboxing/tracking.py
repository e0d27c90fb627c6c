"""Tracking numbers the sandboxed suppliers hand out: in the carrier's shape, the same for
the same seed (a PO and its box).

Channels refuse a number that is not its carrier's format (`connectors.tracking`), so a
sandbox, the demo or a test that ships makes one a real carrier could have printed:
UPS `1Z` + 16 letters or digits, FedEx 12 digits, USPS 22 digits (an IMpb `9400…`), DHL 10
digits. Anything else (WPS's BEST, OnTrac) gets UPS's shape: WPS names BEST's carrier from
the number, and UPS is what the operator maps BEST to.
"""

from __future__ import annotations

import hashlib

# A supplier's shipping code or carrier, upper-cased, by how it starts -> the carrier.
# WPS: UP1D/UP2D, FE1D/FE2D/FDXG/AH2D, US1C/US4C; US Direct: UPS-GND, FEDEX-EXP,
# USPS-PRIORITY; or a carrier's name.
PREFIXES = (("UP", "UPS"), ("FE", "FedEx"), ("FD", "FedEx"), ("AH", "FedEx"), ("US", "USPS"))


def carrier_of(method: str) -> str:
    """The carrier a shipping code or carrier name ships with (UPS when it names none)."""
    code = method.strip().upper()
    if code.startswith("DHL"):
        return "DHL"
    return next((carrier for prefix, carrier in PREFIXES if code.startswith(prefix)), "UPS")


def tracking_number(method: str, seed: str) -> str:
    """A tracking number in the shape of `method`'s carrier, the same for the same seed."""
    digest = hashlib.sha256(seed.encode()).hexdigest().upper()
    number = int(digest, 16)
    carrier = carrier_of(method)
    if carrier == "FedEx":
        return f"{number % 10**12:012d}"
    if carrier == "USPS":
        return f"9400{number % 10**18:018d}"
    if carrier == "DHL":
        return f"{number % 10**10:010d}"
    return f"1Z{digest[:16]}"
