"""What every table shares: its base class, aware UTC datetimes, JSON, money."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel
from sqlmodel._compat import SQLModelConfig

from ..coltypes import UTCDateTime as UTCDateTime
from ..coltypes import utcnow as utcnow


class TableModel(SQLModel):
    """Base of every table: SQLModel sets `__table__` on table models, its types do not say so."""

    __table__: ClassVar[sa.Table]
    # Pydantic builds a model's validator when one is first needed, not at import: tables
    # are written through SQLAlchemy, and every CLI command imports all of them (its start).
    model_config = SQLModelConfig(defer_build=True)


def when(*, nullable: bool = False, index: bool = False, default_now: bool = False) -> Any:
    """A timestamp column; `default_now` fills it at insert time."""
    return Field(
        default_factory=utcnow if default_now else None,
        sa_type=UTCDateTime,
        nullable=nullable,
        index=index,
    )


def row_version() -> Any:
    """How many times what an operator acts on changed in the row (its state, flags,
    links): the database's trigger bumps it (migrations 0011, 0013), never the code; an
    operator's action compares-and-sets against it."""
    return Field(default=0, nullable=False, sa_column_kwargs={"server_default": "0"})


def json_field(default: type[dict[str, Any]] | type[list[Any]] = dict) -> Any:
    return Field(default_factory=default, sa_type=sa.JSON, nullable=False)


def details_field() -> Any:
    """A JSON object defaulting to {} on both sides, so rows written without it still fit."""
    return Field(
        default_factory=dict,
        sa_type=sa.JSON,
        nullable=False,
        sa_column_kwargs={"server_default": sa.text("'{}'")},
    )


def money(*, nullable: bool = True) -> Any:
    return Field(default=None, sa_type=sa.Numeric(12, 2, asdecimal=True), nullable=nullable)


Money = Decimal
