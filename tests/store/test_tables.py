"""store.tables (the Core clauses read commands select from) names every model table with
the same columns in the same order and the same types; and reads through it come back as
the models would give them (aware datetimes, decoded JSON, Decimal money)."""

from __future__ import annotations

import sqlalchemy as sa

from store import tables
from store.db import Database
from store.models import Channel, Connection, Integration, SQLModel


def _kind(type_: sa.types.TypeEngine[object]) -> str:
    """A column type as reads care about it (SQLModel's AutoString is a plain string)."""
    if type(type_).__name__ == "AutoString":
        return "String"
    if isinstance(type_, sa.Numeric):
        return f"{type(type_).__name__}({type_.precision},{type_.scale})"
    return type(type_).__name__


def test_every_model_table_has_its_clause_with_the_same_columns() -> None:
    clauses = {
        value.name: value for value in vars(tables).values() if isinstance(value, sa.TableClause)
    }
    assert set(clauses) == set(SQLModel.metadata.tables)
    for name, table in SQLModel.metadata.tables.items():
        model = [(c.name, _kind(c.type)) for c in table.columns]
        clause = [(c.name, _kind(c.type)) for c in clauses[name].columns]
        assert clause == model, f"store/tables.py: table {name} differs from store.models"


def test_reads_through_the_clauses_come_back_typed(db: Database) -> None:
    with db.write() as session:
        connection = Connection(name="c", system="woocommerce", base_url="http://x")
        session.add(connection)
        session.flush()
        channel = Channel(name="Shop\x1b[2J", kind="woocommerce", connection_id=connection.id)
        session.add(channel)
        session.flush()
        session.add(
            Integration(
                name="shop/get_orders",
                kind="get_orders",
                channel_id=channel.id,
                settings={"days": 3, "statuses": ["processing"]},
            )
        )
    i = tables.integration.c
    with db.connect() as conn:
        row = conn.execute(sa.select(i.settings, i.created_at, i.enabled)).one()
        name = conn.scalar(sa.select(tables.channel.c.name))
    assert row.settings == {"days": 3, "statuses": ["processing"]}
    assert row.created_at.tzinfo is not None and row.enabled is True
    assert name == "Shop\x1b[2J"  # stored as given; output makes it safe
