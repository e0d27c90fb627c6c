"""This database's installation id, and the PO numbers that carry it.

Two businesses on one supplier account each number their orders from 1, so a PO built from
local ids alone (`DD<order id>S<source id>`) is the same in both databases, and one would
take the other's order at the supplier for its own. Every database therefore gets an
installation id, made once and stored, and every PO carries it:
`[prefix]DD<installation id>-<order id>S<source id>`.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa

from . import tables

if TYPE_CHECKING:
    from sqlmodel import Session

    Executor = sa.Connection | Session
    """A Core connection (`Database.connect`) or a session: reading the id needs no ORM."""

# Crockford's base32 (no I, L, O, U): read aloud and typed without mistakes.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ID_LENGTH = 5  # 32**5 = 33.5 million ids
PO_PREFIX_MAX = 8
PO_PREFIX_PATTERN = re.compile(rf"[A-Z0-9-]{{0,{PO_PREFIX_MAX}}}")
# The setting of a source's send_orders integration that names its PO prefix.
PO_PREFIX_SETTING = "po_prefix"


# Read through its Core clause: no model classes, so `dropdeck about` starts without SQLModel.
INSTALLATION = tables.installation


def new_installation_id() -> str:
    """A random installation id."""
    return "".join(secrets.choice(ALPHABET) for _ in range(ID_LENGTH))


def stored_installation_id(session: Executor) -> str | None:
    """The id, or None when this database has not made one yet (reads only)."""
    found: str | None = session.scalar(
        sa.select(INSTALLATION.c.installation_id).where(INSTALLATION.c.id == 1)
    )
    return found


def installation_id(session: Executor) -> str:
    """The id, made and stored the first time it is asked for (the same ever after).

    Two processes making it at once both insert row 1; one insert fails on the primary key
    and that process reads the winner's id instead.
    """
    found = stored_installation_id(session)
    if found is not None:
        return found
    from .models import Installation  # once per database: the typed table writes the row

    try:
        with session.begin_nested():
            session.execute(
                sa.insert(Installation.__table__).values(
                    id=1, installation_id=new_installation_id(), created_at=datetime.now(UTC)
                )
            )
    except sa.exc.IntegrityError:
        pass
    made = stored_installation_id(session)
    assert made is not None
    return made


def check_po_prefix(raw: object) -> str:
    """The prefix as it goes into POs (upper case); ValueError says what to fix."""
    text = "" if raw is None else str(raw).strip().upper()
    if not PO_PREFIX_PATTERN.fullmatch(text):
        raise ValueError(
            f"PO prefix {str(raw)!r} must be at most {PO_PREFIX_MAX} letters, digits or '-'"
        )
    return text


def po_prefix(session: Session, source_id: int) -> str:
    """The PO prefix set on the source's send_orders integration ('' when none)."""
    from sqlmodel import col

    from .models import Integration
    from .models.config import IntegrationKind

    settings = session.scalars(
        sa.select(col(Integration.settings)).where(
            col(Integration.source_id) == source_id,
            col(Integration.kind) == IntegrationKind.SEND_ORDERS.value,
        )
    ).first()
    raw = (settings or {}).get(PO_PREFIX_SETTING)
    try:
        return check_po_prefix(raw)
    except ValueError:
        return ""  # refused at set-up; a hand-edited bad value is left out, never sent


def format_po_number(installation: str, order_id: int, source_id: int, prefix: str = "") -> str:
    """`[prefix]DD<installation id>-<order id>S<source id>`."""
    return f"{prefix}DD{installation}-{order_id}S{source_id}"


def longest_po_number(prefix: str) -> str:
    """The longest PO this prefix makes for up to 99,999,999 orders and 9,999 sources."""
    return format_po_number("X" * ID_LENGTH, 99_999_999, 9_999, prefix)


def po_number(session: Session, order_id: int, source_id: int) -> str:
    """The PO for this order's request to this source; never changes once the request exists."""
    return format_po_number(
        installation_id(session), order_id, source_id, po_prefix(session, source_id)
    )
