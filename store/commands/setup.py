"""Setting a business up: connections (secrets sealed), sources, channels, integrations."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from ..crypto import SecretBox
from ..models import Channel, Connection, Integration, Source
from ..models._types import utcnow


def save_connection(
    session: Session,
    box: SecretBox,
    *,
    name: str,
    system: str,
    base_url: str,
    secrets: dict[str, str],
) -> Connection:
    """Create or update the connection `name`; secrets are stored encrypted only."""
    conn = session.scalars(sa.select(Connection).where(Connection.name == name)).first()
    if conn is None:
        conn = Connection(name=name, system=system, base_url=base_url)
    conn.system = system
    conn.base_url = base_url.rstrip("/")
    conn.secrets = box.seal(secrets)
    session.add(conn)
    session.flush()
    return conn


def ensure_source(
    session: Session, *, name: str, kind: str, connection: Connection | None, **fields: Any
) -> Source:
    source = session.scalars(sa.select(Source).where(Source.name == name)).first()
    if source is None:
        source = Source(name=name, kind=kind)
    source.connection_id = connection.id if connection else None
    for key, value in fields.items():
        setattr(source, key, value)
    session.add(source)
    session.flush()
    return source


def ensure_channel(
    session: Session, *, name: str, kind: str, connection: Connection | None, **fields: Any
) -> Channel:
    channel = session.scalars(sa.select(Channel).where(Channel.name == name)).first()
    if channel is None:
        channel = Channel(name=name, kind=kind)
    channel.connection_id = connection.id if connection else None
    for key, value in fields.items():
        setattr(channel, key, value)
    session.add(channel)
    session.flush()
    return channel


def ensure_integration(
    session: Session,
    owner: Source | Channel,
    kind: str,
    *,
    settings: dict[str, Any] | None = None,
    schedule_type: str = "manual",
    schedule_value: str = "",
) -> Integration:
    """The integration `<owner>/<kind>`, created or updated."""
    name = f"{owner.name}/{kind}"
    integration = session.scalars(sa.select(Integration).where(Integration.name == name)).first()
    if integration is None:
        integration = Integration(name=name, kind=kind)
    if isinstance(owner, Source):
        integration.source_id = owner.id
    else:
        integration.channel_id = owner.id
    integration.settings = dict(settings or {})
    integration.schedule_type = schedule_type
    integration.schedule_value = schedule_value
    integration.updated_at = utcnow()
    session.add(integration)
    session.flush()
    return integration
