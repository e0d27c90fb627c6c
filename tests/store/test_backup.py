"""`dropdeck db export` / `db import`: a business moves from SQLite to PostgreSQL and back
with every row, its secrets still sealed, and new rows after the move get fresh ids."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from console.cli import main
from console.runtime.demo_data import seed_demo_business
from store.crypto import SecretBox
from store.db import Database, open_database
from store.models import Connection, SQLModel
from store.settings import StoreSettings


def every_row(db: Database) -> dict[str, list[dict[str, Any]]]:
    with db.read_engine.connect() as conn:
        return {
            t.name: [
                dict(r)
                for r in conn.execute(sa.select(t).order_by(*t.primary_key.columns)).mappings()
            ]
            for t in SQLModel.metadata.sorted_tables
            if t.name != "store_change"  # each database's own change counter, not moved
        }


def secrets(db: Database) -> dict[str, dict[str, str]]:
    box = SecretBox(db.settings.home)
    with db.read() as session:
        return {c.name: box.open(c.secrets) for c in session.scalars(sa.select(Connection))}


def test_a_business_moves_to_postgresql_and_back_with_every_row(
    sqlite_db: Database,
    postgres_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    seed_demo_business(sqlite_db, listings=80, orders=12)
    with sqlite_db.write() as session:
        box = SecretBox(sqlite_db.settings.home)
        token = box.seal({"api_token": "wps-token-5f3c2a"})
        session.add(Connection(name="wps", system="wps", base_url="https://x.io", secrets=token))
    original = every_row(sqlite_db)
    assert sum(len(rows) for rows in original.values()) > 200
    sealed = {r["name"]: r["secrets"] for r in original["connection"]}
    assert sealed and all(s and "{" not in s for s in sealed.values())

    out = tmp_path / "business.jsonl"
    assert main(["db", "export", str(out)]) == 0
    assert "exported" in capsys.readouterr().out
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert not any(v in out.read_text() for s in secrets(sqlite_db).values() for v in s.values())

    monkeypatch.setenv("DROPDECK_DATABASE_URL", postgres_url)
    assert main(["db", "import", str(out)]) == 0, capsys.readouterr().err
    pg = open_database(StoreSettings(home=sqlite_db.settings.home, database_url=postgres_url))
    try:
        assert every_row(pg) == original  # ids, timestamps, money, JSON, sealed secrets
        assert secrets(pg) == secrets(sqlite_db)
        # Sequences moved past the imported ids: a new row takes a new id.
        with pg.write() as session:
            extra = Connection(name="after-move", system="wps", base_url="https://x.io")
            session.add(extra)
            session.flush()
            assert extra.id is not None and extra.id > max(r["id"] for r in original["connection"])
        # A second import is refused: the database is no longer empty.
        assert main(["db", "import", str(out)]) == 1
        assert "already holds data" in capsys.readouterr().err

        back = tmp_path / "back.jsonl"
        assert main(["db", "export", str(back)]) == 0
    finally:
        pg.dispose()
    home = tmp_path / "restored"
    monkeypatch.setenv("DROPDECK_DATABASE_URL", f"sqlite:///{home / 'dropdeck.db'}")
    assert main(["db", "import", str(back)]) == 0, capsys.readouterr().err
    restored = open_database(
        StoreSettings(home=home, database_url=f"sqlite:///{home / 'dropdeck.db'}")
    )
    try:
        rows = every_row(restored)
        assert rows["connection"][-1]["name"] == "after-move"
        rows["connection"].pop()
        assert rows == original
    finally:
        restored.dispose()


def test_a_file_that_is_not_an_export_is_one_line(
    sqlite_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junk = tmp_path / "junk.jsonl"
    junk.write_text("hello\n")
    assert main(["db", "import", str(junk)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is not a Dropdeck export" in err
    assert main(["db", "export", str(junk)]) == 1
    assert "already exists; give a new file name" in capsys.readouterr().err
