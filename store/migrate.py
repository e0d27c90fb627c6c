"""Alembic, driven from code: `dropdeck db upgrade` and the upgrade on open.

Opening looks at the schema revision with a plain read first, so the common case (already
at the latest revision) takes no lock; only a database that is behind is upgraded, in one
transaction of its own.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from .db import Database
from .errors import StoreError

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(db: Database) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = db.engine
    return cfg


def current_revision(db: Database) -> str | None:
    """The database's schema revision (None: no Dropdeck schema yet). Only reads."""
    with db.read_engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade_to_head(db: Database) -> None:
    command.upgrade(alembic_config(db), "head")


def ensure_latest_schema(db: Database) -> None:
    """Upgrade the database if it is behind; refuse one written by a newer Dropdeck."""
    cfg = alembic_config(db)
    scripts = ScriptDirectory.from_config(cfg)
    heads = set(scripts.get_heads())
    current = current_revision(db)
    if current in heads:
        return
    known = {rev.revision for rev in scripts.walk_revisions()}
    if current is not None and current not in known:
        raise StoreError(
            f"the database was written by a newer Dropdeck (schema revision {current}, this "
            f"version knows up to {', '.join(sorted(heads))}); upgrade Dropdeck"
        )
    if db.readonly:
        what = "has no Dropdeck schema yet" if current is None else f"is at revision {current}"
        raise StoreError(
            f"the database {what} and this Dropdeck needs {', '.join(sorted(heads))}; an "
            "operator who may write runs 'dropdeck db upgrade' first"
        )
    command.upgrade(cfg, "head")
