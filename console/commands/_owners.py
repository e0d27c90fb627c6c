"""What `dropdeck sources` and `dropdeck channels` share: a source and a channel are both
an *owner* of integrations on a connection of their own system, so adding one, changing
its connection and listing them with their integration kinds work the same way."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlmodel import Session, col

from store.models import Channel, Connection, Integration, Source

from ..context import open_store
from ..errors import CliError
from ._common import (
    audit,
    connection_names,
    find_connection,
    print_json,
    print_table,
    refuse_taken_owner_name,
)

Owner = TypeVar("Owner", Source, Channel)
Fields = Callable[[Owner, dict[int, str]], dict[str, Any]]
"""An owner's audited and listed fields, given connection names by id."""


def new_owner_connection(
    session: Session, name: str, conn_name: str, kind: str, label: str
) -> Connection:
    """The connection a new source/channel `name` of `kind` goes on, after the name checks."""
    refuse_taken_owner_name(session, name)
    conn = find_connection(session, conn_name)
    if conn.system != kind:
        raise CliError(
            f"connection {conn.name} is for {conn.system}; a {kind} {label} needs a "
            f"{kind} connection ('dropdeck connections add NAME --system {kind}')"
        )
    return conn


def change_owner(
    name: str,
    connection: str | None,
    label: str,
    find: Callable[[Session, str], Owner],
    fields: Fields[Owner],
    apply: Callable[[Session, Owner], None],
) -> tuple[Owner, dict[str, Any], dict[str, Any]]:
    """Find the owner, move it to `connection` if given, `apply` the rest, audit before/after;
    the owner with its fields before and after."""
    db = open_store()
    with db.write() as session:
        owner = find(session, name)
        names = connection_names(session)
        before = fields(owner, names)
        if connection is not None:
            conn = find_connection(session, connection)
            if conn.system != owner.kind:
                raise CliError(
                    f"connection {conn.name} is for {conn.system}; {label} {owner.name} "
                    f"needs a {owner.kind} connection"
                )
            owner.connection_id = conn.id
        apply(session, owner)
        session.add(owner)
        session.flush()
        after = fields(owner, names)
        audit(session, f"{label}.update", label, owner.id, before, after)
    return owner, before, after


def list_owners(
    args: argparse.Namespace,
    model: type[Owner],
    label: str,
    fields: Fields[Owner],
    columns: Sequence[tuple[str, Callable[[dict[str, Any]], object]]],
) -> int:
    """Print every source (or channel) with its integration kinds; `columns` are the
    owner's own ones, shown between its connection and its integrations."""
    fk = col(Integration.source_id) if model is Source else col(Integration.channel_id)
    db = open_store()
    with db.read() as session:
        names = connection_names(session)
        kinds: dict[int, list[str]] = {}
        for owner_id, kind in session.execute(
            sa.select(fk, col(Integration.kind))
            .where(fk.is_not(None))
            .order_by(col(Integration.kind))
        ):
            kinds.setdefault(owner_id, []).append(kind)
        rows: list[dict[str, Any]] = [
            {"name": o.name, **fields(o, names), "integrations": kinds.get(o.id or 0, [])}
            for o in session.scalars(sa.select(model).order_by(col(model.name)))
        ]
    if args.json:
        print_json(rows)
    elif not rows:
        print(f"no {label}s yet; add one with 'dropdeck {label}s add NAME --kind K --connection C'")
    else:
        print_table(
            ["name", "kind", "connection", *(h for h, _ in columns), "integrations"],
            [_table_row(r, columns) for r in rows],
        )
    return 0


def _table_row(
    r: dict[str, Any], columns: Sequence[tuple[str, Callable[[dict[str, Any]], object]]]
) -> list[object]:
    """One owner as `list_owners` prints it: name, kind, connection, own columns, kinds."""
    own = [cell(r) for _, cell in columns]
    return [r["name"], r["kind"], r["connection"], *own, ", ".join(r["integrations"])]
