"""Channel shipping text -> the key of a channel shipping mapping, the same for every channel.

An order's shipping text ("Flat rate", "  Free   Shipping ") is looked up by this key, and
`dropdeck mappings shipping add --channel` stores keys made by the same function, so what
an operator types matches what an import finds.
"""

from __future__ import annotations

import re

_SPACES = re.compile(r"\s+")


def shipping_key(text: str) -> str:
    """The shipping-mapping key of a shipping text: lowercase, spaces -> `_` (`flat_rate`)."""
    return _SPACES.sub("_", text.strip().lower())
