"""Saved mapping templates and the integrations that name them (`mapping_template`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from store.models import MappingTemplate

from .runs import IntegrationOwner, integrations_with_owner

SETTING = "mapping_template"


@dataclass(frozen=True)
class TemplateRow:
    """A saved template as the CLI and the console show it."""

    name: str
    target: str
    system: str | None
    rules: dict[str, Any]
    mapping_sets: dict[str, Any]
    used_by: list[str] = field(default_factory=list)  # integration names naming it

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "system": self.system,
            "target": self.target,
            "rules": self.rules,
            "mapping_sets": self.mapping_sets,
            "used_by": self.used_by,
        }


def template_users(session: Session, name: str | None = None) -> dict[str, list[IntegrationOwner]]:
    """Template name → the integrations whose `mapping_template` setting names it."""
    out: dict[str, list[IntegrationOwner]] = {}
    for row in integrations_with_owner(session):
        value = (row.integration.settings or {}).get(SETTING)
        if isinstance(value, str) and (name is None or value == name):
            out.setdefault(value, []).append(row)
    return out


def template_rows(
    session: Session, *, system: str | None = None, target: str | None = None
) -> list[TemplateRow]:
    """Every saved template (optionally of one system or target), by name."""
    stmt = sa.select(MappingTemplate).order_by(col(MappingTemplate.name))
    if system is not None:
        stmt = stmt.where(col(MappingTemplate.system) == system)
    if target is not None:
        stmt = stmt.where(col(MappingTemplate.target) == target)
    users = template_users(session)
    return [
        TemplateRow(
            name=t.name,
            target=t.target,
            system=t.system,
            rules=dict(t.rules or {}),
            mapping_sets=dict(t.mapping_sets or {}),
            used_by=[u.integration.name for u in users.get(t.name, [])],
        )
        for t in session.scalars(stmt)
    ]


def template_row(session: Session, name: str) -> TemplateRow | None:
    """The saved template called `name`, or None."""
    found = session.scalars(
        sa.select(MappingTemplate).where(col(MappingTemplate.name) == name)
    ).first()
    if found is None:
        return None
    users = template_users(session, name).get(name, [])
    return TemplateRow(
        name=found.name,
        target=found.target,
        system=found.system,
        rules=dict(found.rules or {}),
        mapping_sets=dict(found.mapping_sets or {}),
        used_by=[u.integration.name for u in users],
    )
