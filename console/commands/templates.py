"""`dropdeck mappings templates`: saved mapping templates (the guides' "Mapping Template").

A template maps one target (inventory, order, shipment, invoice) of one system: each field
takes a rule (`field:PATH`, `value:TEXT`, `set:SET:PATH`, `empty`, or `none` = Disable).
Integrations name it in their `mapping_template` setting. Every change is checked the way
the run reads it — against the system's fields, its required fields, and every
integration that names the template — so a template that would fail a run is refused here.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from typing import Any

from connectors.errors import FatalError
from connectors.registry import descriptor, descriptors, parse_settings, template_kinds
from connectors.settings import StoredTemplate, TemplateLookup, TemplateSpec, stored_templates
from connectors.templates import template_fields
from store.commands.templates import remove_template, save_template
from store.db import Database
from store.queries.templates import TemplateRow, template_row, template_rows, template_users

from ..context import open_store
from ..errors import CliError, UsageError
from ._common import audit, json_arg, print_json, print_result, print_table

MAX_NAME = 64


def register(kinds: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = kinds.add_parser(
        "templates",
        help="mapping templates: list, show, add, set, remove",
        description="Saved mapping templates. A field takes a rule: field:PATH, value:TEXT, "
        "set:SET:PATH, empty, or none (Disable). Fields may be named in the guide's words "
        "('Sale Price').",
    )
    p.set_defaults(handler=_list, system=None, target=None, json=False)
    actions = p.add_subparsers(title="actions", metavar="ACTION")
    ls = actions.add_parser("list", help="list saved templates")
    ls.add_argument("--system", help="only this system's templates (wps, usdirect)")
    ls.add_argument("--target", help="only templates of this target (inventory, order, ...)")
    ls.add_argument("--json", action="store_true", help="print a JSON list")
    ls.set_defaults(handler=_list)
    show = actions.add_parser("show", help="every field of a template: its rule, or the default")
    show.add_argument("name")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(handler=_show)
    add = actions.add_parser("add", help="save a new template")
    add.add_argument("name", help="e.g. 'WPS Inventory 1'")
    add.add_argument("--system", required=True, help="whose fields it maps (wps, usdirect)")
    add.add_argument("--target", required=True, help="inventory, order, shipment or invoice")
    _rule_args(add)
    json_arg(add)
    add.set_defaults(handler=_add)
    change = actions.add_parser("set", help="change a template's rules")
    change.add_argument("name")
    _rule_args(change)
    change.add_argument(
        "--default",
        action="append",
        default=[],
        metavar="FIELD",
        help="drop FIELD's rule (the field then takes its default)",
    )
    json_arg(change)
    change.set_defaults(handler=_set)
    rm = actions.add_parser("remove", help="delete a template no integration names")
    rm.add_argument("name")
    json_arg(rm)
    rm.set_defaults(handler=_remove)


def _rule_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FIELD=RULE",
        help="e.g. 'Sale Price=field:mapp_price' (repeatable)",
    )
    p.add_argument(
        "--disable",
        action="append",
        default=[],
        metavar="FIELD",
        help="do not import or send FIELD (the rule none)",
    )
    p.add_argument("--rules-json", metavar="JSON", help="rules as one JSON object")
    p.add_argument(
        "--mapping-sets-json", metavar="JSON", help="mapping sets: {SET: {FROM: TO}} (replaces)"
    )


# -- reading the arguments ----------------------------------------------------------------


def _json_object(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{what} is not JSON: {exc}") from None
    if not isinstance(value, dict):
        raise UsageError(f"{what} must be a JSON object")
    return value


def _rules_from_args(args: argparse.Namespace, rules: dict[str, Any]) -> dict[str, Any]:
    out = dict(rules)
    if args.rules_json is not None:
        out.update(_json_object(args.rules_json, "--rules-json"))
    for item in args.map:
        field, sep, rule = item.partition("=")
        if not sep or not field.strip() or not rule.strip():
            raise UsageError(f"--map {item!r}: give FIELD=RULE, e.g. 'UPC=field:upc'")
        out[field.strip()] = rule.strip()
    for field in args.disable:
        out[field.strip()] = "none"
    return out


def _checked_name(name: str) -> str:
    if not name or name != name.strip() or len(name) > MAX_NAME or not name.isprintable():
        raise UsageError(
            f"template name {name!r} is not valid: use 1 to {MAX_NAME} printable characters, "
            "no leading or trailing spaces"
        )
    return name


def _spec(system: str, target: str) -> tuple[str, TemplateSpec]:
    try:
        found = template_kinds(descriptor(system).system)
    except FatalError as exc:
        raise UsageError(str(exc)) from None
    if target not in found:
        name = descriptor(system).display_name
        targets = ", ".join(found) or "none"
        raise UsageError(f"{name} has no {target!r} mapping template; its templates map: {targets}")
    return found[target]


def _canonical(spec: TemplateSpec, rules: Mapping[str, Any]) -> dict[str, Any]:
    if spec.canonical is None:
        return dict(rules)
    try:
        return spec.canonical(rules)
    except ValueError as exc:
        raise UsageError(f"mapping_template: {exc}") from None


# -- checking a template the way the run reads it ----------------------------------------------


def _check(db: Database, name: str, system: str, target: str, candidate: StoredTemplate) -> None:
    """Parse the template with the kind that reads it, then every integration naming it."""
    base = stored_templates(db)

    saved = name

    def lookup(name: str) -> StoredTemplate | None:
        return candidate if name == saved else base(name)

    kind, _ = _spec(system, target)
    _parse(system, kind, {"mapping_template": name}, f"template {name!r}", lookup)
    with db.read() as session:
        users = template_users(session, name).get(name, [])
    for user in users:
        settings = dict(user.integration.settings or {})
        settings.pop("max_consecutive_failures", None)  # the runtime's, not the kind's
        _parse(user.system, user.integration.kind, settings, user.integration.name, lookup)


def _parse(
    system: str, kind: str, raw: dict[str, Any], who: str, templates: TemplateLookup
) -> None:
    try:
        parse_settings(system, kind, raw, integration=who, templates=templates)
    except FatalError as exc:
        message = str(exc)
        raise UsageError(message if message.startswith(who) else f"{who}: {message}") from None


# -- actions -------------------------------------------------------------------------------


def _add(args: argparse.Namespace) -> int:
    name = _checked_name(args.name)
    system, target = args.system.strip().lower(), args.target.strip().lower()
    _, spec = _spec(system, target)
    rules = _canonical(spec, _rules_from_args(args, {}))
    sets = _json_object(args.mapping_sets_json or "{}", "--mapping-sets-json")
    db = open_store()
    with db.read() as session:
        if template_row(session, name) is not None:
            raise CliError(
                f"mapping template {name!r} exists; change it with "
                f"'dropdeck mappings templates set {name!r}'"
            )
    _check(db, name, system, target, StoredTemplate(target, rules, sets))
    with db.write() as session:
        before, after = save_template(
            session, name=name, system=system, target=target, rules=rules, mapping_sets=sets
        )
        audit(session, "mapping_template.add", "mapping_template", name, before, after)
    print_result(
        args,
        f"mapping template {name!r} added ({descriptor(system).display_name} {target})",
        {"action": "mapping_template.add", "template": name, "after": after},
    )
    return 0


def _set(args: argparse.Namespace) -> int:
    db = open_store()
    with db.read() as session:
        row = template_row(session, args.name)
    if row is None:
        raise CliError(_missing(args.name))
    if not (args.map or args.disable or args.default or args.rules_json or args.mapping_sets_json):
        raise UsageError(
            "nothing to change: give --map, --disable, --default, --rules-json or "
            "--mapping-sets-json"
        )
    system = row.system or _guess_system(row)
    _, spec = _spec(system, row.target)
    rules = _canonical(spec, _rules_from_args(args, _canonical(spec, row.rules)))
    for field in args.default:
        rules.pop(spec.key_of(field.strip()), None)
    sets = row.mapping_sets
    if args.mapping_sets_json is not None:
        sets = _json_object(args.mapping_sets_json, "--mapping-sets-json")
    _check(db, row.name, system, row.target, StoredTemplate(row.target, rules, sets))
    with db.write() as session:
        before, after = save_template(
            session, name=row.name, system=system, target=row.target, rules=rules, mapping_sets=sets
        )
        result = {"action": "mapping_template.update", "template": row.name, "used_by": row.used_by}
        if before == after:
            text = f"mapping template {row.name!r} unchanged"
            print_result(args, text, result | {"changed": False})
            return 0
        audit(session, "mapping_template.update", "mapping_template", row.name, before, after)
    users = f"; used by {', '.join(row.used_by)} from their next run" if row.used_by else ""
    print_result(
        args,
        f"mapping template {row.name!r} updated{users}",
        result | {"changed": True, "before": before, "after": after},
    )
    return 0


def _remove(args: argparse.Namespace) -> int:
    db = open_store()
    with db.write() as session:
        users = template_users(session, args.name).get(args.name, [])
        if users:
            first = users[0].integration.name
            raise CliError(
                f"mapping template {args.name!r} is used by "
                f"{', '.join(u.integration.name for u in users)}; point them elsewhere first "
                f"(e.g. 'dropdeck integrations set {first} --unset mapping_template')"
            )
        before = remove_template(session, args.name)
        if before is None:
            raise CliError(_missing(args.name))
        audit(session, "mapping_template.remove", "mapping_template", args.name, before, {})
    print_result(
        args,
        f"mapping template {args.name!r} removed",
        {"action": "mapping_template.remove", "template": args.name, "before": before},
    )
    return 0


def _missing(name: str) -> str:
    return f"no mapping template named {name!r} (see 'dropdeck mappings templates list')"


def _guess_system(row: TemplateRow) -> str:
    """A template saved before templates named their system: the one its users run."""
    with open_store().read() as session:
        users = template_users(session, row.name).get(row.name, [])
    systems = {u.system for u in users}
    if len(systems) == 1:
        return systems.pop()
    known = [s for s, d in descriptors().items() if row.target in template_kinds(s)]
    raise UsageError(
        f"mapping template {row.name!r} does not say which system it maps; remove it and add "
        f"it again with --system ({' or '.join(known)})"
    )


# -- listing -------------------------------------------------------------------------------


def _list(args: argparse.Namespace) -> int:
    db = open_store()
    with db.read() as session:
        rows = template_rows(session, system=args.system, target=args.target)
    if args.json:
        print_json(r.as_json() for r in rows)
    elif not rows:
        print(
            "no mapping templates; add one with 'dropdeck mappings templates add NAME "
            "--system wps --target inventory --map FIELD=RULE'"
        )
    else:
        print_table(
            ["name", "system", "target", "rules", "used by"],
            [
                [
                    r.name,
                    _system_name(r.system),
                    r.target,
                    len(r.rules),
                    ", ".join(r.used_by) or "-",
                ]
                for r in rows
            ],
        )
    return 0


def _system_name(system: str | None) -> str:
    if system is None:
        return "-"
    found = descriptors().get(system)
    return found.display_name if found is not None else system


def _show(args: argparse.Namespace) -> int:
    db = open_store()
    with db.read() as session:
        row = template_row(session, args.name)
    if row is None:
        raise CliError(_missing(args.name))
    fields = template_fields(row.system, row.target, row.rules)
    if args.json:
        print_json([{**row.as_json(), "fields": fields}])
        return 0
    print(f"{row.name}: {_system_name(row.system)} {row.target} template")
    print(f"used by: {', '.join(row.used_by) or 'no integration'}")
    print_table(
        ["field", "maps to", "rule", "from", "status"],
        [
            [
                f["field"],
                f.get("maps_to", ""),
                "Disable" if f["rule"] == "none" else f["rule"],
                f["from"],
                "Required"
                if f.get("required")
                else "Disabled"
                if f["rule"] == "none"
                else "Enabled",
            ]
            for f in fields
        ],
    )
    if row.mapping_sets:
        print("mapping sets: " + ", ".join(sorted(row.mapping_sets)))
    return 0
