"""The Recent Notifications feed: read by id so any process's writes show up."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from sqlmodel import Session

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
    stmt = sa.select(Notification).where(Notification.id > after_id)  # type: ignore[operator]
    if min_level:
        stmt = stmt.where(Notification.level.in_(level_at_least(min_level)))  # type: ignore[attr-defined]
    return list(session.scalars(stmt.order_by(Notification.id).limit(limit)))  # type: ignore[arg-type]


def recent_notifications(
    session: Session, *, limit: int = 200, min_level: str | None = None
) -> list[Notification]:
    """The latest `limit` notifications, oldest first."""
    stmt = sa.select(Notification)
    if min_level:
        stmt = stmt.where(Notification.level.in_(level_at_least(min_level)))  # type: ignore[attr-defined]
    rows = list(session.scalars(stmt.order_by(Notification.id.desc()).limit(limit)))  # type: ignore[union-attr]
    rows.reverse()
    return rows
