"""Writing the Recent Notifications feed (the logging sink batches into this)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from ..models import Notification


def insert_notifications(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Bulk insert; each row has at least level, event, message (at/data optional)."""
    if rows:
        session.execute(sa.insert(Notification), list(rows))
