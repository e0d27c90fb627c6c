"""A source's inventory, written a page at a time: mapped rows in, counts out.

A source connector maps each page of its catalogue to `inventory_item` rows (`source_id`,
`sku`, `parent_sku`, the columns it owns, `updated_at`) and hands them to
`InventoryWriter.write`, which stores what changed with one pre-read and one statement per
page and says which SKUs were created, updated or left unchanged. `ParentTally` turns
those into per-run parent counts (a product's variants can span pages).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from ..db import Database
from ..models import InventoryItem
from .bulk import upsert

ParentKey = tuple[str, bool]  # (parent sku, is a variant)


@dataclass
class PageResult:
    """What writing one page did, for the run's counters."""

    created: list[ParentKey] = field(default_factory=list)
    updated: list[ParentKey] = field(default_factory=list)
    unchanged: list[ParentKey] = field(default_factory=list)
    skipped: int = 0  # rows for SKUs not imported yet, when the writer may not create


class InventoryWriter:
    """Writes pages of one source's inventory rows: one pre-read, one upsert (or update).

    `columns` are the columns the rows carry and own (compared and updated). With
    `create=False` (a price-and-quantity run) rows for SKUs the store does not have yet are
    skipped and existing ones get a plain UPDATE of `columns`.
    """

    def __init__(
        self, db: Database, source_id: int, *, columns: Sequence[str], create: bool = True
    ) -> None:
        self.db = db
        self.source_id = source_id
        self.columns = tuple(columns)
        self.create = create
        self.table = InventoryItem.__table__
        # Whether the source had no items when this writer wrote its first page (None: not
        # yet known). Then every SKU is new until this run writes it, so a page needs no
        # pre-read but for SKUs an earlier page of the run already wrote (kept in `written`).
        self.fresh: bool | None = None
        self.written: set[str] = set()

    def write(self, rows: Iterable[dict[str, Any]]) -> PageResult:
        """Store the rows of one page (a SKU twice: the later row wins); call off the loop."""
        by_sku = {row["sku"]: row for row in rows}
        result = PageResult()
        if not by_sku:
            return result
        c = self.table.c
        with self.db.write() as session:
            if self.fresh is None:
                self.fresh = self.create and self._source_is_empty(session)
            if self.fresh:
                # Nothing of this source existed before the run: only SKUs this run already
                # wrote can be in the store, so only those are read back.
                to_read = [sku for sku in by_sku if sku in self.written]
                self.written.update(by_sku)
            else:
                to_read = list(by_sku)
            existing = {}
            if to_read:
                existing = {
                    r.sku: r
                    for r in session.execute(
                        sa.select(c.sku, c.parent_sku, *(c[n] for n in self.columns)).where(
                            c.source_id == self.source_id, c.sku.in_(to_read)
                        )
                    )
                }
            changed = []
            created = result.created
            for sku, row in by_sku.items():
                old = existing.get(sku)
                if old is None:
                    if not self.create:
                        result.skipped += 1  # not imported yet: a full import brings it in
                        continue
                    parent = row["parent_sku"]
                    created.append((parent, parent != sku))
                    changed.append(row)
                    continue
                key = (old.parent_sku, old.parent_sku != sku)
                if any(getattr(old, n) != row[n] for n in self.columns):
                    result.updated.append(key)
                    changed.append(row)
                else:
                    result.unchanged.append(key)
            if not changed:
                return result
            if self.create:
                upsert(
                    session,
                    InventoryItem,
                    changed,
                    keys=("source_id", "sku"),
                    update=(*self.columns, "updated_at"),
                    # Unchanged rows were already left out by the pre-read; the statement's
                    # own "only if changed" would compare JSON columns, which PostgreSQL's
                    # json type cannot do.
                    only_if_changed=False,
                )
            else:
                self._update(session, changed)
        return result

    def _source_is_empty(self, session: Session) -> bool:
        c = self.table.c
        found = session.execute(
            sa.select(sa.literal(1)).where(c.source_id == self.source_id).limit(1)
        ).first()
        return found is None

    def _update(self, session: Session, rows: list[dict[str, Any]]) -> None:
        """One executemany UPDATE of `columns` only."""
        c = self.table.c
        stmt = (
            sa.update(self.table)
            .where(c.source_id == sa.bindparam("k_source"), c.sku == sa.bindparam("k_sku"))
            .values({n: sa.bindparam(n) for n in (*self.columns, "updated_at")})
        )
        params = [
            {
                "k_source": r["source_id"],
                "k_sku": r["sku"],
                **{n: r[n] for n in self.columns},
                "updated_at": r["updated_at"],
            }
            for r in rows
        ]
        session.connection().execute(stmt, params)


class ParentTally:
    """Counts parents once per run (a product's variants can span pages)."""

    def __init__(self) -> None:
        self.seen: dict[str, list[bool]] = {}  # parent -> [existed before, changed]

    def add(self, parent: str, *, existed: bool, changed: bool) -> None:
        """Note one row of `parent`."""
        state = self.seen.setdefault(parent, [False, False])
        state[0] = state[0] or existed
        state[1] = state[1] or changed

    def add_all(self, rows: list[ParentKey], *, existed: bool, changed: bool) -> None:
        """`add` for each (parent, is variant) of a page."""
        seen = self.seen
        for parent, _ in rows:
            state = seen.get(parent)
            if state is None:
                seen[parent] = [existed, changed]
            else:
                state[0] = state[0] or existed
                state[1] = state[1] or changed

    def add_page(self, result: PageResult) -> None:
        """Note every row a page created, updated or left unchanged."""
        self.add_all(result.created, existed=False, changed=True)
        self.add_all(result.updated, existed=True, changed=True)
        self.add_all(result.unchanged, existed=True, changed=False)

    def counts(self) -> tuple[int, int]:
        """(parents created, parents updated) by this run."""
        created = sum(1 for existed, _ in self.seen.values() if not existed)
        updated = sum(1 for existed, changed in self.seen.values() if existed and changed)
        return created, updated
