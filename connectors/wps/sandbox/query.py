"""WPS sandbox query mechanics: `filter[field][op]`, `include=`, `fields[type]=`, and the
`{data, meta: {cursor}}` envelope over cursor pages (or `/x/1,2,3` id lists).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from connectors.sandboxing.paging import InvalidCursor, cursor_page
from connectors.wps.sandbox.auth import QueryError, error
from connectors.wps.sandbox.state import PRICE_FIELDS, WpsSettings, WpsState

FILTER_KEY = re.compile(r"filter\[(\w+)\](?:\[(\w+)\])?")
OPS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
    "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "ge": lambda a, b: a >= b,
}

Filter = tuple[str, str, str]  # field, op, raw value


def parse_filters(request: Request, known: Iterable[str]) -> list[Filter]:
    """`filter[field]=v` and `filter[field][op]=v`; unknown fields or ops are a 400."""
    names = set(known)
    out: list[Filter] = []
    for key, value in request.query_params.multi_items():
        if not key.startswith("filter["):
            continue
        match = FILTER_KEY.fullmatch(key)
        if match is None:
            raise QueryError(f"Malformed filter {key!r}.")
        name, op = match.group(1), match.group(2) or "eq"
        if name not in names:
            raise QueryError(f"Unknown filter field {name!r}.")
        if op not in OPS and op != "pre":
            raise QueryError(f"Unknown filter operator {op!r}.")
        out.append((name, op, value))
    return out


def _coerce(name: str, sample: Any, raw: str) -> Any:
    """Read `raw` as the type of the field it is compared with."""
    try:
        if isinstance(sample, bool):
            return raw.lower() in ("1", "true", "yes")
        if isinstance(sample, int | float):
            return float(raw)
        if name in PRICE_FIELDS:
            return Decimal(raw)
    except (ValueError, InvalidOperation) as exc:
        raise QueryError(f"Filter value {raw!r} for {name!r} is not a number.") from exc
    if name.endswith("_at") and len(raw) == 10:
        return raw + " 00:00:00"  # a bare date means its midnight
    return raw


def matcher(filters: list[Filter]) -> Callable[[dict[str, Any]], bool]:
    """A predicate applying every filter to one record."""

    def matches(record: dict[str, Any]) -> bool:
        for name, op, raw in filters:
            value = record.get(name)
            if op == "pre":
                if value is None or not str(value).startswith(raw):
                    return False
                continue
            if value is None:
                if not (op == "eq" and raw in ("", "null")) and op != "ne":
                    return False
                continue
            wanted = _coerce(name, value, raw)
            if name in PRICE_FIELDS:
                value = Decimal(value)
            if not OPS[op](value, wanted):
                return False
        return True

    return matches


def includes(request: Request) -> set[str]:
    """`include=a,b.c` as a set of dotted paths."""
    raw = request.query_params.get("include", "")
    paths: set[str] = set()
    for part in raw.split(","):
        steps = part.strip().split(".")
        # `items.inventory` implies `items`, as in Fractal.
        paths.update(".".join(steps[: i + 1]) for i in range(len(steps)) if steps[i])
    return paths


def nested(paths: set[str], prefix: str) -> set[str]:
    """The include paths under `prefix.` (e.g. `items.images` → `images` for items)."""
    cut = len(prefix) + 1
    return {p[cut:] for p in paths if p.startswith(prefix + ".")}


def sparse(request: Request, kind: str, record: dict[str, Any]) -> dict[str, Any]:
    """Apply `fields[kind]=a,b` to a rendered record (includes are kept)."""
    raw = request.query_params.get(f"fields[{kind}]")
    if not raw:
        return record
    keep = {f.strip() for f in raw.split(",")}
    return {k: v for k, v in record.items() if k in keep or isinstance(v, dict)}


def page_size(request: Request, settings: WpsSettings) -> int:
    """`page[size]`, defaulting to 10 and clamped to the configured maximum."""
    raw = request.query_params.get("page[size]")
    if raw is None:
        return settings.default_page_size
    if not raw.isdigit() or int(raw) < 1:
        raise QueryError("page[size] must be a positive whole number.")
    return min(int(raw), settings.max_page_size)


def parse_ids(raw: str) -> list[int] | None:
    """`12` or `12,13,14` as ids, or None when it is not an id list."""
    parts = raw.split(",")
    if not all(p.isdigit() for p in parts):
        return None
    return [int(p) for p in parts]


def envelope_page(
    request: Request,
    state: WpsState,
    resource: str,
    ids: list[int],
    record_of: Callable[[int], dict[str, Any] | None],
    render: Callable[[int], dict[str, Any]],
    narrow: Callable[[list[Filter]], list[int] | None] | None = None,
) -> Response:
    """A cursor page of `{data, meta: {cursor}}` over ascending `ids`.

    `record_of` returns the filterable record (None for a deleted id); `narrow` may swap
    the id list for an index hit so an `eq` lookup never scans the catalogue.
    """
    sample = record_of(ids[0]) if ids else None
    filters = parse_filters(request, sample.keys() if sample else ())
    match_filters = matcher(filters)
    if narrow is not None:
        narrowed = narrow(filters)
        ids = ids if narrowed is None else narrowed

    def matches(record_id: int) -> bool:
        record = record_of(record_id)
        return record is not None and match_filters(record)

    try:
        page = cursor_page(
            resource,
            ids,
            matches,
            page_size(request, state.settings),
            request.query_params.get("page[cursor]") or None,
        )
    except InvalidCursor:
        return error(400, "The cursor is invalid.")
    cursor = {"current": page.current, "prev": page.prev, "next": page.next, "count": len(page.ids)}
    return JSONResponse({"data": [render(i) for i in page.ids], "meta": {"cursor": cursor}})


def one_or_many(
    raw: str, records: dict[int, Any], render: Callable[[int], dict[str, Any]], noun: str
) -> Response:
    """`/x/{id}` → `{data: {...}}` (404 if missing); `/x/1,2,3` → `{data: [...]}` of found ids."""
    ids = parse_ids(raw)
    if ids is None:
        return error(404, f"{noun} not found.")
    if len(ids) == 1:
        if ids[0] not in records:
            return error(404, f"{noun} not found.")
        return JSONResponse({"data": render(ids[0])})
    return JSONResponse({"data": [render(i) for i in ids if i in records]})
