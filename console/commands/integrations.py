"""`dropdeck integrations`: list integrations; pause or unpause one."""

from __future__ import annotations

import argparse
from typing import Any

from store.commands.audit import operator_name
from store.commands.runs import set_integration_paused
from store.queries.runs import (
    IntegrationOwner,
    integration_by_name,
    integrations_with_owner,
    last_runs,
)

from ..context import open_store
from ..errors import CliError
from ._common import print_json, print_table


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("integrations", help="list integrations; pause or unpause one")
    p.add_argument("--json", action="store_true", help="print a JSON list")
    p.set_defaults(handler=_list)
    actions = p.add_subparsers(title="actions", metavar="ACTION")
    pause = actions.add_parser("pause", help="pause an integration (no runs until unpaused)")
    pause.add_argument("name", help="integration name, e.g. woo-demo/sync_listings")
    pause.add_argument("--reason", default="paused by an operator", help="shown to operators")
    pause.set_defaults(handler=_pause)
    unpause = actions.add_parser("unpause", help="unpause an integration")
    unpause.add_argument("name", help="integration name")
    unpause.set_defaults(handler=_unpause)


def schedule_text(schedule_type: str, value: str) -> str:
    if schedule_type == "interval":
        return f"every {value}s"
    if schedule_type == "cron":
        return f"cron {value}"
    return "manual"


def as_json(row: IntegrationOwner, last: Any) -> dict[str, Any]:
    i = row.integration
    return {
        "name": i.name,
        "system": row.system,
        "kind": i.kind,
        "owner": row.owner_name,
        "schedule": schedule_text(i.schedule_type, i.schedule_value),
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
    with db.read() as session:
        rows = integrations_with_owner(session)
        last = last_runs(session)
    items = [as_json(row, last.get(row.integration.id or 0)) for row in rows]
    if args.json:
        print_json(items)
        return 0
    if not items:
        print("no integrations yet")
        return 0
    print_table(
        ["name", "system", "kind", "owner", "schedule", "state", "last run"],
        [
            [
                it["name"],
                it["system"],
                it["kind"],
                it["owner"],
                it["schedule"],
                f"paused: {it['paused_reason']}"
                if it["paused"]
                else ("enabled" if it["enabled"] else "disabled"),
                ""
                if it["last_run"] is None
                else f"{it['last_run']['status']} {(it['last_run']['finished_at'] or '')[:19]}",
            ]
            for it in items
        ],
    )
    return 0


def _set_paused(name: str, reason: str | None) -> int:
    db = open_store()
    with db.write() as session:
        integration = integration_by_name(session, name)
        if integration is None:
            raise CliError(f"no integration named '{name}' (see 'dropdeck integrations')")
        if (integration.paused_reason is None) == (reason is None):
            state = "paused" if reason else "not paused"
            print(f"{name} is already {state}")
            return 0
        set_integration_paused(session, integration, reason, actor=operator_name("cli"))
    print(f"{name} {'paused' if reason else 'unpaused'}")
    return 0


def _pause(args: argparse.Namespace) -> int:
    return _set_paused(args.name, args.reason)


def _unpause(args: argparse.Namespace) -> int:
    return _set_paused(args.name, None)
