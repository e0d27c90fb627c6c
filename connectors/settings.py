"""Integration settings, shared by every connector: one error, typed parsers, templates.

Each integration kind's settings are a frozen dataclass beside its connector
(`connectors/<system>/settings.py`) that satisfies `KindSettings`: one entry point the run
and the set-up validation (CLI, console, registry) both call, before any request:

    @dataclass(frozen=True)
    class InventorySettings:
        KEYS: ClassVar[tuple[str, ...]] = ("page_size", "mapping_template")
        TEMPLATE: ClassVar[TemplateSpec] = TemplateSpec.of("inventory", DEFAULTS, REQUIRED)
        page_size: int
        template: Template

        @classmethod
        def parse(
            cls, raw: Mapping[str, Any], *, integration: str, kind: str,
            templates: TemplateLookup,
        ) -> InventorySettings:
            r = SettingsReader(raw, kind_style(kind))  # or integration_style(integration)
            return cls(
                page_size=r.integer("page_size", 5000, 1, 10_000),
                template=r.template(cls.TEMPLATE, base=..., purpose=..., templates=templates),
            )

A connector registers `{kind: SettingsType}`; callers run
`SettingsType.parse(raw, integration=name, kind=kind, templates=stored_templates(db))`.
`KEYS` lists the settings the kind reads (the parsers ignore other keys, so callers refuse
unknown ones against it). A bad value raises `SettingsError` (a `FatalError`) whose one
line names the setting and says what to fix; `integration_style` and `kind_style` are the
two ways that line reads (kept as operators and tests know them).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, Self

import sqlalchemy as sa
from sqlmodel import col

from store import installation
from store.commands.pricing import ListingRule
from store.db import Database
from store.models import MappingTemplate

from .errors import FatalError
from .mapping import RuleKind, Template

MAX_DAYS = 3650  # "within N days" look-backs: ten years is already everything


class SettingsError(FatalError):
    """An integration setting is missing or invalid; the message names it and says what to fix."""


# -- templates -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredTemplate:
    """A saved mapping template: what it maps (`inventory`, `order`, …), rules, mapping sets."""

    target: str
    rules: dict[str, Any]
    mapping_sets: dict[str, Any]


class TemplateLookup(Protocol):
    """Loads a saved mapping template by name; None when there is none of that name."""

    def __call__(self, name: str) -> StoredTemplate | None: ...


def stored_templates(db: Database) -> TemplateLookup:
    """A `TemplateLookup` over the `mapping_template` table of `db`."""

    def load(name: str) -> StoredTemplate | None:
        with db.read() as session:
            row = session.scalars(
                sa.select(MappingTemplate).where(col(MappingTemplate.name) == name)
            ).first()
            if row is None:
                return None
            return StoredTemplate(row.target, dict(row.rules or {}), dict(row.mapping_sets or {}))

    return load


@dataclass(frozen=True)
class TemplateField:
    """One field a mapping template can map, as `dropdeck mappings templates show` lists it."""

    key: str  # the rules' key
    label: str  # the guide's words ("Sale Price"; the key itself where they are the key)
    maps_to: str = ""  # what it fills, in the guide's words ("Discounted Price")
    default: str = "none"  # the rule a template that does not name it gets
    required: bool = False
    follows: str = ""  # a Variant field left unmapped takes this field's rule


@dataclass(frozen=True)
class TemplateSpec:
    """What a kind's mapping template maps: its target, fields, and the names it also takes.

    A settings type whose kind reads a template says so with `TEMPLATE: ClassVar[TemplateSpec]`;
    the CLI and the console list and check saved templates against it.
    """

    target: str  # "inventory", "order", "shipment", "invoice"
    fields: tuple[TemplateField, ...]
    canonical: Callable[[Mapping[str, Any]], dict[str, Any]] | None = None

    @classmethod
    def of(
        cls,
        target: str,
        defaults: Mapping[str, str],
        required: Sequence[str],
        extra: Sequence[str] = (),
    ) -> TemplateSpec:
        """A spec whose field keys are the guide's words (or all there is to say of them)."""
        keys = [*defaults, *(k for k in (*required, *extra) if k not in defaults)]
        return cls(
            target,
            tuple(
                TemplateField(k, k, default=defaults.get(k, "none"), required=k in required)
                for k in keys
            ),
        )

    def key_of(self, name: str) -> str:
        """The rules' key for `name` (the guide's words or an older key)."""
        if self.canonical is None:
            return name
        return next(iter(self.canonical({name: ""})))


def no_templates(name: str) -> StoredTemplate | None:
    """A `TemplateLookup` that knows no templates (kinds without a `mapping_template`)."""
    return None


# -- the entry point ---------------------------------------------------------------------------


class KindSettings(Protocol):
    """What every kind's settings type offers the runtime and the set-up validation."""

    KEYS: ClassVar[tuple[str, ...]]

    @classmethod
    def parse(
        cls,
        raw: Mapping[str, Any],
        *,
        integration: str,
        kind: str,
        templates: TemplateLookup,
    ) -> Self:
        """The validated settings; `SettingsError` names the first bad one."""
        ...


# -- how errors read ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ErrorStyle:
    """How one connector's settings errors read: the setting's name, the whole line."""

    name: Callable[[str], str]
    line: Callable[[str], str]


def integration_style(integration: str) -> ErrorStyle:
    """`woo/get_orders: invalid setting: days must be …; fix it in the integration`."""
    return ErrorStyle(
        name=lambda setting: setting,
        line=lambda text: f"{integration}: invalid setting: {text}; fix it in the integration",
    )


def kind_style(kind: str) -> ErrorStyle:
    """`get_invoice setting 'within_days' must be …`."""
    return ErrorStyle(name=lambda setting: f"{kind} setting '{setting}'", line=lambda text: text)


# -- typed parsers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SettingsReader:
    """Reads typed values out of an integration's raw settings, refusing bad ones."""

    raw: Mapping[str, Any]
    style: ErrorStyle

    def error(self, name: str, problem: str) -> SettingsError:
        """`SettingsError` for setting `name`; `problem` follows its name (" must be …")."""
        return SettingsError(self.style.line(f"{self.style.name(name)}{problem}"))

    def boolean(self, name: str, default: bool) -> bool:
        """true or false."""
        value = self.raw.get(name, default)
        if not isinstance(value, bool):
            raise self.error(name, f" must be true or false, not {value!r}")
        return value

    def integer(self, name: str, default: int, low: int, high: int) -> int:
        """A whole number from `low` to `high`."""
        value = self.raw.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.error(name, f" must be a whole number from {low} to {high}, not {value!r}")
        return value

    def choice(self, name: str, options: Sequence[str]) -> str:
        """One of `options`; the first is the default."""
        value = self.raw.get(name, options[0])
        if value not in options:
            listed = " or ".join(repr(o) for o in options)
            raise self.error(name, f" must be {listed}, not {value!r}")
        return str(value)

    def days(self, name: str, default: int | None) -> int | None:
        """A whole number of days from 1 to MAX_DAYS, or null (no limit)."""
        value = self.raw.get(name, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise self.error(name, f" must be a whole number of days >= 1 (or null), not {value!r}")
        if value > MAX_DAYS:
            raise self.error(name, f" must be at most {MAX_DAYS} days (or null), not {value!r}")
        return value

    def codes(self, name: str, allowed: Sequence[str], default: Sequence[str]) -> tuple[str, ...]:
        """One or more of `allowed` (upper-cased), as a list or a comma/space-separated text."""
        value = self.raw.get(name, list(default))
        if isinstance(value, str):
            value = [v for v in value.replace(" ", ",").split(",") if v]
        if not isinstance(value, list) or not value:
            raise self.error(name, f" must list one or more of {', '.join(allowed)}")
        codes = tuple(str(v).strip().upper() for v in value)
        bad = [c for c in codes if c not in allowed]
        if bad:
            raise self.error(name, f": unknown {', '.join(bad)}; use {', '.join(allowed)}")
        return codes

    def po_prefix(self, supplier: str, po_max_length: int) -> str:
        """`po_prefix`: put before every PO; the longest PO must still fit the supplier."""
        name = installation.PO_PREFIX_SETTING
        try:
            prefix = installation.check_po_prefix(self.raw.get(name))
        except ValueError as exc:
            raise self.error(name, f": {exc}") from None
        longest = installation.longest_po_number(prefix)
        if len(longest) > po_max_length:
            raise self.error(
                name,
                f": POs would reach {len(longest)} characters and {supplier} takes "
                f"{po_max_length}; use at most {po_max_length - len(longest) + len(prefix)}",
            )
        return prefix

    def listing_rule(self) -> ListingRule:
        """The listing price rule (`price_from`, `markup_percent`, `safety_buffer`)."""
        try:
            return ListingRule.from_settings(dict(self.raw))
        except ValueError as exc:
            raise SettingsError(self.style.line(str(exc))) from None

    def template(
        self,
        spec: TemplateSpec,
        *,
        base: Template,
        purpose: str,
        templates: TemplateLookup,
    ) -> Template:
        """`mapping_template`: a saved template's name or rules inline, over `base`.

        Refused before any request: a template of another target than `spec`'s, a field
        `spec` does not map (not silently dropped), and one that leaves a required field
        unmapped (in the guides' words: "Invalid request: Missing required field '…' for
        <purpose>"). `spec.canonical` renames the fields a connector also takes under other
        names (the guide's words).
        """
        target, canonical = spec.target, spec.canonical
        required = tuple(f.key for f in spec.fields if f.required)
        targets = tuple(f.key for f in spec.fields)
        name = "mapping_template"
        rules, sets = self._template_rules(target, templates)
        if canonical is not None:
            try:
                rules = canonical(rules)
            except ValueError as exc:
                raise self.error(name, f": {exc}") from None
        extra = sorted(set(rules) - set(targets))
        if extra:
            raise self.error(
                name, f": cannot map {', '.join(extra)}; targets are {', '.join(targets)}"
            )
        try:
            template = Template.from_settings(rules, sets).with_defaults(
                {t: f"{r.kind.value}:{r.arg}" for t, r in base.rules.items()}
            )
        except ValueError as exc:
            raise self.error(name, f": {exc}") from None
        for field_name in required:
            rule = template.rules.get(field_name)
            if rule is None or rule.kind in (RuleKind.NONE, RuleKind.EMPTY):
                raise SettingsError(
                    f"Invalid request: Missing required field '{field_name}' for {purpose}"
                )
        return template

    def _template_rules(
        self, target: str, templates: TemplateLookup
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        name = "mapping_template"
        value = self.raw.get(name)
        if value is None:
            return {}, {}
        if isinstance(value, dict):
            rules = value.get("rules", value)
            return dict(rules), dict(value.get("mapping_sets") or {})
        if not isinstance(value, str):
            raise self.error(name, " must be a template name")
        stored = templates(value)
        if stored is None:
            raise self.error(
                name,
                f": no mapping template named {value!r}; create it or clear the setting",
            )
        if stored.target != target:
            raise self.error(name, f": {value!r} maps {stored.target!r}, not {target!r}")
        return stored.rules, stored.mapping_sets
