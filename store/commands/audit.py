"""The audit trail: every operator action, who did it, before and after."""

from __future__ import annotations

import getpass
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from ..models import AuditEvent
from ..models._types import utcnow


def operator_name(surface: str) -> str:
    """`alice@console`, `alice@cli`: the OS user plus where they acted from."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{user}@{surface}"


def record_audit(
    session: Session,
    *,
    actor: str,
    action: str,
    record_type: str,
    changes: Iterable[tuple[str, dict[str, Any], dict[str, Any]]],
) -> int:
    """Insert one audit row per (record_id, before, after), set-based. Returns the count."""
    at = utcnow()
    rows = [
        {
            "at": at,
            "actor": actor,
            "action": action,
            "record_type": record_type,
            "record_id": record_id,
            "before": before,
            "after": after,
        }
        for record_id, before, after in changes
    ]
    if rows:
        session.execute(sa.insert(AuditEvent), rows)
    return len(rows)
