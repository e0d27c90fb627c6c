"""Small helpers every subcommand shares: JSON output, tables, URL redaction, and the
set-up commands' name checks, record look-ups, audit rows, schedule and settings arguments."""

from __future__ import annotations

import argparse
import json
import re
from datetime import UTC
from typing import TYPE_CHECKING, Any

from store.states import IntegrationKind, ScheduleType

from ..errors import CliError, UsageError

# Re-exported: commands take their output helpers from here with the rest.
from ._output import counted as counted
from ._output import json_arg as json_arg
from ._output import print_json as print_json
from ._output import print_result as print_result
from ._output import print_table as print_table
from ._output import redacted_url as redacted_url

if TYPE_CHECKING:
    import sqlalchemy as sa
    from sqlmodel import Session

    from store.models import Channel, Connection, Source

# The look-ups below load SQLModel and the models when called, not when this module is
# imported: read commands take their arguments and output helpers from here too.


# --- set-up commands: names, lookups, audit ------------------------------------------------

# Owner names become part of integration names (`OWNER/KIND`), so no slash or space.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def checked_name(name: str, what: str) -> str:
    """A connection/source/channel name, or a usage error saying what a name may hold."""
    if not _NAME.fullmatch(name):
        raise UsageError(
            f"{what} name {name!r} is not valid: use letters, digits, '.', '_' or '-' "
            "(at most 64, starting with a letter or digit)"
        )
    return name


def find_connection(session: Session, name: str) -> Connection:
    import sqlalchemy as sa
    from sqlmodel import col

    from store.models import Connection

    conn = session.scalars(sa.select(Connection).where(col(Connection.name) == name)).first()
    if conn is None:
        raise CliError(f"no connection named '{name}' (see 'dropdeck connections list')")
    return conn


def find_source(session: Session, name: str) -> Source:
    import sqlalchemy as sa
    from sqlmodel import col

    from store.models import Source

    source = session.scalars(sa.select(Source).where(col(Source.name) == name)).first()
    if source is None:
        raise CliError(f"no source named '{name}' (see 'dropdeck sources list')")
    return source


def source_id_named(conn: sa.Connection | Session, name: str) -> int:
    """The id of the source called `name`, read through Core (read commands load no model)."""
    import sqlalchemy as sa

    from store import tables

    s = tables.source.c
    found = conn.scalar(sa.select(s.id).where(s.name == name))
    if found is None:
        raise CliError(f"no source named '{name}' (see 'dropdeck sources list')")
    return int(found)


def find_channel(session: Session, name: str) -> Channel:
    import sqlalchemy as sa
    from sqlmodel import col

    from store.models import Channel

    channel = session.scalars(sa.select(Channel).where(col(Channel.name) == name)).first()
    if channel is None:
        raise CliError(f"no channel named '{name}' (see 'dropdeck channels list')")
    return channel


def find_owner(session: Session, name: str) -> Source | Channel:
    """The source or channel called `name` (set-up keeps the two sets of names apart)."""
    import sqlalchemy as sa
    from sqlmodel import col

    from store.models import Channel, Source

    owner: Source | Channel | None = session.scalars(
        sa.select(Source).where(col(Source.name) == name)
    ).first()
    if owner is None:
        owner = session.scalars(sa.select(Channel).where(col(Channel.name) == name)).first()
    if owner is None:
        raise CliError(
            f"no source or channel named '{name}' "
            "(see 'dropdeck sources list' and 'dropdeck channels list')"
        )
    return owner


def refuse_taken_owner_name(session: Session, name: str) -> None:
    """Integration names are `OWNER/KIND`: a source and a channel may not share a name."""
    import sqlalchemy as sa
    from sqlmodel import col

    from store.models import Channel, Source

    owners: tuple[tuple[type[Source] | type[Channel], str], ...] = (
        (Source, "source"),
        (Channel, "channel"),
    )
    for model, label in owners:
        if (
            session.scalars(sa.select(col(model.id)).where(col(model.name) == name)).first()
            is not None
        ):
            raise CliError(
                f"a {label} named '{name}' already exists; choose another name "
                f"or change it with 'dropdeck {label}s set {name}'"
            )


def connection_names(session: Session) -> dict[int, str]:
    import sqlalchemy as sa

    from store.models import Connection

    return {c.id or 0: c.name for c in session.scalars(sa.select(Connection))}


def audit(
    session: Session,
    action: str,
    record_type: str,
    record_id: int | str | None,
    before: dict[str, Any],
    after: dict[str, Any],
) -> None:
    """One audit row by the operator at the CLI. Callers pass no secret values, only names."""
    from store.commands.audit import operator_name, record_audit

    record_audit(
        session,
        actor=operator_name("cli"),
        action=action,
        record_type=record_type,
        changes=[(str(record_id), before, after)],
    )


# --- schedule and settings arguments (integrations add/set) --------------------------------


def schedule_args(p: argparse.ArgumentParser) -> None:
    group = p.add_mutually_exclusive_group()
    group.add_argument("--every", metavar="DURATION", help="run every 90s, 10m, 2h or 1h30m")
    group.add_argument("--cron", metavar="LINE", help="five-field crontab (UTC): '*/5 * * * *'")
    group.add_argument("--manual", action="store_true", help="only run by hand (dropdeck run)")


def settings_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--set",
        dest="assignments",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a setting; VALUE is JSON (true, 7, '[\"processing\"]') or else text; repeatable",
    )
    p.add_argument("--settings-json", metavar="JSON", help="every setting as one JSON object")


_DURATION = re.compile(r"(?:\d+[smh])+")
_UNITS = {"s": 1, "m": 60, "h": 3600}


def interval_seconds(text: str) -> int:
    """`90`, `90s`, `10m`, `2h`, `1h30m` -> seconds, or a usage error."""
    from ..runtime.scheduler import MAX_INTERVAL_SECONDS  # the scheduler loads on use only

    value = text.strip().lower()
    if not (value.isdigit() or _DURATION.fullmatch(value)):
        raise UsageError(f"--every {text!r}: use a number with s, m or h, e.g. 90s, 10m, 1h30m")
    if len(value) > 40:  # int() refuses very long digit strings; this is far too long anyway
        seconds = MAX_INTERVAL_SECONDS + 1
    elif value.isdigit():
        seconds = int(value)
    else:
        seconds = sum(int(n) * _UNITS[u] for n, u in re.findall(r"(\d+)([smh])", value))
    if seconds <= 0:
        raise UsageError(f"--every {text!r}: the interval must be more than 0 seconds")
    if seconds > MAX_INTERVAL_SECONDS:
        raise UsageError(
            f"--every {text!r}: the interval may be at most 31 days (744h); "
            "for rarer runs use --cron, e.g. '0 3 1 * *' (monthly)"
        )
    return seconds


def schedule_from_args(args: argparse.Namespace, kind: str) -> tuple[str, str] | None:
    """(schedule_type, schedule_value) from --every/--cron/--manual; None if none given."""
    if args.every is None and args.cron is None:
        return (ScheduleType.MANUAL.value, "") if args.manual else None
    if kind == IntegrationKind.IMPORT_LISTINGS.value:
        raise UsageError(
            "import_listings runs only by hand (it can overwrite listings from the store); "
            "drop --every/--cron and start it with 'dropdeck run NAME'"
        )
    if args.every is not None:
        return ScheduleType.INTERVAL.value, str(interval_seconds(args.every))
    from apscheduler.triggers.cron import CronTrigger

    line = " ".join(args.cron.split())
    try:
        CronTrigger.from_crontab(line, timezone=UTC)  # what the scheduler will build
    except ValueError as exc:
        raise UsageError(
            f"--cron {args.cron!r}: {exc}; use five fields: minute hour day month weekday"
        ) from None
    return ScheduleType.CRON.value, line


def settings_from_args(args: argparse.Namespace, current: dict[str, Any]) -> dict[str, Any]:
    settings = dict(current)
    if args.settings_json is not None:
        try:
            settings = json.loads(args.settings_json)
        except ValueError as exc:
            raise UsageError(f"--settings-json is not JSON: {exc}") from None
        if not isinstance(settings, dict):
            raise UsageError('--settings-json must be a JSON object, e.g. {"days": 3}')
    for item in args.assignments:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--set {item!r}: use KEY=VALUE, e.g. --set days=3")
        try:
            settings[key.strip()] = json.loads(raw)
        except ValueError:
            settings[key.strip()] = raw  # plain text: --set mode=create_only
    for key in getattr(args, "unset", []):
        settings.pop(key, None)
    return settings
