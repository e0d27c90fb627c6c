"""Engines and sessions. SQLite: WAL, busy timeout, 0600 file, `BEGIN IMMEDIATE` for writes.

Two engines share one database: `read()` sessions use a plain `BEGIN` so the console never
waits on a worker; `write()` sessions take SQLite's write lock up front, which avoids the
SQLITE_BUSY_SNAPSHOT failure of a deferred transaction that read before another commit.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlmodel import Session

from .settings import StoreSettings, load_settings

# SQLite keeps NUMERIC as REAL; two-decimal money survives that round trip.
warnings.filterwarnings(
    "ignore", r".*does \*not\* support Decimal objects natively", sa_exc.SAWarning
)


def _create_private_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    os.chmod(path, 0o600)


def _sqlite_engine(url: str, *, immediate: bool) -> sa.Engine:
    engine = sa.create_engine(url, connect_args={"timeout": 10, "check_same_thread": False})

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # SQLAlchemy, not pysqlite, issues BEGIN
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",
            "foreign_keys=ON",
            "busy_timeout=10000",
        ):
            dbapi_conn.execute(f"PRAGMA {pragma}")

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


class Database:
    """The store's handle: owns the engines; hands out short-lived sessions."""

    def __init__(self, settings: StoreSettings | None = None) -> None:
        self.settings = settings or load_settings()
        url = self.settings.database_url
        if self.settings.is_sqlite:
            path = self.settings.sqlite_path
            assert path is not None
            _create_private_file(path)
            self.engine = _sqlite_engine(url, immediate=True)
            self.read_engine = _sqlite_engine(url, immediate=False)
        else:
            self.engine = sa.create_engine(url, pool_pre_ping=True, insertmanyvalues_page_size=5000)
            self.read_engine = self.engine

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A transaction that commits on success and rolls back on any error."""
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        # Closing (not rolling back) ends the transaction without expiring loaded rows.
        with Session(self.read_engine, expire_on_commit=False) as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
        if self.read_engine is not self.engine:
            self.read_engine.dispose()


def open_database(settings: StoreSettings | None = None, *, upgrade: bool = True) -> Database:
    """Open the store, bringing a new or old database up to the latest schema."""
    db = Database(settings)
    if upgrade:
        from .migrate import upgrade_to_head

        upgrade_to_head(db)
    return db
