"""The parent SKU of a WPS product's variants (docs/wps.md, "Parent SKU").

WPS products have no SKU of their own. The guide's example: variant `87-4446-BK-L` (size
L, colour BK) has parent `87-4446`. So the parent is the product's items' common SKU stem,
cut at a separator (`-`, `_`, `.`, `/` or a space): the longest common start of all the
product's SKUs that every one of them continues with a separator. When WPS data does not
give one — a product with a single item, SKUs with no common stem at a separator, a stem
that is another item's SKU or another product's stem too — the parent is `P<product id>`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

SEPARATORS = frozenset("-_./ ")
_FALLBACK = re.compile(r"P[0-9]+")


def fallback(product_id: int) -> str:
    """The parent SKU when the product's SKUs give none."""
    return f"P{product_id}"


def common_stem(skus: Sequence[str]) -> str | None:
    """The common stem of two or more SKUs, cut at a separator; None when there is none."""
    if len(skus) < 2:
        return None
    prefix = min(skus)  # the common start of all is the common start of min and max
    last = max(skus)
    size = next((i for i, (a, b) in enumerate(zip(prefix, last, strict=False)) if a != b), None)
    prefix = prefix[: len(prefix) if size is None else size]
    for end in range(len(prefix), 0, -1):
        if end < len(prefix):
            at_separator = prefix[end] in SEPARATORS
        else:  # every SKU goes on with a separator, not necessarily the same one
            at_separator = all(len(s) > end and s[end] in SEPARATORS for s in skus)
        if at_separator:
            stem = prefix[:end].rstrip("".join(SEPARATORS))
            if any(ch.isalnum() for ch in stem):
                return stem
            return None
    return None


def product_skus(items: Iterable[Any]) -> dict[int, list[str]]:
    """product id → its items' SKUs, from `GET /items` records (odd records are left out)."""
    out: dict[int, list[str]] = {}
    for item in items:
        if not isinstance(item, Mapping):
            continue
        product_id, sku = item.get("product_id"), item.get("sku")
        if type(product_id) is not int or not isinstance(sku, str) or not sku.strip():
            continue
        out.setdefault(product_id, []).append(sku.strip())
    return out


def parent_skus(products: Mapping[int, Sequence[str]]) -> dict[int, str]:
    """product id → parent SKU, for products whose stem is theirs alone (others: fallback).

    A stem is refused when it is any item's SKU (a stand-alone item is its own parent), the
    stem of another product too, or looks like a fallback (`P123`).
    """
    every_sku = {sku for skus in products.values() for sku in skus}
    stems: dict[int, str] = {}
    owners: dict[str, int] = {}
    for product_id, skus in products.items():
        stem = common_stem(skus)
        if stem is None or stem in every_sku or _FALLBACK.fullmatch(stem):
            continue
        owners[stem] = owners.get(stem, 0) + 1
        stems[product_id] = stem
    return {pid: stem for pid, stem in stems.items() if owners[stem] == 1}
