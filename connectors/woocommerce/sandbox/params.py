"""WordPress REST request plumbing for the WooCommerce sandbox: errors, params, validation.

Mirrors what WP core does before a WooCommerce controller runs: PHP-style query parsing
(`a[b]=c`, last duplicate wins), JSON bodies (`rest_invalid_json`), and schema checks that
answer `rest_invalid_param` with the per-parameter `params`/`details` maps.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from connectors.sandboxing.query import php_query

_DATE_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}(:?\d{2})?)?$"
)


class WPError(Exception):
    """A WP_Error: rendered as `{"code", "message", "data": {"status", ...}}`."""

    def __init__(self, code: str, message: str, status: int, **data: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.data = data

    def body(self) -> dict[str, Any]:
        """The JSON body WordPress sends for this error."""
        return {
            "code": self.code,
            "message": self.message,
            "data": {"status": self.status, **self.data},
        }

    def response(self, headers: dict[str, str] | None = None) -> JSONResponse:
        """The error as an HTTP response."""
        return JSONResponse(self.body(), status_code=self.status, headers=headers)


async def request_params(request: Request) -> tuple[dict[str, Any], dict[str, Any]]:
    """(query params, body params) of a request; bad JSON raises `rest_invalid_json`."""
    query = php_query(request.url.query)
    raw = await request.body()
    body: dict[str, Any] = {}
    ctype = request.headers.get("content-type", "")
    if raw and "json" in ctype:
        try:
            parsed = json.loads(raw)
        except ValueError as exc:
            raise WPError(
                "rest_invalid_json",
                "Invalid JSON body passed.",
                400,
                json_error_code=4,
                json_error_message="Syntax error",
            ) from exc
        body = parsed if isinstance(parsed, dict) else {"_list": parsed}
    elif raw and "form" in ctype:
        body = php_query(raw.decode("utf-8", "replace"))
    return query, body


@dataclass(frozen=True)
class Arg:
    """One parameter of an endpoint's schema (the subset WooCommerce uses here)."""

    type: str
    enum: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    item_type: str = "integer"
    date: bool = False
    required: bool = False
    default: Any = None


@dataclass
class _Problems:
    params: dict[str, str] = field(default_factory=dict)
    details: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, name: str, code: str, message: str) -> None:
        self.params[name] = message
        self.details[name] = {"code": code, "message": message, "data": None}


def wp_list(items: tuple[str, ...]) -> str:
    """Join like WordPress' `wp_sprintf_l`: "a, b, and c"."""
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + ", and " + items[-1]


def is_integer(value: Any) -> bool:
    """`rest_is_integer`: ints and whole-number numerics/strings."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    try:
        return float(value) == int(float(value))
    except (TypeError, ValueError):
        return False


def to_bool(value: Any) -> bool | None:
    """`rest_sanitize_boolean`, or None when the value is not boolean-like."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | str) and str(value).lower() in ("1", "true"):
        return True
    if isinstance(value, int | str) and str(value).lower() in ("0", "false", ""):
        return False
    return None


def split_list(value: Any) -> list[Any]:
    """`wp_parse_list`: arrays pass through; strings split on commas and spaces."""
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, list):
        return value
    return [v for v in re.split(r"[\s,]+", str(value)) if v != ""]


def _check(name: str, value: Any, arg: Arg, problems: _Problems) -> Any:
    if arg.type == "integer":
        if not is_integer(value):
            problems.add(name, "rest_invalid_type", f"{name} is not of type integer.")
            return value
        value = int(float(value))
        low, high = arg.minimum, arg.maximum
        if low is not None and high is not None and not low <= value <= high:
            msg = f"{name} must be between {low} (inclusive) and {high} (inclusive)"
            problems.add(name, "rest_out_of_bounds", msg)
        elif low is not None and value < low:
            problems.add(
                name, "rest_out_of_bounds", f"{name} must be greater than or equal to {low}"
            )
        return value
    if arg.type == "boolean":
        flag = to_bool(value)
        if flag is None:
            problems.add(name, "rest_invalid_type", f"{name} is not of type boolean.")
        return flag
    if arg.type == "array":
        items = split_list(value)
        if arg.item_type == "integer" and not all(is_integer(v) for v in items):
            problems.add(name, "rest_invalid_type", f"{name}[0] is not of type integer.")
            return items
        items = [int(float(v)) for v in items] if arg.item_type == "integer" else items
        bad = [v for v in items if arg.enum and v not in arg.enum]
        if bad:
            msg = f"{name}[{items.index(bad[0])}] is not one of {wp_list(arg.enum)}."
            problems.add(name, "rest_not_in_enum", msg)
        return items
    if arg.type == "string":
        if not isinstance(value, str):
            problems.add(name, "rest_invalid_type", f"{name} is not of type string.")
        elif arg.enum and value not in arg.enum:
            problems.add(name, "rest_not_in_enum", f"{name} is not one of {wp_list(arg.enum)}.")
        elif arg.date and not _DATE_RE.match(value):
            problems.add(name, "rest_invalid_date", "Invalid date.")
        return value
    if arg.type == "number":
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            problems.add(name, "rest_invalid_type", f"{name} is not of type number.")
        return value
    if arg.type == "object" and not isinstance(value, dict):
        problems.add(name, "rest_invalid_type", f"{name} is not of type object.")
    if arg.type == "list" and not isinstance(value, list):
        problems.add(name, "rest_invalid_type", f"{name} is not of type array.")
    return value


def validate(params: dict[str, Any], schema: dict[str, Arg]) -> dict[str, Any]:
    """Check and coerce `params` against `schema`; unknown params pass through untouched.

    Raises `rest_missing_callback_param` or `rest_invalid_param` (400) like WordPress.
    """
    missing = [n for n, a in schema.items() if a.required and params.get(n) in (None, "")]
    if missing:
        raise WPError(
            "rest_missing_callback_param",
            f"Missing parameter(s): {', '.join(missing)}",
            400,
            params=missing,
        )
    out = dict(params)
    problems = _Problems()
    for name, arg in schema.items():
        if name in params and params[name] is not None:
            out[name] = _check(name, params[name], arg, problems)
        elif arg.default is not None:
            out[name] = arg.default
    if problems.params:
        raise WPError(
            "rest_invalid_param",
            f"Invalid parameter(s): {', '.join(problems.params)}",
            400,
            params=problems.params,
            details=problems.details,
        )
    return out
