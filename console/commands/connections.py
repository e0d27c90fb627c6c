"""`dropdeck connections`: add, change, list and remove the credentials of external systems.

Secrets never come from the command line (argv shows up in `ps` and shell history): each
field is read from `DROPDECK_SECRET_<FIELD>` or, on a terminal, typed at a hidden prompt.
They are sealed with `store.crypto.SecretBox` before they reach the database, and neither
output nor audit rows ever hold a value: only which fields are set.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlmodel import Session

from store.commands.setup import connection_users, save_connection
from store.crypto import SecretBox
from store.models import Connection

from ..context import open_store
from ..errors import CliError, UsageError
from ._common import audit, checked_name, find_connection, print_json, print_table

# system -> (required secret fields, optional ones); docs/<system>.md and docs/sandbox.md.
SECRET_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "woocommerce": (("consumer_key", "consumer_secret"), ()),
    "magento": (("access_token",), ()),
    "shipstation": (("api_key", "api_secret"), ()),
    "wps": (("api_token",), ()),
    # The US Direct feed URLs carry their own token, so they are secrets too.
    "usdirect": (("reseller_token", "feed_url"), ("secondary_feed_url",)),
}
ENV_PREFIX = "DROPDECK_SECRET_"

_SECRETS_HELP = "; ".join(
    f"{system}: {', '.join((*req, *(f'{o} (optional)' for o in opt)))}"
    for system, (req, opt) in SECRET_FIELDS.items()
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "connections",
        help="add, change, list or remove connections (credentials of external systems)",
        description="Secrets are read from DROPDECK_SECRET_<FIELD> environment variables "
        "(e.g. DROPDECK_SECRET_CONSUMER_KEY) or, on a terminal, a hidden prompt; never from "
        f"arguments. Fields: {_SECRETS_HELP}.",
    )
    p.add_argument("--json", action="store_true", help="print a JSON list")
    p.set_defaults(handler=_list)
    actions = p.add_subparsers(title="actions", metavar="ACTION")
    ls = actions.add_parser("list", help="list connections (which secret fields are set)")
    ls.add_argument("--json", action="store_true", help="print a JSON list")
    ls.set_defaults(handler=_list)
    add = actions.add_parser(
        "add",
        help="add a connection; secrets from DROPDECK_SECRET_<FIELD> or a prompt",
        description="Each secret field is read from DROPDECK_SECRET_<FIELD> (e.g. "
        "DROPDECK_SECRET_API_TOKEN) or, on a terminal, a hidden prompt. "
        f"Fields per system: {_SECRETS_HELP}.",
    )
    add.add_argument("name", help="e.g. woo-shop, wps")
    add.add_argument("--system", required=True, choices=list(SECRET_FIELDS))
    add.add_argument("--url", required=True, help="base URL, e.g. https://shop.example")
    add.set_defaults(handler=_add)
    change = actions.add_parser("set", help="change a connection's URL or replace its secrets")
    change.add_argument("name")
    change.add_argument("--url", help="new base URL")
    change.add_argument(
        "--secrets",
        action="store_true",
        help="read every secret field again (environment or prompt) and replace them",
    )
    change.set_defaults(handler=_set)
    rm = actions.add_parser("remove", help="remove a connection no source or channel uses")
    rm.add_argument("name")
    rm.set_defaults(handler=_remove)


def secret_env_var(field: str) -> str:
    return ENV_PREFIX + field.upper()


def read_secrets(name: str, system: str) -> dict[str, str]:
    """Every secret field of `system`, from the environment or a hidden prompt."""
    required, optional = SECRET_FIELDS[system]
    values: dict[str, str] = {}
    for field in (*required, *optional):
        var = secret_env_var(field)
        value = os.environ.get(var) or ""
        if not value and sys.stdin.isatty():
            hint = " (optional, Enter to skip)" if field in optional else ""
            value = getpass.getpass(f"{name} {field}{hint}: ")
        # A pasted token often drags a newline along; no credential has edge spaces.
        value = value.strip()
        if value:
            values[field] = value
        elif field in required:
            raise UsageError(
                f"connection {name}: {field} is missing; set {var} or run in a terminal "
                "to be asked for it"
            )
    return values


def checked_url(url: str, system: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"--url {url!r} is not an http(s) URL, e.g. https://shop.example")
    if parts.username or parts.password:
        # The URL is stored in clear; credentials go in the sealed secret fields.
        raise UsageError("--url must not hold a user or password; give secrets separately")
    if system == "woocommerce" and "/wp-json" in parts.path:
        raise UsageError("--url: give the store URL without /wp-json, e.g. https://shop.example")
    return url.rstrip("/")


def _summary(conn: Connection, fields: set[str]) -> dict[str, Any]:
    """What audit rows and output may say about a connection: never a secret value."""
    required = SECRET_FIELDS.get(conn.system, ((), ()))[0]
    return {
        "system": conn.system,
        "base_url": conn.base_url,
        "secrets_set": sorted(fields),
        "secrets_missing": [f for f in required if f not in fields],
    }


def _fields(box: SecretBox, conn: Connection) -> set[str]:
    return set(box.open(conn.secrets))


def _add(args: argparse.Namespace) -> int:
    name = checked_name(args.name, "connection")
    url = checked_url(args.url, args.system)
    db = open_store()
    with db.read() as session:
        if session.scalars(sa.select(Connection.id).where(Connection.name == name)).first():
            raise CliError(
                f"a connection named '{name}' already exists; change it with "
                f"'dropdeck connections set {name} --url URL --secrets'"
            )
    secrets = read_secrets(name, args.system)
    box = SecretBox(db.settings.home)
    with db.write() as session:
        conn = save_connection(
            session, box, name=name, system=args.system, base_url=url, secrets=secrets
        )
        audit(session, "connection.add", "connection", conn.id, {}, _summary(conn, set(secrets)))
    print(f"connection {name} added ({args.system}, {url}; secrets: {', '.join(sorted(secrets))})")
    return 0


def _set(args: argparse.Namespace) -> int:
    if args.url is None and not args.secrets:
        raise UsageError("nothing to change: give --url URL and/or --secrets")
    db = open_store()
    box = SecretBox(db.settings.home)
    with db.read() as session:
        conn = find_connection(session, args.name)
    url = checked_url(args.url, conn.system) if args.url is not None else conn.base_url
    secrets = read_secrets(conn.name, conn.system) if args.secrets else dict(box.open(conn.secrets))
    with db.write() as session:
        conn = find_connection(session, args.name)
        before = _summary(conn, _fields(box, conn))
        conn = save_connection(
            session, box, name=conn.name, system=conn.system, base_url=url, secrets=secrets
        )
        after = _summary(conn, set(secrets))
        # Same field names does not mean same values: say in the audit that they were replaced.
        after["secrets_replaced"] = bool(args.secrets)
        audit(session, "connection.update", "connection", conn.id, before, after)
    # Workers build a new HTTP client when a connection's URL or secrets change.
    print(f"connection {conn.name} updated; the next run of each integration uses it")
    return 0


def _remove(args: argparse.Namespace) -> int:
    db = open_store()
    box = SecretBox(db.settings.home)
    with db.write() as session:
        conn = find_connection(session, args.name)
        users = connection_users(session, conn.id or 0)
        if users:
            raise CliError(
                f"connection {conn.name} is used by {', '.join(users)}; point them at another "
                "connection ('dropdeck sources set NAME --connection C', 'dropdeck channels "
                "set NAME --connection C') first"
            )
        audit(
            session,
            "connection.remove",
            "connection",
            conn.id,
            _summary(conn, _fields(box, conn)),
            {},
        )
        session.delete(conn)
    print(f"connection {args.name} removed")
    return 0


def _rows(session: Session, box: SecretBox) -> list[dict[str, Any]]:
    rows = []
    for conn in session.scalars(sa.select(Connection).order_by(Connection.name)):
        rows.append(
            {
                "name": conn.name,
                **_summary(conn, _fields(box, conn)),
                "used_by": connection_users(session, conn.id or 0),
            }
        )
    return rows


def _list(args: argparse.Namespace) -> int:
    db = open_store()
    box = SecretBox(db.settings.home)
    with db.read() as session:
        rows = _rows(session, box)
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        print("no connections yet; add one with 'dropdeck connections add NAME --system S --url U'")
        return 0
    print_table(
        ["name", "system", "url", "secrets", "used by"],
        [
            [
                r["name"],
                r["system"],
                r["base_url"],
                ", ".join(r["secrets_set"])
                + (f"; MISSING {', '.join(r['secrets_missing'])}" if r["secrets_missing"] else ""),
                ", ".join(r["used_by"]),
            ]
            for r in rows
        ],
    )
    return 0
