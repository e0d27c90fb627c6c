"""Database trouble is one line that says what to do, and read commands do not write:
a held write lock, a schema newer than this Dropdeck, a damaged file, a full disk."""

from __future__ import annotations

import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command

from console.cli import main
from console.runtime.demo_data import seed_demo_business
from store.db import Database, open_database
from store.errors import StoreError
from store.migrate import alembic_config, current_revision
from store.models import AuditEvent, ListingVariant
from store.settings import StoreSettings

FIRST_REVISION = "0001"


def one_line(err: str) -> str:
    assert err.startswith("dropdeck: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


@pytest.fixture
def write_lock(sqlite_db: Database) -> Iterator[sqlite3.Connection]:
    """Another process's write transaction, held open (what a long import does)."""
    path = sqlite_db.settings.sqlite_path
    holder = sqlite3.connect(str(path), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("UPDATE alembic_version SET version_num = version_num")
    yield holder
    holder.execute("ROLLBACK")
    holder.close()


def test_read_commands_work_while_another_process_holds_the_write_lock(
    sqlite_db: Database,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    seed_demo_business(sqlite_db, listings=20, orders=5)
    monkeypatch.setenv("DROPDECK_BUSY_TIMEOUT_SECONDS", "0.5")
    capsys.readouterr()
    request.getfixturevalue("write_lock")
    for argv in (["orders"], ["listings"], ["integrations", "list"], ["notifications"]):
        assert main(argv) == 0, capsys.readouterr().err
    assert "wps-demo" in capsys.readouterr().out
    # A change cannot wait for ever: it gives up with one line saying why.
    assert main(["integrations", "pause", "wps-demo/send_orders"]) == 1
    err = one_line(capsys.readouterr().err)
    assert "is busy: another Dropdeck process" in err and "held its write lock for 0.5 s" in err


def test_a_schema_newer_than_this_dropdeck_is_refused_with_what_to_do(
    db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    with db.write() as session:
        session.execute(sa.text("UPDATE alembic_version SET version_num = '9999_future'"))
    assert main(["orders"]) == 1
    err = one_line(capsys.readouterr().err)
    assert "written by a newer Dropdeck (schema revision 9999_future" in err
    assert err.rstrip().endswith("upgrade Dropdeck")
    assert current_revision(db) == "9999_future"  # and nothing was "upgraded" over it


def test_a_schema_behind_is_upgraded_on_open_but_not_by_a_read_only_handle(
    db: Database,
) -> None:
    command.downgrade(alembic_config(db), FIRST_REVISION)
    assert current_revision(db) == FIRST_REVISION
    with pytest.raises(StoreError, match="'dropdeck db upgrade' first"):
        open_database(db.settings, readonly=True)
    assert current_revision(db) == FIRST_REVISION
    open_database(db.settings).dispose()
    assert current_revision(db) != FIRST_REVISION
    reopened = open_database(db.settings, readonly=True)  # at the latest: reading is fine
    with reopened.read() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0
    reopened.dispose()


def test_a_damaged_database_file_is_one_line(
    sqlite_url: str, _isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _isolated_home.mkdir(parents=True)
    (_isolated_home / "dropdeck.db").write_bytes(b"not a database, just bytes\n" * 200)
    assert main(["orders"]) == 1
    err = one_line(capsys.readouterr().err)
    assert "is not a readable Dropdeck database" in err and "restore it from a backup" in err


def test_a_full_disk_is_one_line_and_changes_nothing(
    sqlite_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    """SQLite's own SQLITE_FULL, raised by capping the file at its current size (what a
    full file system does to a growing database), not a mocked exception."""
    seed_demo_business(sqlite_db, listings=300, orders=2)
    with sqlite_db.read() as session:
        skus = list(session.scalars(sa.select(ListingVariant.sku)))
        before = session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
        paused = session.scalar(sa.select(sa.func.count()).where(ListingVariant.paused.is_(True)))
        pages = session.scalar(sa.text("PRAGMA page_count"))

    def cap(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages}")

    sa.event.listen(sa.pool.Pool, "connect", cap)
    try:
        code = main(["listings", "pause", *skus])  # one audit row per listing: new pages
    finally:
        sa.event.remove(sa.pool.Pool, "connect", cap)
    assert code == 1
    err = one_line(capsys.readouterr().err)
    assert "the disk is full or failing; free some space" in err
    with sqlite_db.read() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == before
        assert (
            session.scalar(sa.select(sa.func.count()).where(ListingVariant.paused.is_(True)))
            == paused
        )


def test_opening_keeps_the_mode_of_an_existing_file_and_creates_new_ones_0600(
    _isolated_home: Path,
) -> None:
    path = _isolated_home / "dropdeck.db"
    settings = StoreSettings(home=_isolated_home, database_url=f"sqlite:///{path}")
    open_database(settings).dispose()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.chmod(0o640)  # the owner's choice, e.g. a group of read-only operators
    open_database(settings).dispose()
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
