"""`dropdeck mappings shipping`: how an order's shipping text becomes a supplier's method.

Two steps, as routing reads them: a channel mapping turns the channel's shipping text
(normalised exactly as get_orders does: `Flat Rate` -> `flat_rate`) into a shipping policy
of your own naming (`ground`); a source mapping turns that policy into the supplier's
carrier code (WPS `BEST`). An order whose text has no channel mapping is held.
"""

from __future__ import annotations

import argparse
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from connectors.registry import descriptor, descriptors
from store.commands.setup import remove_shipping_mapping, set_shipping_mapping
from store.commands.shipping import shipping_key
from store.models import Channel, ShippingMapping, Source

from ..context import open_store
from ..errors import CliError, UsageError
from . import templates
from ._common import (
    audit,
    find_channel,
    find_source,
    json_arg,
    print_json,
    print_result,
    print_table,
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], line: str) -> None:
    p = sub.add_parser("mappings", help=line)
    p.set_defaults(handler=_list, channel=None, source=None, json=False)
    kinds = p.add_subparsers(title="mappings", metavar="KIND")
    templates.register(kinds)
    ship = kinds.add_parser(
        "shipping",
        help="list, add or remove shipping mappings",
        description="--channel NAME TEXT POLICY: the channel's shipping text (e.g. 'Flat rate', "
        "stored as flat_rate) -> your policy. --source NAME POLICY CODE: policy -> the "
        f"supplier's carrier code ({_codes_help()}).",
    )
    ship.set_defaults(handler=_list, channel=None, source=None, json=False)
    actions = ship.add_subparsers(title="actions", metavar="ACTION")
    ls = actions.add_parser("list", help="list shipping mappings")
    _owner_args(ls, required=False)
    ls.add_argument("--json", action="store_true", help="print a JSON list")
    ls.set_defaults(handler=_list)
    add = actions.add_parser(
        "add", help="--channel NAME TEXT POLICY, or --source NAME POLICY CODE (replaces)"
    )
    _owner_args(add, required=True)
    add.add_argument("key", metavar="TEXT|POLICY", help="channel shipping text, or a policy")
    add.add_argument("value", metavar="POLICY|CODE", help="a policy, or a carrier code")
    json_arg(add)
    add.set_defaults(handler=_add)
    rm = actions.add_parser("remove", help="--channel NAME TEXT, or --source NAME POLICY")
    _owner_args(rm, required=True)
    rm.add_argument("key", metavar="TEXT|POLICY")
    json_arg(rm)
    rm.set_defaults(handler=_remove)


def _codes_help() -> str:
    return "; ".join(
        f"{d.display_name}: {' '.join(d.shipping_codes)}"
        for d in descriptors().values()
        if d.shipping_codes
    )


def _owner_args(p: argparse.ArgumentParser, *, required: bool) -> None:
    group = p.add_mutually_exclusive_group(required=required)
    group.add_argument("--channel", metavar="NAME", help="a channel's text -> policy mappings")
    group.add_argument("--source", metavar="NAME", help="a source's policy -> code mappings")


def _scope(session: Session, args: argparse.Namespace) -> tuple[str, Source | Channel]:
    if args.channel is not None:
        return "channel", find_channel(session, args.channel)
    return "source", find_source(session, args.source)


def _key(scope: str, raw: str) -> str:
    key = shipping_key(raw) if scope == "channel" else raw.strip()
    if not key:
        raise UsageError("the shipping text or policy is empty")
    return key


def _value(scope: str, owner: Source | Channel, raw: str) -> str:
    value = raw.strip()
    if not value:
        raise UsageError("the policy or carrier code is empty")
    codes = descriptor(owner.kind).shipping_codes if scope == "source" else ()
    if codes:
        value = value.upper()  # send_orders compares upper-cased codes
        if value not in codes:
            name = descriptor(owner.kind).display_name
            raise UsageError(
                f"{value!r} is not a {name} shipping method; use one of {', '.join(codes)}"
            )
    return value


def _add(args: argparse.Namespace) -> int:
    db = open_store()
    with db.write() as session:
        scope, owner = _scope(session, args)
        key, value = _key(scope, args.key), _value(scope, owner, args.value)
        before = set_shipping_mapping(
            session, scope=scope, owner_id=owner.id or 0, key=key, value=value
        )
        row = {"scope": scope, "owner": owner.name, "key": key}
        result = {"action": "shipping_mapping.set", **row, "value": value, "was": before}
        if before == value:
            text = f"{scope} {owner.name}: {key} -> {value} already"
            print_result(args, text, result | {"changed": False})
            return 0
        audit(
            session,
            "shipping_mapping.set",
            "shipping_mapping",
            f"{scope}:{owner.name}:{key}",
            {} if before is None else {**row, "value": before},
            {**row, "value": value},
        )
    was = "" if before is None else f" (was {before})"
    lines = [f"{scope} {owner.name}: {key} -> {value}{was}"]
    if scope == "channel":
        # get_orders re-reads held orders' shipping text against the mappings.
        lines.append("held orders with this shipping text are mapped by the next get_orders run")
    print_result(args, "\n".join(lines), result | {"changed": True})
    return 0


def _remove(args: argparse.Namespace) -> int:
    db = open_store()
    with db.write() as session:
        scope, owner = _scope(session, args)
        key = _key(scope, args.key)
        before = remove_shipping_mapping(session, scope=scope, owner_id=owner.id or 0, key=key)
        if before is None:
            raise CliError(
                f"{scope} {owner.name} has no shipping mapping '{key}' "
                f"(see 'dropdeck mappings shipping list --{scope} {owner.name}')"
            )
        row = {"scope": scope, "owner": owner.name, "key": key, "value": before}
        record_id = f"{scope}:{owner.name}:{key}"
        audit(session, "shipping_mapping.remove", "shipping_mapping", record_id, row, {})
    print_result(
        args,
        f"{scope} {owner.name}: {key} removed (was -> {before})",
        {"action": "shipping_mapping.remove", **row},
    )
    return 0


def _rows(session: Session, args: argparse.Namespace) -> list[dict[str, Any]]:
    names = {
        "channel": {c.id: c.name for c in session.scalars(sa.select(Channel))},
        "source": {s.id: s.name for s in session.scalars(sa.select(Source))},
    }
    stmt = sa.select(ShippingMapping)
    if args.channel is not None or args.source is not None:
        scope, owner = _scope(session, args)
        stmt = stmt.where(
            col(ShippingMapping.scope) == scope, col(ShippingMapping.owner_id) == owner.id
        )
    rows = [
        {
            "scope": m.scope,
            "owner": names.get(m.scope, {}).get(m.owner_id, f"#{m.owner_id}"),
            "key": m.key,
            "value": m.value,
        }
        for m in session.scalars(stmt)
    ]
    return sorted(rows, key=lambda r: (r["scope"], r["owner"], r["key"]))


def _list(args: argparse.Namespace) -> int:
    db = open_store()
    with db.read() as session:
        rows = _rows(session, args)
    if args.json:
        print_json(rows)
    elif not rows:
        print("no shipping mappings; add one with 'dropdeck mappings shipping add --channel ...'")
    else:
        print_table(["scope", "owner", "from", "to"], [list(r.values()) for r in rows])
    return 0
