"""Alembic, driven from code: `dropdeck db upgrade` and automatic upgrade on open."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from .db import Database

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(db: Database) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = db.engine
    return cfg


def upgrade_to_head(db: Database) -> None:
    command.upgrade(alembic_config(db), "head")
