"""Save and remove mapping templates (the CLI checks them against their system first)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from store.models import MappingTemplate


def _find(session: Session, name: str) -> MappingTemplate | None:
    return session.scalars(
        sa.select(MappingTemplate).where(col(MappingTemplate.name) == name)
    ).first()


def _state(row: MappingTemplate) -> dict[str, Any]:
    return {
        "name": row.name,
        "system": row.system,
        "target": row.target,
        "rules": dict(row.rules or {}),
        "mapping_sets": dict(row.mapping_sets or {}),
    }


def save_template(
    session: Session,
    *,
    name: str,
    system: str | None,
    target: str,
    rules: dict[str, Any],
    mapping_sets: dict[str, Any],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Create or replace the template `name`; (before, after) for the audit ({} when new)."""
    row = _find(session, name)
    before = {} if row is None else _state(row)
    if row is None:
        row = MappingTemplate(name=name, target=target)
    row.system, row.target = system, target
    row.rules, row.mapping_sets = dict(rules), dict(mapping_sets)
    session.add(row)
    session.flush()
    return before, _state(row)


def remove_template(session: Session, name: str) -> dict[str, Any] | None:
    """Delete the template `name`; what it was (None when there is none)."""
    row = _find(session, name)
    if row is None:
        return None
    before = _state(row)
    session.delete(row)
    session.flush()
    return before
