"""`dropdeck db upgrade`: bring the database to the latest schema."""

from __future__ import annotations

import argparse

from store.db import open_database
from store.settings import load_settings

from ._common import redacted_url


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(title="actions", metavar="ACTION", required=True)
    up = db_sub.add_parser("upgrade", help="apply pending schema migrations")
    up.set_defaults(handler=_upgrade)


def _upgrade(args: argparse.Namespace) -> int:
    settings = load_settings()
    open_database(settings).dispose()
    print(f"database up to date: {redacted_url(settings.database_url)}")
    return 0
