"""`t` on Sources/Channels: Test Connection for the selected owner's connection.

The store read (and opening the sealed secrets) runs in a thread; the check itself is the
connector's, through the registry, and says in one line what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col

from connectors.registry import check_connection
from store.crypto import SecretBox
from store.models import Channel, Connection, Source

from .. import store_access
from .base import Pane


@dataclass(frozen=True)
class OwnerConnection:
    name: str
    system: str
    base_url: str
    secrets: dict[str, str]


def owner_connection(session: Session, owner: str, box: SecretBox) -> OwnerConnection:
    """The connection the source or channel `owner` runs on, with its secrets opened."""
    models: tuple[type[Source] | type[Channel], ...] = (Source, Channel)
    for model in models:
        found = session.execute(
            sa.select(col(model.connection_id)).where(col(model.name) == owner)
        ).first()
        if found is not None:
            connection_id = found[0]
            conn = session.get(Connection, connection_id) if connection_id else None
            if conn is None:
                break
            return OwnerConnection(
                conn.name, conn.system, conn.base_url, dict(box.open(conn.secrets))
            )
    raise LookupError(f"{owner} has no connection to test")


async def test_owner_connection(pane: Pane, owner: str | None) -> None:
    """Run the check and notify its one line (an error notification when it fails)."""
    if owner is None:
        pane.app.notify("No source or channel selected", severity="warning")
        return
    box = SecretBox(pane.db.settings.home)
    try:
        conn = await store_access.read(pane.db, owner_connection, owner, box)
    except LookupError as exc:
        pane.app.notify(str(exc), severity="error", markup=False)
        return
    pane.app.notify(f"Testing connection {conn.name}…", markup=False)
    result = await check_connection(conn.system, conn.base_url, conn.secrets)
    if result.ok:
        pane.app.notify(f"{conn.name}: ok — {result.detail}", markup=False)
    else:
        pane.app.notify(
            result.detail,
            title=f"Test connection {conn.name} failed",
            severity="error",
            markup=False,
        )
