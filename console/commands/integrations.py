"""`dropdeck integrations`: list integrations; add or change one; pause or unpause one.

`add` and `set` check the kind, the schedule and the settings before saving, with the same
parsers the operations use at run time, so a typo is a one-line error now rather than a
failed run later. The scheduler re-reads the table, so changes need no worker restart.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from store.queries.runs import (
    IntegrationOwner,
    integration_by_name,
    integrations_with_owner,
    last_runs,
    schedule_words,
)
from store.states import ScheduleType

from ..context import open_store
from ..errors import CliError, UsageError
from ..runtime.settings import MAX_CONSECUTIVE_FAILURES_KEY, check_runtime_setting
from ._common import (
    audit,
    find_owner,
    json_arg,
    print_json,
    print_result,
    print_table,
    schedule_args,
    schedule_from_args,
    settings_args,
    settings_from_args,
)

if TYPE_CHECKING:
    from sqlalchemy import Row

    from store.db import Database
    from store.models import Integration

# Listing reads through a Core connection; add, set and pause load the model classes when
# they run, so `dropdeck integrations` starts without them.


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], line: str) -> None:
    p = sub.add_parser(
        "integrations",
        help=line,
        description="Settings of each kind: docs/woocommerce.md and docs/wps.md.",
    )
    p.add_argument("--json", action="store_true", help="print a JSON list")
    p.set_defaults(handler=_list)
    actions = p.add_subparsers(title="actions", metavar="ACTION")
    ls = actions.add_parser("list", help="list integrations")
    ls.add_argument("--json", action="store_true", help="print a JSON list")
    ls.set_defaults(handler=_list)
    add = actions.add_parser(
        "add",
        help="add an integration OWNER/KIND (manual unless --every or --cron)",
        description="Kinds: sources get_inventory, get_pqs, send_orders, get_shipments, "
        "get_invoice; channels import_listings (manual only), link_listings, sync_listings, "
        "publish_listings, get_orders, sync_orders. Settings: docs/woocommerce.md, docs/wps.md.",
    )
    add.add_argument("owner", help="a source or channel name")
    add.add_argument("kind", help="the operation, e.g. get_orders")
    schedule_args(add)
    settings_args(add)
    add.set_defaults(handler=_add)
    change = actions.add_parser("set", help="change an integration's schedule, settings or state")
    change.add_argument("name", help="integration name, e.g. woo-shop/get_orders")
    schedule_args(change)
    settings_args(change)
    change.add_argument(
        "--unset", action="append", default=[], metavar="KEY", help="drop a setting (repeatable)"
    )
    state = change.add_mutually_exclusive_group()
    state.add_argument("--enable", dest="enabled", action="store_const", const=True)
    state.add_argument("--disable", dest="enabled", action="store_const", const=False)
    change.set_defaults(handler=_change, enabled=None)
    pause = actions.add_parser("pause", help="pause an integration (no runs until unpaused)")
    pause.add_argument("name", help="integration name, e.g. woo-demo/sync_listings")
    pause.add_argument("--reason", default="paused by an operator", help="shown to operators")
    json_arg(pause)
    pause.set_defaults(handler=_pause)
    unpause = actions.add_parser("unpause", help="unpause an integration")
    unpause.add_argument("name", help="integration name")
    json_arg(unpause)
    unpause.set_defaults(handler=_unpause)
    for verb, enabled in (("enable", True), ("disable", False)):
        e = actions.add_parser(
            verb,
            help=f"{verb} an integration (same as 'set NAME --{verb}')",
        )
        e.add_argument("name", help="integration name")
        json_arg(e)
        e.set_defaults(handler=_change, enabled=enabled, every=None, cron=None, manual=False)
        e.set_defaults(assignments=[], settings_json=None, unset=[])
    json_arg(add)
    json_arg(change)


def schedule_text(schedule_type: str, value: str) -> str:
    """As the console says it: `every 5m`, `cron */15 * * * *`, `manual`."""
    return schedule_words(schedule_type, value)


def as_json(row: IntegrationOwner, last: Any) -> dict[str, Any]:
    i = row.integration
    return {
        "name": i.name,
        "system": row.system,
        "kind": i.kind,
        "owner": row.owner_name,
        "schedule": schedule_text(i.schedule_type, i.schedule_value),
        "every_seconds": int(i.schedule_value) if i.schedule_type == "interval" else None,
        "enabled": i.enabled,
        "paused": i.paused_reason is not None,
        "paused_reason": i.paused_reason,
        "last_run": None
        if last is None
        else {
            "id": last.id,
            "status": last.status,
            "finished_at": last.finished_at.isoformat() if last.finished_at else None,
        },
    }


def _list(args: argparse.Namespace) -> int:
    db = open_store()
    with db.connect() as session:
        rows = integrations_with_owner(session)
        last = last_runs(session)
    items = [as_json(row, last.get(row.integration.id or 0)) for row in rows]
    if args.json:
        print_json(items)
        return 0
    if not items:
        print("no integrations yet")
        return 0
    # The schedule in the console's words; a pause reason goes last, so one long reason
    # does not pad every row.
    print_table(
        ["name", "system", "kind", "owner", "schedule", "state", "last run", "paused because"],
        [
            [
                it["name"],
                it["system"],
                it["kind"],
                it["owner"],
                it["schedule"],
                "paused" if it["paused"] else ("enabled" if it["enabled"] else "disabled"),
                ""
                if it["last_run"] is None
                else " ".join(
                    (
                        it["last_run"]["status"].replace("_", " "),
                        (it["last_run"]["finished_at"] or "")[:16].replace("T", " "),
                    )
                ),
                it["paused_reason"] or "",
            ]
            for row, it in zip(rows, items, strict=True)
        ],
    )
    return 0


def _set_paused(args: argparse.Namespace, name: str, reason: str | None) -> int:
    from store.commands.audit import operator_name
    from store.commands.runs import set_integration_paused

    db = open_store()
    with db.write() as session:
        integration = integration_by_name(session, name)
        if integration is None:
            raise CliError(f"no integration named '{name}' (see 'dropdeck integrations')")
        action = "integration.pause" if reason else "integration.unpause"
        result = {"action": action, "integration": name, "paused_reason": reason}
        if (integration.paused_reason is None) == (reason is None):
            state = "paused" if reason else "not paused"
            result["paused_reason"] = integration.paused_reason
            print_result(args, f"{name} is already {state}", result | {"changed": False})
            return 0
        set_integration_paused(session, integration, reason, actor=operator_name("cli"))
    print_result(args, f"{name} {'paused' if reason else 'unpaused'}", result | {"changed": True})
    return 0


def _pause(args: argparse.Namespace) -> int:
    return _set_paused(args, args.name, args.reason)


def _unpause(args: argparse.Namespace) -> int:
    return _set_paused(args, args.name, None)


# --- add and set -------------------------------------------------------------------------


def validate_settings(db: Database, system: str, kind: str, name: str, raw: dict[str, Any]) -> None:
    """Refuse unknown keys and bad values with a one-line usage error naming the setting,
    using the kind's settings type from the connector's descriptor (as the run does).
    The runtime's own setting (max_consecutive_failures) is taken by every kind."""
    from connectors.errors import FatalError
    from connectors.registry import parse_settings
    from connectors.settings import stored_templates

    for key, value in raw.items():
        if (problem := check_runtime_setting(key, value)) is not None:
            raise UsageError(f"{name}: {problem}")
    raw = {k: v for k, v in raw.items() if k != MAX_CONSECUTIVE_FAILURES_KEY}
    try:
        parse_settings(system, kind, raw, integration=name, templates=stored_templates(db))
    except FatalError as exc:
        message = str(exc)
        raise UsageError(message if message.startswith(name) else f"{name}: {message}") from None


def _audited(integration: Integration | Row[Any]) -> dict[str, Any]:
    return {
        "schedule": schedule_text(integration.schedule_type, integration.schedule_value),
        "settings": dict(integration.settings or {}),
        "enabled": integration.enabled,
    }


def _add(args: argparse.Namespace) -> int:
    # Loaded here, not for every listing: the connectors and the sealing of secrets.
    from connectors.registry import descriptor
    from store.commands.setup import ensure_integration
    from store.models import Source

    db = open_store()
    with db.read() as session:
        owner = find_owner(session, args.owner)
    role = "source" if isinstance(owner, Source) else "channel"
    system = descriptor(owner.kind)
    kinds = sorted(k.name for k in system.kinds)
    why = system.unsupported_kinds.get(args.kind)
    if why:
        raise UsageError(f"{args.kind} is not available on {system.display_name}: {why}")
    if not kinds:
        raise CliError(
            f"the {system.display_name} connector is not built yet: this Dropdeck version "
            f"has no integrations for {owner.kind} {role}s"
        )
    if args.kind not in kinds:
        raise UsageError(
            f"unknown integration kind {args.kind!r} for {owner.kind} {role} {owner.name}; "
            f"kinds: {', '.join(kinds)}"
        )
    name = f"{owner.name}/{args.kind}"
    schedule = schedule_from_args(args, args.kind) or (ScheduleType.MANUAL.value, "")
    schedule_type, schedule_value = schedule
    settings = settings_from_args(args, {})
    validate_settings(db, owner.kind, args.kind, name, settings)
    with db.write() as session:
        if integration_by_name(session, name) is not None:
            raise CliError(
                f"{name} already exists; change it with 'dropdeck integrations set {name}'"
            )
        integration = ensure_integration(
            session,
            find_owner(session, owner.name),
            args.kind,
            settings=settings,
            schedule_type=schedule_type,
            schedule_value=schedule_value,
        )
        audit(session, "integration.add", "integration", integration.id, {}, _audited(integration))
    when = schedule_text(schedule_type, schedule_value)
    notes = auto_process_notes(db) if args.kind == "send_orders" else []
    text = f"integration {name} added ({when}); run it now with 'dropdeck run {name}'"
    result = {"action": "integration.add", "integration": name, "schedule": when}
    print_result(args, "\n".join([text, *notes]), result | {"notes": notes})
    return 0


def auto_process_notes(db: Database) -> list[str]:
    """send_orders sends only requests of channels with auto-process on: say which are off."""
    import sqlalchemy as sa

    from store import tables

    c = tables.channel.c
    with db.connect() as conn:
        off = conn.scalars(
            sa.select(c.name).where(c.auto_process.is_(False)).order_by(c.name)
        ).all()
    return [
        f"channel {name}: auto-process off, so send_orders leaves its orders pending; send "
        f"each with 'dropdeck orders send ORDER', or 'dropdeck channels set {name} "
        "--auto-process'"
        for name in off
    ]


def _change(args: argparse.Namespace) -> int:
    from store.coltypes import utcnow
    from store.models import Channel, Source

    db = open_store()
    with db.read() as session:
        integration = integration_by_name(session, args.name)
        if integration is None:
            raise CliError(f"no integration named '{args.name}' (see 'dropdeck integrations')")
        owner: Source | Channel | None = (
            session.get(Source, integration.source_id)
            if integration.source_id is not None
            else session.get(Channel, integration.channel_id)
        )
    schedule = schedule_from_args(args, integration.kind)
    touches_settings = args.settings_json is not None or args.assignments or args.unset
    if schedule is None and not touches_settings and args.enabled is None:
        raise UsageError(
            "nothing to change: give --every/--cron/--manual, --set/--unset/--settings-json, "
            "--enable or --disable"
        )
    settings = settings_from_args(args, integration.settings or {})
    if touches_settings:
        validate_settings(db, owner.kind if owner else "", integration.kind, args.name, settings)
    with db.write() as session:
        integration = integration_by_name(session, args.name)
        if integration is None:
            raise CliError(f"integration {args.name} was removed meanwhile")
        before = _audited(integration)
        if schedule is not None:
            integration.schedule_type, integration.schedule_value = schedule
        integration.settings = settings
        if args.enabled is not None:
            integration.enabled = args.enabled
        # The scheduler compares (schedule_type, schedule_value) on its next read.
        integration.updated_at = utcnow()
        session.add(integration)
        session.flush()
        audit(
            session,
            "integration.update",
            "integration",
            integration.id,
            before,
            _audited(integration),
        )
    after = _audited(integration)
    state = "enabled" if after["enabled"] else "disabled"
    result = {"action": "integration.update", "integration": args.name}
    print_result(
        args,
        f"integration {args.name} updated ({after['schedule']}, {state})",
        result | {"before": before, "after": after},
    )
    return 0
