"""Helpers for the in-memory records sandboxes keep: private keys the API never shows."""

from __future__ import annotations

from typing import Any


def public(record: dict[str, Any]) -> dict[str, Any]:
    """`record` without the sandbox's private `_` keys (datetimes kept for filtering, ...)."""
    return {k: v for k, v in record.items() if not k.startswith("_")}
