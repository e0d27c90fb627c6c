"""How operations are configured: integrations, mapping templates, shipping mappings."""

# No `from __future__ import annotations` in the model modules: pydantic would compile and
# eval every field's annotation string when the class is made, on every command's start.

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from ..states import IntegrationKind as IntegrationKind
from ..states import ScheduleType as ScheduleType
from ._types import TableModel, json_field, row_version, when


class Integration(TableModel, table=True):
    """One operation configured on a source or a channel."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    kind: str
    source_id: int | None = Field(default=None, foreign_key="source.id", index=True)
    channel_id: int | None = Field(default=None, foreign_key="channel.id", index=True)
    settings: dict[str, Any] = json_field()
    schedule_type: str = ScheduleType.MANUAL
    schedule_value: str = ""
    enabled: bool = True
    paused_reason: str | None = None
    paused_at: datetime | None = when(nullable=True)
    consecutive_failures: int = 0
    last_success_at: datetime | None = when(nullable=True)
    created_at: datetime = when(default_now=True)
    updated_at: datetime = when(default_now=True)
    version: int = row_version()


class MappingTemplate(TableModel, table=True):
    """Target field -> rule (don't map, empty, field path, constant, mapping set)."""

    __tablename__ = "mapping_template"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    target: str
    system: str | None = None  # whose fields it maps (wps, usdirect); None: not said
    rules: dict[str, Any] = json_field()
    mapping_sets: dict[str, Any] = json_field()


class ShippingMapping(TableModel, table=True):
    """Channel scope: shipping text key -> policy. Source scope: policy -> carrier code."""

    __tablename__ = "shipping_mapping"
    __table_args__ = (
        sa.UniqueConstraint("scope", "owner_id", "key", name="uq_shipping_mapping_scope_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    scope: str  # "channel" or "source"
    owner_id: int
    key: str
    value: str
