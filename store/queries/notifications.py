"""The Recent Notifications feed: read by id so any process's writes show up."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, TypeAlias

import sqlalchemy as sa

from .. import tables

if TYPE_CHECKING:
    from ..tables import Reader

NotificationRow: TypeAlias = "sa.Row[Any]"
"""A notification's columns by name (`n.level`, `n.message`, ...): a Core row."""

LEVELS = ("debug", "info", "warning", "error", "critical")


def level_at_least(level: str) -> list[str]:
    """The level names at or above `level` (`warning` -> warning, error, critical)."""
    threshold = logging.getLevelNamesMapping()[level.upper()]
    return [name for name in LEVELS if logging.getLevelNamesMapping()[name.upper()] >= threshold]


def notifications_after(
    session: Reader,
    after_id: int = 0,
    *,
    min_level: str | None = None,
    limit: int = 500,
) -> list[NotificationRow]:
    """Notifications with id > after_id, oldest first (rows with the table's columns)."""
    stmt = sa.select(tables.notification).where(tables.notification.c.id > after_id)
    if min_level:
        stmt = stmt.where(tables.notification.c.level.in_(level_at_least(min_level)))
    return list(session.execute(stmt.order_by(tables.notification.c.id).limit(limit)))


def recent_notifications(
    session: Reader, *, limit: int = 200, min_level: str | None = None
) -> list[NotificationRow]:
    """The latest `limit` notifications, oldest first."""
    stmt = sa.select(tables.notification)
    if min_level:
        stmt = stmt.where(tables.notification.c.level.in_(level_at_least(min_level)))
    rows = list(session.execute(stmt.order_by(tables.notification.c.id.desc()).limit(limit)))
    rows.reverse()
    return rows
