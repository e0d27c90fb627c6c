"""Alembic, driven from code: `dropdeck db upgrade` and the upgrade on open.

Opening looks at the schema revision with a plain read first, so the common case (already
at the latest revision) takes no lock; only a database that is behind is upgraded, in one
transaction of its own.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

from .db import Database
from .errors import StoreError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
# `revision: str = "0007"` and `down_revision: str | None = "0006"` (or a tuple, or None).
_REVISION = re.compile(r"^(down_revision|revision)\b[^=\n]*=(.*)$", re.MULTILINE)


def alembic_config(db: Database) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = db.engine
    return cfg


def current_revision(db: Database) -> str | None:
    """The database's schema revision (None: no Dropdeck schema yet). Only reads."""
    from alembic.runtime.migration import MigrationContext

    with db.read_engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade_to_head(db: Database) -> None:
    from alembic import command

    command.upgrade(alembic_config(db), "head")


def script_heads() -> set[str] | None:
    """The head revisions of the migration scripts, read as text: every process opening the
    store asks, and importing alembic to answer costs a CLI command most of its start. None
    when a script does not read as expected (alembic then answers)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        found = dict(_REVISION.findall(path.read_text(encoding="utf-8")))
        revision = re.findall(r"[\"']([^\"']+)[\"']", found.get("revision", ""))
        if len(revision) != 1 or "down_revision" not in found:
            return None
        revisions.add(revision[0])
        parents.update(re.findall(r"[\"']([^\"']+)[\"']", found["down_revision"]))
    heads = revisions - parents
    return heads or None


def _stored_revisions(db: Database) -> set[str] | None:
    """The revisions in the database's alembic_version table; None if it cannot be read
    (no such table yet: alembic then answers)."""
    try:
        with db.read_engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT version_num FROM alembic_version"))
            return {str(r[0]) for r in rows}
    except sa.exc.DBAPIError:
        return None


def ensure_latest_schema(db: Database) -> None:
    """Upgrade the database if it is behind; refuse one written by a newer Dropdeck."""
    heads = script_heads()
    if heads is not None and _stored_revisions(db) == heads:
        return  # the common case, decided without alembic
    from alembic import command
    from alembic.script import ScriptDirectory

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
