"""Alembic environment: SQLModel metadata, batch mode for SQLite, engine from the caller."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from store.models import SQLModel

config = context.config
target_metadata = SQLModel.metadata


def run_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    engine: sa.Engine | None = config.attributes.get("engine")
    if engine is None:
        engine = sa.create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as connection:
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True
        )
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                # Two processes opening a database that is behind: one upgrades, the other
                # waits here and then finds nothing left to do (SQLite: BEGIN IMMEDIATE).
                connection.execute(
                    sa.text("SELECT pg_advisory_xact_lock(hashtext('dropdeck-migrate'))")
                )
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
