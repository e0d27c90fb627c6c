"""Setting a business up: connections (secrets sealed), sources, channels, integrations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlmodel import Session, col

from ..crypto import SecretBox
from ..models import Channel, Connection, Integration, ShippingMapping, Source
from ..models._types import utcnow

Owner = TypeVar("Owner", Source, Channel)


def save_connection(
    session: Session,
    box: SecretBox,
    *,
    name: str,
    system: str,
    base_url: str,
    secrets: Mapping[str, str],
) -> Connection:
    """Create or update the connection `name`; secrets are stored encrypted only."""
    conn = session.scalars(sa.select(Connection).where(col(Connection.name) == name)).first()
    if conn is None:
        conn = Connection(name=name, system=system, base_url=base_url)
    conn.system = system
    conn.base_url = base_url.rstrip("/")
    conn.secrets = box.seal(secrets)
    session.add(conn)
    session.flush()
    return conn


def _ensure_owner(
    session: Session,
    model: type[Owner],
    *,
    name: str,
    kind: str,
    connection: Connection | None,
    **fields: Any,
) -> Owner:
    owner = session.scalars(sa.select(model).where(col(model.name) == name)).first()
    if owner is None:
        owner = model(name=name, kind=kind)
    owner.connection_id = connection.id if connection else None
    for key, value in fields.items():
        setattr(owner, key, value)
    session.add(owner)
    session.flush()
    return owner


def ensure_source(
    session: Session, *, name: str, kind: str, connection: Connection | None, **fields: Any
) -> Source:
    """The source `name`, created or updated (fields: priority, sku_prefix, ...)."""
    return _ensure_owner(session, Source, name=name, kind=kind, connection=connection, **fields)


def ensure_channel(
    session: Session, *, name: str, kind: str, connection: Connection | None, **fields: Any
) -> Channel:
    """The channel `name`, created or updated (fields: auto_process, ...)."""
    return _ensure_owner(session, Channel, name=name, kind=kind, connection=connection, **fields)


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
    integration = session.scalars(
        sa.select(Integration).where(col(Integration.name) == name)
    ).first()
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


def connection_users(session: Session, connection_id: int) -> list[str]:
    """The sources and channels that use a connection, as `source NAME` / `channel NAME`."""
    users: list[str] = []
    for model, label in ((Source, "source"), (Channel, "channel")):
        names = session.scalars(
            sa.select(col(model.name))
            .where(col(model.connection_id) == connection_id)
            .order_by(col(model.name))
        )
        users.extend(f"{label} {name}" for name in names)
    return users


def set_shipping_mapping(
    session: Session, *, scope: str, owner_id: int, key: str, value: str
) -> str | None:
    """Map `key` to `value` in one owner's scope; returns the value it had (None if new)."""
    row = _shipping_mapping(session, scope, owner_id, key)
    before = None if row is None else row.value
    if row is None:
        row = ShippingMapping(scope=scope, owner_id=owner_id, key=key, value=value)
    row.value = value
    session.add(row)
    session.flush()
    return before


def remove_shipping_mapping(session: Session, *, scope: str, owner_id: int, key: str) -> str | None:
    """Delete one shipping mapping; returns the value it had (None if there was none)."""
    row = _shipping_mapping(session, scope, owner_id, key)
    if row is None:
        return None
    session.delete(row)
    session.flush()
    return row.value


def _shipping_mapping(
    session: Session, scope: str, owner_id: int, key: str
) -> ShippingMapping | None:
    return session.scalars(
        sa.select(ShippingMapping).where(
            col(ShippingMapping.scope) == scope,
            col(ShippingMapping.owner_id) == owner_id,
            col(ShippingMapping.key) == key,
        )
    ).first()
