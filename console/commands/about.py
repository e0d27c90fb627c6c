"""`dropdeck about`: which Dropdeck, which business: version, installation id, database, home.

The installation id is in every PO this database sends; two businesses on one supplier
account tell their orders apart by it. `about` only reads: a database that has not made
its id yet (it is made with the first order routed) says so, and a writable one makes it.
It reads through a Core connection, so it starts without SQLModel, pydantic or the models.
"""

from __future__ import annotations

import argparse
from importlib import metadata

from store.db import Database
from store.installation import installation_id, stored_installation_id

from ..context import open_store
from ._output import print_json, redacted_url


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], line: str) -> None:
    p = sub.add_parser("about", help=line)
    p.add_argument("--json", action="store_true", help="print a JSON object")
    p.set_defaults(handler=_show)


def version() -> str:
    """The installed Dropdeck version."""
    try:
        return metadata.version("dropdeck")
    except metadata.PackageNotFoundError:
        return "unknown"


def about(db: Database) -> dict[str, str]:
    """What `about` shows (no secrets: the database URL without its password)."""
    if db.readonly:
        with db.connect() as conn:
            made = stored_installation_id(conn)
    else:
        with db.connect(write=True) as conn:
            made = installation_id(conn)
    return {
        "version": version(),
        "installation_id": made or "none yet (made when the first order is routed)",
        "database": redacted_url(db.settings.database_url),
        "home": str(db.settings.home),
    }


def _show(args: argparse.Namespace) -> int:
    facts = about(open_store())
    if args.json:
        print_json([facts])
        return 0
    labels = {key: key.replace("_", " ") + ":" for key in facts}
    width = max(len(label) for label in labels.values())
    for key, value in facts.items():
        print(f"{labels[key]:<{width}} {value}")
    return 0
