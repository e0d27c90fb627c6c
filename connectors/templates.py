"""A saved mapping template read against its system's fields (CLI `show`, the console view)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .registry import descriptors, template_kinds


def template_fields(
    system: str | None, target: str, rules: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Every field of the template's target: the template's rule, the default, or "follows".

    A template of no known system shows just its own rules.
    """
    kinds = template_kinds(system) if system is not None and system in descriptors() else {}
    if target not in kinds:
        return [
            {"field": k, "key": k, "maps_to": "", "rule": str(v), "from": "template",
             "required": False, "enabled": v != "none"}
            for k, v in rules.items()
        ]  # fmt: skip
    _, spec = kinds[target]
    own = spec.canonical(rules) if spec.canonical else dict(rules)
    out = []
    for f in spec.fields:
        if f.key in own:
            rule, source = str(own[f.key]), "template"
        elif f.follows:
            rule, source = "", f"follows {f.follows}"
        else:
            rule, source = f.default, "default"
        out.append(
            {
                "field": f.label,
                "key": f.key,
                "maps_to": f.maps_to,
                "rule": rule,
                "from": source,
                "required": f.required,
                "enabled": rule != "none",
            }
        )
    return out


def status(field: Mapping[str, Any]) -> str:
    """The guide's Status column: Required, Enabled, or Disabled (the rule `none`)."""
    if field.get("required"):
        return "Required"
    return "Enabled" if field.get("enabled") else "Disabled"
