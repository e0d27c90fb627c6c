"""`dropdeck about`: version, the installation id (made once, the same ever after, in every
PO), the database without secrets, home; a read-only operator reads it and makes nothing."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from store.db import Database
from store.installation import ALPHABET, ID_LENGTH
from store.models import Installation

from .conftest import Run


def test_about_makes_the_installation_id_once(sqlite_db: Database, cli: Run) -> None:
    status, out, err = cli("about", "--json")
    assert status == 0, err
    (facts,) = json.loads(out)
    made = facts["installation_id"]
    assert len(made) == ID_LENGTH and set(made) <= set(ALPHABET)
    assert facts["home"] == str(sqlite_db.settings.home)
    assert facts["database"] == sqlite_db.settings.database_url
    assert facts["version"] == "0.1.0"
    status, out, _ = cli("about")
    assert status == 0 and f"installation id: {made}" in out
    with sqlite_db.read() as session:
        assert session.scalars(sa.select(Installation.installation_id)).all() == [made]


def test_about_never_shows_the_database_password(
    postgres_url: str, cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The test server trusts local users, so a password in the URL is accepted and ignored.
    url = postgres_url.replace("postgres@", "postgres:s3cret-pw@", 1)
    monkeypatch.setenv("DROPDECK_DATABASE_URL", url)
    status, out, err = cli("about", "--json")
    assert status == 0, err
    (facts,) = json.loads(out)
    assert "s3cret" not in out and facts["database"].startswith(
        "postgresql+psycopg://postgres:***@"
    )


def test_a_read_only_operator_reads_about_and_makes_nothing(
    sqlite_db: Database, cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DROPDECK_ROLE", "readonly")
    status, out, err = cli("about")
    assert status == 0, err
    assert "installation id: none yet (made when the first order is routed)" in out
    with sqlite_db.read() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Installation)) == 0
