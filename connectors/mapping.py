"""Mapping templates: how a target record's fields are filled from a source object.

Each target field takes one rule: don't map, set to empty, field (a dotted path in the
source object), value (a constant) or mapping set (look the value of a path up in a named
table). Required fields are checked before any request is sent:

    Invalid request: Missing required field 'customer_email' for order creation
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .errors import MappingError


class RuleKind(StrEnum):
    NONE = "none"  # don't map
    EMPTY = "empty"  # set to empty
    FIELD = "field"  # arg: dotted path in the source object
    VALUE = "value"  # arg: a constant
    SET = "set"  # arg: "set_name:path" (look the path's value up in a mapping set)


@dataclass(frozen=True)
class Rule:
    kind: RuleKind
    arg: str = ""

    @classmethod
    def parse(cls, spec: str | Mapping[str, str]) -> Rule:
        """`"field:customer.email"`, `"value:BEST"`, `"empty"`, `"none"` or a dict."""
        if isinstance(spec, Mapping):
            kind, arg = spec.get("kind", ""), spec.get("arg", "")
        else:
            kind, _, arg = spec.partition(":")
        try:
            return cls(RuleKind(kind), arg)
        except ValueError:
            kinds = ", ".join(k.value for k in RuleKind)
            raise ValueError(f"unknown mapping rule {kind!r}: use one of {kinds}") from None


def lookup(obj: Any, path: str) -> Any:
    """`a.b.0.c` through dicts and lists; None when any step is missing."""
    current = obj
    for part in path.split("."):
        if isinstance(current, Mapping):
            current = current.get(part)
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return None
        if current is None:
            return None
    return current


@dataclass(frozen=True)
class Template:
    """Target field -> rule, plus the named lookup tables `set` rules use."""

    rules: dict[str, Rule]
    mapping_sets: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def from_settings(
        cls, rules: Mapping[str, Any], mapping_sets: Mapping[str, Mapping[str, str]] | None = None
    ) -> Template:
        return cls(
            {target: Rule.parse(spec) for target, spec in rules.items()},
            {name: dict(table) for name, table in (mapping_sets or {}).items()},
        )

    def with_defaults(self, defaults: Mapping[str, str]) -> Template:
        """This template, with `defaults` filling the fields it does not mention."""
        rules = {t: Rule.parse(spec) for t, spec in defaults.items()}
        rules.update(self.rules)
        return Template(rules, self.mapping_sets)

    def value(self, target: str, source: Any) -> Any:
        """What `target`'s rule gives for `source` (None when the template leaves it out)."""
        rule = self.rules.get(target)
        return None if rule is None else self._value(rule, source)

    def _value(self, rule: Rule, source: Any) -> Any:
        match rule.kind:
            case RuleKind.NONE:
                return None
            case RuleKind.EMPTY:
                return ""
            case RuleKind.FIELD:
                return lookup(source, rule.arg)
            case RuleKind.VALUE:
                return rule.arg
            case RuleKind.SET:
                set_name, _, path = rule.arg.partition(":")
                raw = lookup(source, path)
                return None if raw is None else self.mapping_sets.get(set_name, {}).get(str(raw))

    def apply(
        self, source: Any, *, required: Iterable[str], purpose: str, ref: str
    ) -> dict[str, Any]:
        """Map `source`; a required field that maps to nothing raises `MappingError`.

        `purpose` ends the message ("order creation", "inventory sync"); `ref` names the
        record for the operator (SKU, order number).
        """
        out = {
            target: self._value(rule, source)
            for target, rule in self.rules.items()
            if rule.kind is not RuleKind.NONE
        }
        for name in required:
            if out.get(name) in (None, ""):
                raise MappingError(
                    ref, f"Invalid request: Missing required field '{name}' for {purpose}"
                )
        return out


_ADDRESS_KEYS = {
    "address1": ("address1", "address_1", "street1", "line1"),
    "address2": ("address2", "address_2", "street2", "line2"),
    "city": ("city",),
    "state": ("state", "region", "province"),
    "zip": ("zip", "postcode", "postal_code"),
    "country": ("country", "country_code", "country_id"),
    "phone": ("phone",),
    "email": ("email",),
}


def address_view(address: Mapping[str, Any]) -> dict[str, str]:
    """A shipping address in any of the usual spellings (WooCommerce, Magento, plain)."""
    out: dict[str, str] = {}
    name = address.get("name")
    if not name:
        first, last = address.get("first_name") or "", address.get("last_name") or ""
        name = f"{first} {last}".strip()
    out["name"] = str(name or address.get("company") or "")
    for target, keys in _ADDRESS_KEYS.items():
        out[target] = next((str(address[k]) for k in keys if address.get(k)), "")
    return out


def person_names(address: Mapping[str, Any], fallback: str = "") -> tuple[str, str]:
    """(first name, last name) of an address in any of the usual spellings; a whole
    `name` (or `fallback`) is split at its last space."""
    first = str(address.get("first_name") or address.get("firstname") or "").strip()
    last = str(address.get("last_name") or address.get("lastname") or "").strip()
    if first or last:
        return first, last
    whole = " ".join(str(address.get("name") or fallback or "").split())
    head, _, tail = whole.rpartition(" ")
    return (head, tail) if head else (tail, "")
