"""Tracking numbers a channel can be given: one number, well formed for its carrier.

Shared by every channel that pushes tracking (Magento's Sync Orders first): a supplier's
tracking field may hold several numbers, a URL, a note or control characters, and a
channel that takes it shows the customer a dead link. The guide's troubleshooting names
the three refusals: the number "doesn't match the expected carrier format", "is too long
or malformed" (a tracking link counts as malformed), the field "contains multiple tracking
numbers". `tracking_problem` says
which, in one line that shows at most the first 40 characters of the value (made visible:
a control character is shown, never acted on), or None when the number can be sent.

Formats of the carriers known by name (the value is compared exactly, letters in any case):
UPS `1Z` + 16 letters or digits; FedEx 12, 15, 20 or 22 digits; USPS 20 to 22, 26, 30 or 34
digits (30 and 34: a scanned barcode led by its 420+ZIP routing code), or an international
S10 number (2 letters, 9 digits, `US`); DHL 10 digits. Any other carrier: 4 to 50 ASCII
letters, digits and dashes.
"""

from __future__ import annotations

import re

from store.safe_text import visible

MAX_LENGTH = 50
SHOWN = 40  # characters of a refused value quoted in the error
# Between two numbers: any whitespace (newlines, tabs, no-break spaces) or a list mark.
SEPARATORS = re.compile(r"[\s,;/|]+")
LINK = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
ANY_CARRIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{3,49}")
# Carrier (its name upper-cased, letters only) -> (the format, the format in words).
FORMATS: dict[str, tuple[re.Pattern[str], str]] = {
    "UPS": (re.compile(r"1Z[A-Z0-9]{16}", re.IGNORECASE), "1Z and 16 letters or digits"),
    "FEDEX": (re.compile(r"[0-9]{12}|[0-9]{15}|[0-9]{20}|[0-9]{22}"), "12, 15, 20 or 22 digits"),
    "USPS": (
        # IMpb barcodes: 22 digits (20 on older labels, 26 on some), and a scanned label
        # may lead with its routing code (420 and the ZIP or ZIP+4: 30 or 34 digits).
        re.compile(r"[0-9]{20,22}|[0-9]{26}|[0-9]{30}|[0-9]{34}|[A-Z]{2}[0-9]{9}US", re.I),
        "20 to 22, 26, 30 or 34 digits, or 2 letters, 9 digits and US",
    ),
    "DHL": (re.compile(r"[0-9]{10}"), "10 digits"),
}
ALIASES = {
    "UNITEDPARCELSERVICE": "UPS",
    "FEDERALEXPRESS": "FEDEX",
    "UNITEDSTATESPOSTALSERVICE": "USPS",
    "DHLEXPRESS": "DHL",
}
NAMES = {"UPS": "UPS", "FEDEX": "FedEx", "USPS": "USPS", "DHL": "DHL"}


def known_carrier(carrier: str) -> str | None:
    """The carrier whose format is checked (UPS, FEDEX, USPS, DHL) for a supplier's carrier
    name ("FedEx", "Federal Express", "united parcel service"...), or None."""
    key = re.sub(r"[^A-Z]", "", carrier.upper())
    key = ALIASES.get(key, key)
    return key if key in FORMATS else None


def clip(value: str) -> str:
    """A tracking value fit to name a record: its first 40 characters, control characters
    visible."""
    return visible(value if len(value) <= SHOWN else value[:SHOWN] + "…")


def shown(value: str) -> str:
    """A value quoted in an error (`clip`, in quotes)."""
    return repr(clip(value))


def tracking_problem(number: str, carrier: str = "") -> str | None:
    """Why `number` cannot be sent as `carrier`'s tracking number, or None."""
    value = number.strip()
    if not value:
        return "the tracking number is empty"
    if LINK.match(value):
        return f"the tracking number {shown(value)} is a link, not a number"
    if len([part for part in SEPARATORS.split(value) if part]) > 1:
        return (
            f"the tracking number field holds several numbers ({shown(value)}); "
            "send one per shipment"
        )
    if len(value) > MAX_LENGTH:
        return f"the tracking number is too long ({len(value)} characters; at most {MAX_LENGTH})"
    if not ANY_CARRIER.fullmatch(value):
        return (
            f"the tracking number {shown(value)} is malformed "
            f"(4 to {MAX_LENGTH} letters, digits and dashes)"
        )
    key = known_carrier(carrier)
    if key is not None:
        pattern, words = FORMATS[key]
        if not pattern.fullmatch(value):
            return (
                f"the tracking number {shown(value)} does not match {NAMES[key]}'s format ({words})"
            )
    return None
