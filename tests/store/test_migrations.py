"""The migrations form one line and build exactly the schema the models describe."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from store.db import Database
from store.migrate import alembic_config
from store.models import SQLModel


def test_single_head(db: Database) -> None:
    scripts = ScriptDirectory.from_config(alembic_config(db))
    assert len(scripts.get_heads()) == 1, scripts.get_heads()


def test_schema_matches_models(db: Database) -> None:
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn)
        diff: list[Any] = compare_metadata(ctx, SQLModel.metadata)
    assert diff == []
