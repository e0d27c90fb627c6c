"""`dropdeck channels`: add, change and list channels (where the business sells)."""

from __future__ import annotations

import argparse
from typing import Any

from sqlmodel import Session

from connectors.registry import descriptors
from store.commands.setup import ensure_channel
from store.models import Channel

from ..context import open_store
from ..errors import UsageError
from ._common import audit, checked_name, find_channel, json_arg, print_result
from ._owners import change_owner, list_owners, new_owner_connection

KINDS = [d.system for d in descriptors().values() if d.role == "channel"]
AUTO_HELP = (
    "auto-process: send this channel's fulfillment requests to suppliers without an operator "
    "(off: an operator sends them)"
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], line: str) -> None:
    p = sub.add_parser("channels", help=line)
    p.add_argument("--json", action="store_true", help="print a JSON list")
    p.set_defaults(handler=_list)
    actions = p.add_subparsers(title="actions", metavar="ACTION")
    ls = actions.add_parser("list", help="list channels")
    ls.add_argument("--json", action="store_true", help="print a JSON list")
    ls.set_defaults(handler=_list)
    add = actions.add_parser("add", help="add a channel on a connection of the same system")
    add.add_argument("name", help="e.g. woo-shop; integrations are named NAME/KIND")
    add.add_argument("--kind", required=True, choices=KINDS)
    add.add_argument("--connection", required=True, metavar="CONN", help="a connection name")
    add.add_argument(
        "--auto-process", action=argparse.BooleanOptionalAction, default=False, help=AUTO_HELP
    )
    json_arg(add)
    add.set_defaults(handler=_add)
    change = actions.add_parser("set", help="change a channel's connection or auto-process")
    change.add_argument("name")
    change.add_argument("--connection", metavar="CONN")
    change.add_argument("--auto-process", action=argparse.BooleanOptionalAction, help=AUTO_HELP)
    json_arg(change)
    change.set_defaults(handler=_set)


def _fields(channel: Channel, connections: dict[int, str]) -> dict[str, Any]:
    return {
        "kind": channel.kind,
        "connection": connections.get(channel.connection_id or 0),
        "auto_process": channel.auto_process,
    }


def _auto_note(channel: Channel) -> str:
    if channel.auto_process:
        return "auto-process ON: its orders go to suppliers without an operator"
    return (
        "auto-process off: its orders' fulfillment requests wait as pending, send_orders "
        f"leaves them, until you send each ('dropdeck orders send ORDER') or turn it on "
        f"('dropdeck channels set {channel.name} --auto-process')"
    )


def _add(args: argparse.Namespace) -> int:
    name = checked_name(args.name, "channel")
    db = open_store()
    with db.write() as session:
        conn = new_owner_connection(session, name, args.connection, args.kind, "channel")
        channel = ensure_channel(
            session, name=name, kind=args.kind, connection=conn, auto_process=args.auto_process
        )
        after = _fields(channel, {conn.id or 0: conn.name})
        audit(session, "channel.add", "channel", channel.id, {}, after)
    print_result(
        args,
        f"channel {name} added ({args.kind} on {conn.name}; {_auto_note(channel)})",
        {"action": "channel.add", "channel": name, **after, "note": _auto_note(channel)},
    )
    return 0


def _set(args: argparse.Namespace) -> int:
    if args.connection is None and args.auto_process is None:
        raise UsageError("nothing to change: give --connection and/or --[no-]auto-process")

    def apply(session: Session, channel: Channel) -> None:
        if args.auto_process is not None:
            channel.auto_process = args.auto_process

    channel, before, after = change_owner(
        args.name, args.connection, "channel", find_channel, _fields, apply
    )
    print_result(
        args,
        f"channel {channel.name} updated ({_auto_note(channel)})",
        {
            "action": "channel.update",
            "channel": channel.name,
            "before": before,
            "after": after,
            "note": _auto_note(channel),
        },
    )
    return 0


def _list(args: argparse.Namespace) -> int:
    return list_owners(
        args,
        Channel,
        "channel",
        _fields,
        [("auto-process", lambda r: "ON" if r["auto_process"] else "off")],
    )
