"""`dropdeck db upgrade|export|import`: the schema, and moving a business between databases."""

from __future__ import annotations

import argparse
from pathlib import Path

from store.db import open_database
from store.settings import load_settings

from ..context import open_store
from ._common import redacted_url


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], line: str) -> None:
    db = sub.add_parser("db", help=line)
    db_sub = db.add_subparsers(title="actions", metavar="ACTION", required=True)
    up = db_sub.add_parser("upgrade", help="apply pending schema migrations")
    up.set_defaults(handler=_upgrade)
    export = db_sub.add_parser(
        "export",
        help="write every row of the database to a new file (secrets stay sealed)",
        description="Write the whole business to FILE (JSON lines, mode 0600). Connection "
        "secrets stay encrypted: keep DROPDECK_SECRET_KEY or secret.key with the file.",
    )
    export.add_argument("file", type=Path, metavar="FILE")
    export.set_defaults(handler=_export)
    load = db_sub.add_parser(
        "import",
        help="load an export into a new, empty database",
        description="Load FILE (from 'dropdeck db export') into the database of "
        "DROPDECK_DATABASE_URL / DROPDECK_HOME, which must be empty. All or nothing.",
    )
    load.add_argument("file", type=Path, metavar="FILE")
    load.set_defaults(handler=_import)


def _upgrade(args: argparse.Namespace) -> int:
    settings = load_settings()
    open_database(settings).dispose()
    print(f"database up to date: {redacted_url(settings.database_url)}")
    return 0


def _summary(counts: dict[str, int]) -> str:
    total = sum(counts.values())
    tables = sum(1 for n in counts.values() if n)
    return f"{total} row{'s' if total != 1 else ''} in {tables} table{'s' if tables != 1 else ''}"


def _export(args: argparse.Namespace) -> int:
    from store.backup import export_database

    db = open_store()
    try:
        counts = export_database(db, args.file)
    finally:
        db.dispose()
    print(f"exported {_summary(counts)} to {args.file}")
    return 0


def _import(args: argparse.Namespace) -> int:
    from store.backup import import_database

    db = open_store()
    try:
        counts = import_database(db, args.file)
        where = redacted_url(db.settings.database_url)
    finally:
        db.dispose()
    print(f"imported {_summary(counts)} into {where}")
    return 0
