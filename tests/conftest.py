"""Shared fixtures: a fresh store on SQLite, and on the local PostgreSQL (own schema per test).

PostgreSQL tests are skipped with a reason when the server is unreachable, except under
CI=true, where an unreachable server is a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from store.db import Database, open_database
from store.settings import StoreSettings

PG_ADMIN_URL = os.environ.get(
    "DROPDECK_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test touches the operator's real data dir or database."""
    home = tmp_path / "home"
    monkeypatch.setenv("DROPDECK_HOME", str(home))
    monkeypatch.delenv("DROPDECK_DATABASE_URL", raising=False)
    monkeypatch.delenv("DROPDECK_ROLE", raising=False)
    monkeypatch.setenv("DROPDECK_CONFIG", str(tmp_path / "config.toml"))  # none: an operator
    monkeypatch.setenv("DROPDECK_SECRET_KEY", "ZmFrZS1rZXktZm9yLXRlc3RzLW9ubHktMzJieXRlcyE=")
    return home


def _pg_reachable() -> str | None:
    try:
        engine = sa.create_engine(PG_ADMIN_URL)
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
        engine.dispose()
    except Exception as exc:  # any failure to connect means "not here"
        return f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    return None


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    problem = _pg_reachable()
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL at {PG_ADMIN_URL} unreachable under CI: {problem}")
        pytest.skip(f"PostgreSQL at 127.0.0.1:5432 unreachable ({problem}); CI runs these")
    return PG_ADMIN_URL


@pytest.fixture
def postgres_url(postgres_admin_url: str) -> Iterator[str]:
    """A database URL whose search_path is a fresh schema, dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{postgres_admin_url}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def sqlite_url(_isolated_home: Path) -> str:
    return f"sqlite:///{_isolated_home / 'dropdeck.db'}"


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest) -> str:
    """Runs the test once per database."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(name))


def _open(url: str, home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    monkeypatch.setenv("DROPDECK_DATABASE_URL", url)
    db = open_database(StoreSettings(home=home, database_url=url))
    try:
        yield db
    finally:
        db.dispose()


@pytest.fixture
def db(db_url: str, _isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """A migrated, empty store on SQLite and then on PostgreSQL."""
    yield from _open(db_url, _isolated_home, monkeypatch)


@pytest.fixture
def sqlite_db(
    sqlite_url: str, _isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Database]:
    """A migrated, empty SQLite store at $DROPDECK_HOME/dropdeck.db."""
    yield from _open(sqlite_url, _isolated_home, monkeypatch)
