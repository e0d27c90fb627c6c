"""Database trouble as one line that says what to do.

`StoreError` is raised by the store itself (no database yet, a schema newer than this
Dropdeck); `explain` turns a driver error (SQLite, psycopg) into the same kind of line. The
CLI prints either and exits 1; anything else is a bug and keeps its type name.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

import sqlalchemy as sa

if TYPE_CHECKING:
    from .settings import StoreSettings


class StoreError(Exception):
    """The database cannot be used as asked; the message says what to do."""


def _driver_error(exc: BaseException) -> BaseException | None:
    """The DBAPI exception behind `exc` (SQLAlchemy wraps it; connect hooks may not)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, sa.exc.DBAPIError) and current.orig is not None:
            return current.orig
        if isinstance(current, sqlite3.Error) or type(current).__module__.startswith("psycopg"):
            return current
        current = current.__cause__ or current.__context__
    return None


def _where(settings: StoreSettings) -> str:
    if settings.sqlite_path is not None:
        return str(settings.sqlite_path)
    return sa.make_url(settings.database_url).render_as_string(hide_password=True)


def _sqlite(error: sqlite3.Error, settings: StoreSettings) -> str | None:
    text = str(error).lower()
    where = _where(settings)
    if "locked" in text or "busy" in text:
        return (
            f"the database {where} is busy: another Dropdeck process (a worker, an import) "
            f"held its write lock for {settings.busy_timeout_seconds:g} s; nothing was "
            "changed, try again in a moment"
        )
    if "disk is full" in text or "disk i/o error" in text:
        return (
            f"cannot write the database {where}: the disk is full or failing; "
            "free some space (df -h), then try again; nothing was changed"
        )
    if "not a database" in text or "malformed" in text or "encrypted" in text:
        return (
            f"{where} is not a readable Dropdeck database (damaged, or not SQLite); "
            "restore it from a backup, or move it away to start a new one"
        )
    if "readonly database" in text or "read-only" in text:
        return (
            f"the database {where} is open read-only (read-only operator, or a file or "
            "folder this user may not write); nothing was changed"
        )
    if "unable to open database file" in text:
        return (
            f"cannot open the database {where}: check that its folder exists and this "
            "user may read and write it (or set DROPDECK_HOME / DROPDECK_DATABASE_URL)"
        )
    return None


_PG_STATES = {
    "25006": "the database session is read-only; nothing was changed",
    "42501": "the database user {user} may not make this change (permission denied: "
    "a read-only role?); nothing was changed",
    "53100": "the PostgreSQL server's disk is full; free space on the server, then try "
    "again; nothing was changed",
    "55P03": "the database is busy (a lock could not be taken); try again in a moment",
    "57P03": "the PostgreSQL server is starting up or shutting down; try again shortly",
    "3D000": "the database named in DROPDECK_DATABASE_URL does not exist; create it "
    "(createdb) or fix the URL",
    "28P01": "PostgreSQL refused the password of user {user}; fix DROPDECK_DATABASE_URL",
    "28000": "PostgreSQL refused user {user}; fix DROPDECK_DATABASE_URL or pg_hba.conf",
}


def _postgres(error: BaseException, settings: StoreSettings) -> str | None:
    url = sa.make_url(settings.database_url)
    state = getattr(error, "sqlstate", None)
    if state in _PG_STATES:
        return f"{_where(settings)}: " + _PG_STATES[state].format(user=url.username or "?")
    if type(error).__name__ == "OperationalError" and state is None:
        first = str(error).strip().splitlines()[0] if str(error).strip() else ""
        return (
            f"cannot reach the PostgreSQL server of {_where(settings)} ({first}); "
            "check that it is running and that DROPDECK_DATABASE_URL is right"
        )
    return None


def explain(exc: BaseException, settings: StoreSettings) -> str | None:
    """One line saying what went wrong with the database and what to do; None if `exc` is
    not database trouble (a bug, or an error of the caller's own)."""
    if isinstance(exc, StoreError):
        return str(exc)
    error = _driver_error(exc)
    if isinstance(error, sqlite3.Error):
        return _sqlite(error, settings)
    if error is not None:
        return _postgres(error, settings)
    return None
