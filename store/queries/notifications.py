"""The Recent Notifications feed: read by id so any process's writes show up."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from sqlmodel import Session, col

from ..models import Notification

LEVELS = ("debug", "info", "warning", "error", "critical")


def level_at_least(level: str) -> list[str]:
    """The level names at or above `level` (`warning` -> warning, error, critical)."""
    threshold = logging.getLevelNamesMapping()[level.upper()]
    return [name for name in LEVELS if logging.getLevelNamesMapping()[name.upper()] >= threshold]


def notifications_after(
    session: Session,
    after_id: int = 0,
    *,
    min_level: str | None = None,
    limit: int = 500,
) -> list[Notification]:
    """Notifications with id > after_id, oldest first."""
    stmt = sa.select(Notification).where(col(Notification.id) > after_id)
    if min_level:
        stmt = stmt.where(col(Notification.level).in_(level_at_least(min_level)))
    return list(session.scalars(stmt.order_by(col(Notification.id)).limit(limit)))


def recent_notifications(
    session: Session, *, limit: int = 200, min_level: str | None = None
) -> list[Notification]:
    """The latest `limit` notifications, oldest first."""
    stmt = sa.select(Notification)
    if min_level:
        stmt = stmt.where(col(Notification.level).in_(level_at_least(min_level)))
    rows = list(session.scalars(stmt.order_by(col(Notification.id).desc()).limit(limit)))
    rows.reverse()
    return rows
