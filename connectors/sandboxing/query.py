"""PHP-style query strings (`a[b][c]=v`, `a[]=v`, last duplicate wins), as `$_GET` sees them.

WooCommerce signs and Magento reads `searchCriteria[...]` from exactly this structure.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

_KEY_RE = re.compile(r"\[([^\]]*)\]")


def php_query(raw: str) -> dict[str, Any]:
    """Parse a query string the way PHP fills `$_GET` (nested brackets, last value wins)."""
    out: dict[str, Any] = {}
    for key, value in parse_qsl(raw, keep_blank_values=True):
        base, _, rest = key.partition("[")
        if not rest:
            out[key] = value
            continue
        parts = [base, *_KEY_RE.findall("[" + rest)]
        node = out
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if part == "":  # `a[]=x` appends
                part = str(len(node))
            if last:
                node[part] = value
            else:
                child = node.get(part)
                if not isinstance(child, dict):
                    child = node[part] = {}
                node = child
    return out
