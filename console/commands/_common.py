"""Small helpers every subcommand shares: JSON output, tables, URL redaction, and the
set-up commands' name checks, record look-ups and audit rows."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from store.commands.audit import operator_name, record_audit
from store.models import Channel, Connection, Source

from ..errors import CliError, UsageError


def redacted_url(url: str) -> str:
    return sa.make_url(url).render_as_string(hide_password=True)


def print_json(rows: Iterable[dict[str, Any]]) -> None:
    json.dump(list(rows), sys.stdout, default=str)
    sys.stdout.write("\n")


def print_table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """A plain, aligned text table (for humans; scripts use --json)."""
    text_rows = [["" if v is None else str(v) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in text_rows:
        widths = [max(w, len(v)) for w, v in zip(widths, row, strict=True)]
    line = "  ".join(h.upper().ljust(w) for h, w in zip(headers, widths, strict=True))
    print(line.rstrip())
    for row in text_rows:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())


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
    conn = session.scalars(sa.select(Connection).where(Connection.name == name)).first()
    if conn is None:
        raise CliError(f"no connection named '{name}' (see 'dropdeck connections list')")
    return conn


def find_source(session: Session, name: str) -> Source:
    source = session.scalars(sa.select(Source).where(Source.name == name)).first()
    if source is None:
        raise CliError(f"no source named '{name}' (see 'dropdeck sources list')")
    return source


def find_channel(session: Session, name: str) -> Channel:
    channel = session.scalars(sa.select(Channel).where(Channel.name == name)).first()
    if channel is None:
        raise CliError(f"no channel named '{name}' (see 'dropdeck channels list')")
    return channel


def find_owner(session: Session, name: str) -> Source | Channel:
    """The source or channel called `name` (set-up keeps the two sets of names apart)."""
    owner: Source | Channel | None = session.scalars(
        sa.select(Source).where(Source.name == name)
    ).first()
    if owner is None:
        owner = session.scalars(sa.select(Channel).where(Channel.name == name)).first()
    if owner is None:
        raise CliError(
            f"no source or channel named '{name}' "
            "(see 'dropdeck sources list' and 'dropdeck channels list')"
        )
    return owner


def refuse_taken_owner_name(session: Session, name: str) -> None:
    """Integration names are `OWNER/KIND`: a source and a channel may not share a name."""
    for model, label in ((Source, "source"), (Channel, "channel")):
        if session.scalars(sa.select(model.id).where(model.name == name)).first() is not None:
            raise CliError(
                f"a {label} named '{name}' already exists; choose another name "
                f"or change it with 'dropdeck {label}s set {name}'"
            )


def connection_names(session: Session) -> dict[int, str]:
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
    record_audit(
        session,
        actor=operator_name("cli"),
        action=action,
        record_type=record_type,
        changes=[(str(record_id), before, after)],
    )
