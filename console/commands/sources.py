"""`dropdeck sources`: add, change and list sources (suppliers that hold stock and ship)."""

from __future__ import annotations

import argparse
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from connectors.registry import descriptors
from store.commands.setup import ensure_source
from store.models import InventoryItem, Source

from ..context import open_store
from ..errors import CliError, UsageError
from ._common import audit, checked_name, find_source, json_arg, print_result
from ._owners import change_owner, list_owners, new_owner_connection

KINDS = [d.system for d in descriptors().values() if d.role == "source"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], line: str) -> None:
    p = sub.add_parser("sources", help=line)
    p.add_argument("--json", action="store_true", help="print a JSON list")
    p.set_defaults(handler=_list)
    actions = p.add_subparsers(title="actions", metavar="ACTION")
    ls = actions.add_parser("list", help="list sources")
    ls.add_argument("--json", action="store_true", help="print a JSON list")
    ls.set_defaults(handler=_list)
    add = actions.add_parser("add", help="add a source on a connection of the same system")
    add.add_argument("name", help="e.g. wps; integrations are named NAME/KIND")
    add.add_argument("--kind", required=True, choices=KINDS)
    add.add_argument("--connection", required=True, metavar="CONN", help="a connection name")
    add.add_argument(
        "--sku-prefix", default="", metavar="P", help="master SKU = P + supplier SKU (e.g. WPS-)"
    )
    add.add_argument(
        "--priority", type=int, default=100, metavar="N", help="routing tie-break: lower first"
    )
    json_arg(add)
    add.set_defaults(handler=_add)
    change = actions.add_parser("set", help="change a source's connection, prefix or priority")
    change.add_argument("name")
    change.add_argument("--connection", metavar="CONN")
    change.add_argument("--sku-prefix", metavar="P", help="only before any inventory is imported")
    change.add_argument("--priority", type=int, metavar="N")
    json_arg(change)
    change.set_defaults(handler=_set)


def _fields(source: Source, connections: dict[int, str]) -> dict[str, Any]:
    return {
        "kind": source.kind,
        "connection": connections.get(source.connection_id or 0),
        "priority": source.priority,
        "sku_prefix": source.sku_prefix,
    }


def _add(args: argparse.Namespace) -> int:
    name = checked_name(args.name, "source")
    db = open_store()
    with db.write() as session:
        conn = new_owner_connection(session, name, args.connection, args.kind, "source")
        source = ensure_source(
            session,
            name=name,
            kind=args.kind,
            connection=conn,
            sku_prefix=args.sku_prefix,
            priority=args.priority,
        )
        after = _fields(source, {conn.id or 0: conn.name})
        audit(session, "source.add", "source", source.id, {}, after)
    print_result(
        args,
        f"source {name} added ({args.kind} on {conn.name}); add its integrations with "
        f"'dropdeck integrations add {name} KIND'",
        {"action": "source.add", "source": name, **after},
    )
    return 0


def _set(args: argparse.Namespace) -> int:
    if args.connection is None and args.sku_prefix is None and args.priority is None:
        raise UsageError("nothing to change: give --connection, --sku-prefix and/or --priority")

    def apply(session: Session, source: Source) -> None:
        if args.sku_prefix is not None and args.sku_prefix != source.sku_prefix:
            items = session.scalar(
                sa.select(sa.func.count()).where(col(InventoryItem.source_id) == source.id)
            )
            if items:
                # Listings are linked by master SKU = prefix + SKU; a new prefix unlinks them.
                raise CliError(
                    f"source {source.name} has {items} inventory items with master SKUs "
                    f"made from prefix '{source.sku_prefix}'; changing it would unlink "
                    "their listings, so it is refused"
                )
            source.sku_prefix = args.sku_prefix
        if args.priority is not None:
            source.priority = args.priority

    source, before, after = change_owner(
        args.name, args.connection, "source", find_source, _fields, apply
    )
    print_result(
        args,
        f"source {source.name} updated",
        {"action": "source.update", "source": source.name, "before": before, "after": after},
    )
    return 0


def _list(args: argparse.Namespace) -> int:
    return list_owners(
        args,
        Source,
        "source",
        _fields,
        [("priority", lambda r: r["priority"]), ("sku prefix", lambda r: r["sku_prefix"])],
    )
