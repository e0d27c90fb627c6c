"""Credential parsing the sandboxes share (each still answers failures in its own style)."""

from __future__ import annotations

BEARER = "Bearer "


def bearer_token(authorization: str) -> str | None:
    """The token of an `Authorization: Bearer <token>` value (scheme case-sensitive), or None."""
    return authorization[len(BEARER) :] if authorization.startswith(BEARER) else None
