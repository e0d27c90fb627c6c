"""`dropdeck connections`: add, change, list and remove the credentials of external systems.

Secrets never come from the command line (argv shows up in `ps` and shell history): each
field is read from `DROPDECK_SECRET_<FIELD>` or, on a terminal, typed at a hidden prompt.
They are sealed with `store.crypto.SecretBox` before they reach the database, and neither
output nor audit rows ever hold a value: only which fields are set.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import os
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlmodel import Session, col

from connectors.registry import check_connection, descriptor, descriptors
from store.commands.setup import connection_users, save_connection
from store.crypto import SecretBox
from store.models import Connection

from ..context import open_store
from ..errors import CliError, UsageError
from ._common import (
    audit,
    checked_name,
    find_connection,
    json_arg,
    print_json,
    print_result,
    print_table,
)

if TYPE_CHECKING:
    from connectors.check import CheckResult

ENV_PREFIX = "DROPDECK_SECRET_"


def _secrets_help() -> str:
    return "; ".join(
        f"{d.system}: {', '.join((*d.secrets, *(f'{o} (optional)' for o in d.optional_secrets)))}"
        for d in descriptors().values()
    )


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], line: str) -> None:
    p = sub.add_parser(
        "connections",
        help=line,
        description="Secrets are read from DROPDECK_SECRET_<FIELD> environment variables "
        "(e.g. DROPDECK_SECRET_CONSUMER_KEY) or, on a terminal, a hidden prompt; never from "
        f"arguments. Fields: {_secrets_help()}.",
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
        f"Fields per system: {_secrets_help()}.",
    )
    add.add_argument("name", help="e.g. woo-shop, wps")
    add.add_argument("--system", required=True, choices=list(descriptors()))
    add.add_argument("--url", required=True, help="base URL, e.g. https://shop.example")
    add.add_argument(
        "--no-check",
        dest="check",
        action="store_false",
        help="save without testing the connection first",
    )
    json_arg(add)
    add.set_defaults(handler=_add)
    test = actions.add_parser(
        "test",
        help="test a connection: host, TLS, URL and credentials, one line on what is wrong",
        description="Sends one read-only request the system's API answers and says what is "
        "wrong: the key was refused (with the API's message), the URL is not the API, the "
        "host does not answer, or TLS failed. Exit 1 when the test fails.",
    )
    test.add_argument("name")
    test.add_argument("--json", action="store_true", help="print {ok, system, problem, detail}")
    test.set_defaults(handler=_test)
    change = actions.add_parser("set", help="change a connection's URL or replace its secrets")
    change.add_argument("name")
    change.add_argument("--url", help="new base URL")
    change.add_argument(
        "--secrets",
        action="store_true",
        help="read every secret field again (environment or prompt) and replace them",
    )
    json_arg(change)
    change.set_defaults(handler=_set)
    rm = actions.add_parser("remove", help="remove a connection no source or channel uses")
    rm.add_argument("name")
    json_arg(rm)
    rm.set_defaults(handler=_remove)


def secret_env_var(field: str) -> str:
    return ENV_PREFIX + field.upper()


def read_secrets(name: str, system: str) -> dict[str, str]:
    """Every secret field of `system`, from the environment or a hidden prompt."""
    d = descriptor(system)
    required, optional = d.secrets, d.optional_secrets
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
    hint = descriptor(system).url_rule(url)
    if hint is not None:
        raise UsageError(f"--url: {hint}")
    return url.rstrip("/")


def _summary(conn: Connection, fields: set[str]) -> dict[str, Any]:
    """What audit rows and output may say about a connection: never a secret value."""
    known = descriptors().get(conn.system)
    required = known.secrets if known is not None else ()
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
        if session.scalars(
            sa.select(col(Connection.id)).where(col(Connection.name) == name)
        ).first():
            raise CliError(
                f"a connection named '{name}' already exists; change it with "
                f"'dropdeck connections set {name} --url URL --secrets'"
            )
    secrets = read_secrets(name, args.system)
    if args.check:
        result = run_check(args.system, url, secrets)
        if not result.ok:
            raise CliError(
                f"connection {name} not added: {result.detail} (fix it, or add it untested "
                "with --no-check)"
            )
    box = SecretBox(db.settings.home)
    with db.write() as session:
        conn = save_connection(
            session, box, name=name, system=args.system, base_url=url, secrets=secrets
        )
        after = _summary(conn, set(secrets))
        audit(session, "connection.add", "connection", conn.id, {}, after)
    print_result(
        args,
        f"connection {name} added ({args.system}, {url}; secrets: {', '.join(sorted(secrets))})",
        {"action": "connection.add", "connection": name, **after},
    )
    return 0


def run_check(system: str, base_url: str, secrets: Mapping[str, str]) -> CheckResult:
    """The system's Test Connection against `base_url` (one request, no retries)."""
    return asyncio.run(check_connection(system, base_url, secrets))


def fix_hint(result: CheckResult, name: str) -> str:
    """What to change on an existing connection, by what the check found."""
    if result.problem in ("key_refused",):
        return f"; replace the secrets with 'dropdeck connections set {name} --secrets'"
    if result.problem in ("not_the_api", "no_answer", "tls_failed"):
        return f"; change the URL with 'dropdeck connections set {name} --url URL'"
    return ""


def _test(args: argparse.Namespace) -> int:
    db = open_store()
    box = SecretBox(db.settings.home)
    with db.read() as session:
        conn = find_connection(session, args.name)
        system, base_url, secrets = conn.system, conn.base_url, dict(box.open(conn.secrets))
    result = run_check(system, base_url, secrets)
    if args.json:
        json.dump(result.as_json(), sys.stdout)
        sys.stdout.write("\n")
        return 0 if result.ok else 1
    if not result.ok:
        raise CliError(f"connection {conn.name}: {result.detail}{fix_hint(result, conn.name)}")
    print(f"connection {conn.name}: ok ({result.detail})")
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
    print_result(
        args,
        f"connection {conn.name} updated; the next run of each integration uses it",
        {"action": "connection.update", "connection": conn.name, "before": before, "after": after},
    )
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
        before = _summary(conn, _fields(box, conn))
        audit(session, "connection.remove", "connection", conn.id, before, {})
        session.delete(conn)
    print_result(
        args,
        f"connection {args.name} removed",
        {"action": "connection.remove", "connection": args.name, "before": before},
    )
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
