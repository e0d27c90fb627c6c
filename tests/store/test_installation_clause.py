"""The installation id is read through a Core clause (no model classes loaded); it must name
the model's table and columns, and read what the model writes, on SQLite and PostgreSQL."""

from __future__ import annotations

from store.db import Database
from store.installation import INSTALLATION, installation_id, stored_installation_id
from store.models import Installation


def test_the_clause_names_the_models_table_and_columns() -> None:
    table = Installation.__table__
    assert INSTALLATION.name == table.name
    assert {c.name for c in INSTALLATION.c} <= {c.name for c in table.c}


def test_made_once_through_a_connection_or_a_session(db: Database) -> None:
    with db.connect() as conn:
        assert stored_installation_id(conn) is None
    with db.connect(write=True) as conn:
        made = installation_id(conn)
    with db.write() as session:
        assert installation_id(session) == made
        row = session.get(Installation, 1)
        assert row is not None and row.created_at.tzinfo is not None
    with db.read() as session:
        assert stored_installation_id(session) == made
