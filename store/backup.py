"""Moving a whole business between databases: `dropdeck db export FILE` / `db import FILE`.

The file is JSON lines: a header (format, schema revision, row count per table), then one
line per row, tables in foreign-key order. Every table of the schema is copied as it is:
connection secrets stay sealed (the same `DROPDECK_SECRET_KEY`/`secret.key` opens them on
the other side), and any settings or installation-id rows come along unchanged. Import
needs an empty database at the same schema revision and writes everything in one
transaction, so a failed import leaves the database empty.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa

from .db import Database
from .errors import StoreError
from .migrate import current_revision
from .models import SQLModel

FORMAT = "dropdeck-export"
VERSION = 1
BATCH = 1000


def _tables() -> list[sa.Table]:
    # Not the change counter: every database has its own (seeded by its migration), and
    # it says only that something changed there, not what the business holds.
    return [t for t in SQLModel.metadata.sorted_tables if t.name != "store_change"]


def _encode(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _decoder(column: sa.Column[Any]) -> Any:
    """How to turn the JSON of one column back into what its type binds."""
    kind_of = column.type
    if isinstance(kind_of, sa.TypeDecorator):
        kind_of = kind_of.impl_instance
    try:
        kind = kind_of.python_type
    except NotImplementedError:
        return None
    if kind is datetime:
        return datetime.fromisoformat
    if kind is date:
        return date.fromisoformat
    if kind is Decimal:
        return Decimal
    return None


def export_database(db: Database, path: Path) -> dict[str, int]:
    """Write every row of `db` to a new file at `path` (mode 0600); returns rows per table."""
    revision = current_revision(db)
    tables = _tables()
    with db.read_engine.connect() as conn:
        # One snapshot for the whole file while workers keep writing: SQLite's read
        # transaction is one already; PostgreSQL's READ COMMITTED would not be.
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        counts = {
            t.name: conn.scalar(sa.select(sa.func.count()).select_from(t)) or 0 for t in tables
        }
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            raise StoreError(f"{path} already exists; give a new file name") from None
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            header = {"format": FORMAT, "version": VERSION, "revision": revision, "rows": counts}
            out.write(json.dumps(header) + "\n")
            for table in tables:
                order = [c for c in table.primary_key.columns] or list(table.columns)
                result = conn.execution_options(yield_per=BATCH).execute(
                    sa.select(table).order_by(*order)
                )
                for row in result.mappings():
                    line = {"t": table.name, "r": {k: _encode(v) for k, v in row.items()}}
                    out.write(json.dumps(line, ensure_ascii=False) + "\n")
    return counts


def _read_header(handle: IO[str], path: Path) -> dict[str, Any]:
    try:
        header = json.loads(handle.readline())
    except ValueError:
        header = None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise StoreError(f"{path} is not a Dropdeck export (made by 'dropdeck db export')")
    if header.get("version") != VERSION:
        raise StoreError(
            f"{path} is export format {header.get('version')}; this Dropdeck reads {VERSION}"
        )
    return header


def _rows(handle: IO[str], path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    for number, line in enumerate(handle, start=2):
        try:
            item = json.loads(line)
            yield item["t"], item["r"]
        except (ValueError, KeyError, TypeError):
            raise StoreError(f"{path} line {number} is damaged; nothing was imported") from None


def _reset_sequences(conn: sa.Connection, tables: list[sa.Table]) -> None:
    """PostgreSQL hands out ids from sequences: move each past the ids just imported."""
    for table in tables:
        if "id" not in table.columns or not isinstance(table.c.id.type, sa.Integer):
            continue
        quoted = conn.dialect.identifier_preparer.quote(table.name)
        conn.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence(:t, 'id'), "
                f"COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {quoted}"
            ),
            {"t": quoted},
        )


def import_database(db: Database, path: Path) -> dict[str, int]:
    """Load an export into `db`, which must be empty and at the export's schema revision;
    returns rows per table. All or nothing."""
    tables = {t.name: t for t in _tables()}
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise StoreError(f"cannot read {path}: {exc.strerror}") from None
    with handle:
        header = _read_header(handle, path)
        revision = current_revision(db)
        if header.get("revision") != revision:
            raise StoreError(
                f"{path} was exported at schema revision {header.get('revision')} and this "
                f"database is at {revision}; import it with the Dropdeck version that wrote it"
            )
        unknown = sorted(set(header.get("rows", {})) - set(tables))
        if unknown:
            raise StoreError(f"{path} has tables this Dropdeck does not know: {', '.join(unknown)}")
        decoders = {
            name: {c.name: d for c in t.columns if (d := _decoder(c)) is not None}
            for name, t in tables.items()
        }
        counts = dict.fromkeys(tables, 0)
        with db.engine.begin() as conn:
            busy = [
                n
                for n, t in tables.items()
                if conn.scalar(sa.select(sa.literal(1)).select_from(t).limit(1))
            ]
            if busy:
                raise StoreError(
                    f"the database already holds data ({', '.join(busy[:3])}…); import only "
                    "into a new, empty database (set DROPDECK_DATABASE_URL or DROPDECK_HOME)"
                )
            pending: list[dict[str, Any]] = []
            current: str | None = None

            def flush() -> None:
                if pending and current is not None:
                    conn.execute(tables[current].insert(), pending)
                    counts[current] += len(pending)
                    pending.clear()

            for name, row in _rows(handle, path):
                if name not in tables:
                    raise StoreError(f"{path} has rows of an unknown table {name!r}")
                if name != current or len(pending) >= BATCH:
                    flush()
                    current = name
                for column, decode in decoders[name].items():
                    if row.get(column) is not None:
                        row[column] = decode(row[column])
                pending.append(row)
            flush()
            expected = {n: c for n, c in header.get("rows", {}).items() if c}
            got = {n: c for n, c in counts.items() if c}
            if got != expected:
                raise StoreError(
                    f"{path} is incomplete (rows {got}, header {expected}); nothing was imported"
                )
            if conn.dialect.name == "postgresql":
                _reset_sequences(conn, list(tables.values()))
    return counts
