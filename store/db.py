"""Engines and sessions. SQLite: WAL, busy timeout, `BEGIN IMMEDIATE` for writes.

Two engines share one database: `read()` sessions use a plain `BEGIN` so the console never
waits on a worker; `write()` sessions take SQLite's write lock up front, which avoids the
SQLITE_BUSY_SNAPSHOT failure of a deferred transaction that read before another commit.

A read-only `Database` (read-only operators, `dropdeck --readonly`) never creates a file and
is refused every write by the database itself: SQLite's `query_only`, PostgreSQL's
`default_transaction_read_only`.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from . import changes
from .errors import StoreError
from .settings import StoreSettings, load_settings

if TYPE_CHECKING:
    from sqlmodel import Session

# SQLite keeps NUMERIC as REAL; two-decimal money survives that round trip.
warnings.filterwarnings(
    "ignore", r".*does \*not\* support Decimal objects natively", sa_exc.SAWarning
)


def _create_private_file(path: Path) -> None:
    """Create the database file 0600 (secrets live in it); an existing file keeps the mode
    its owner gave it."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def _sqlite_engine(url: str, *, immediate: bool, readonly: bool, busy_seconds: float) -> sa.Engine:
    engine = sa.create_engine(
        url, connect_args={"timeout": busy_seconds, "check_same_thread": False}
    )
    pragmas = [f"busy_timeout={int(busy_seconds * 1000)}", "foreign_keys=ON"]
    # journal_mode=WAL is a write the first time; a read-only handle leaves the file as it is.
    pragmas += ["query_only=ON"] if readonly else ["journal_mode=WAL", "synchronous=NORMAL"]

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # SQLAlchemy, not pysqlite, issues BEGIN
        for pragma in pragmas:
            dbapi_conn.execute(f"PRAGMA {pragma}")

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate and not readonly else "BEGIN")

    return engine


def _postgres_engine(url: str, *, readonly: bool) -> sa.Engine:
    engine = sa.create_engine(url, pool_pre_ping=True, insertmanyvalues_page_size=5000)
    if readonly:

        @sa.event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            with dbapi_conn.cursor() as cursor:
                cursor.execute("SET default_transaction_read_only = on")
            dbapi_conn.commit()

    return engine


class Database:
    """The store's handle: owns the engines; hands out short-lived sessions."""

    def __init__(self, settings: StoreSettings | None = None, *, readonly: bool = False) -> None:
        self.settings = settings or load_settings()
        self.readonly = readonly
        url = self.settings.database_url
        if self.settings.is_sqlite:
            path = self.settings.sqlite_path
            assert path is not None
            if readonly and not path.exists():
                raise StoreError(
                    f"there is no Dropdeck database at {path} yet; an operator who may write "
                    "creates it with 'dropdeck db upgrade' (or 'dropdeck demo' to try one)"
                )
            if not readonly:
                _create_private_file(path)
            busy = self.settings.busy_timeout_seconds
            self.engine = _sqlite_engine(url, immediate=True, readonly=readonly, busy_seconds=busy)
            self.read_engine = _sqlite_engine(
                url, immediate=False, readonly=readonly, busy_seconds=busy
            )
        else:
            self.engine = _postgres_engine(url, readonly=readonly)
            self.read_engine = self.engine
        if not readonly:  # a read-only handle writes nothing to count
            changes.install(self.engine)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A transaction that commits on success and rolls back on any error."""
        from sqlmodel import Session  # loaded on first use: see `connect`

        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        from sqlmodel import Session

        # Closing (not rolling back) ends the transaction without expiring loaded rows.
        with Session(self.read_engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def connect(self, *, write: bool = False) -> Iterator[sa.Connection]:
        """A Core connection in one transaction (committed on success), for a caller that
        needs no ORM: opening the store and this load neither SQLModel, pydantic nor the
        model classes, which are most of a short command's start (`dropdeck about`)."""
        engine = self.engine if write else self.read_engine
        with engine.begin() as conn:
            yield conn

    def dispose(self) -> None:
        self.engine.dispose()
        if self.read_engine is not self.engine:
            self.read_engine.dispose()


def open_database(
    settings: StoreSettings | None = None, *, upgrade: bool = True, readonly: bool = False
) -> Database:
    """Open the store. Unless `upgrade` is False, a new or old database is brought to the
    latest schema in its own short transaction; one already there is only read. Raises
    `StoreError` for a schema newer than this Dropdeck (or behind, when read-only)."""
    db = Database(settings, readonly=readonly)
    if upgrade:
        from .migrate import ensure_latest_schema

        try:
            ensure_latest_schema(db)
        except BaseException:
            db.dispose()
            raise
    return db
