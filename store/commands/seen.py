"""Act only on rows as the operator saw them: compare-and-set on the row version.

A console shows rows with their `version` (the database bumps it whenever an update sets a
column an operator's action depends on: migrations 0011 and 0013). An action carries the
versions the operator saw; before it changes anything, `claim` takes each row with
`UPDATE … WHERE id = ? AND version = ?` in the action's own transaction. A row that
changed meanwhile (another operator, a worker) makes the whole action refuse with
`RowChanged`, naming the row and what it is now, instead of overwriting what the operator
never saw. Taking the row also locks it (PostgreSQL) for the rest of the transaction, so
nothing slips in between the check and the action.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Concatenate, ParamSpec, TypeVar

import sqlalchemy as sa
from sqlmodel import Session

from ..models import FulfillmentRequest, Integration, ListingVariant, Order
from ..models._types import TableModel

P = ParamSpec("P")
T = TypeVar("T")
CHUNK = 500  # (id, version) pairs per statement


class RowChanged(ValueError):
    """The row changed since the operator looked; nothing was done. The message names it
    and says what it is now."""


@dataclass(frozen=True)
class Seen:
    """The rows of one table an action is about, at the versions the operator saw."""

    model: type[TableModel]
    versions: Mapping[int, int]
    """row id -> version"""


def seen_name(model: type[TableModel]) -> str:
    return str(model.__table__.name).replace("_", " ")


def _now(session: Session, model: type[TableModel], row_id: int) -> tuple[str, str]:
    """(`order 1042`, `shipped`): the row's name and what it is now, in the operator's words."""
    row = session.get(model, row_id)
    if isinstance(row, Order):
        return f"order {row.number}", row.status.replace("_", " ")
    if isinstance(row, FulfillmentRequest):
        return f"PO {row.po_number}", row.status.replace("_", " ")
    if isinstance(row, Integration):
        state = "paused" if row.paused_reason else "enabled" if row.enabled else "disabled"
        return f"integration {row.name}", state
    if isinstance(row, ListingVariant):
        words = [row.link_state.replace("_", " ")]
        words += [flag for flag in ("paused", "hidden") if getattr(row, flag)]
        if row.pending:
            words.append(f"pending {row.pending}")
        return f"listing {row.sku}", ", ".join(words)
    return f"{seen_name(model)} {row_id}", "deleted"


def claim(session: Session, seen: Seen) -> None:
    """Take every row at the version the operator saw, or raise `RowChanged` (the caller's
    transaction then rolls back: nothing is done)."""
    t = seen.model.__table__
    pairs = list(seen.versions.items())
    taken: set[int] = set()
    for start in range(0, len(pairs), CHUNK):
        chunk = pairs[start : start + CHUNK]
        # SET version = version changes nothing (no watched column): it only takes the row.
        result = session.execute(
            sa.update(t)
            .where(sa.tuple_(t.c.id, t.c.version).in_(chunk))
            .values(version=t.c.version)
            .returning(t.c.id)
            .execution_options(synchronize_session=False)
        )
        taken.update(result.scalars())
    changed = [row_id for row_id, _ in pairs if row_id not in taken]
    if not changed:
        return
    name, state = _now(session, seen.model, changed[0])
    if len(pairs) == 1:
        raise RowChanged(f"{name[:1].upper()}{name[1:]} changed since you looked (now {state})")
    more = f" and {len(changed) - 1} more" if len(changed) > 1 else ""
    raise RowChanged(
        f"{len(changed)} of {len(pairs)} changed since you looked ({name} now {state}{more}); "
        "nothing was done"
    )


def claimed(
    session: Session,
    seen: Seen | None,
    fn: Callable[Concatenate[Session, P], T],
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    """`fn(session, …)` after `claim(session, seen)`, in one transaction (None: no check)."""
    if seen is not None:
        claim(session, seen)
    return fn(session, *args, **kwargs)
