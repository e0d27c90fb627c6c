"""ShipStation sandbox query mechanics: page/pageSize, `{<key>, total, page, pages}` bodies,
date-range and equality filters, sortBy/sortDir, and JSON request bodies.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from connectors.sandboxing.paging import numbered_page
from connectors.sandboxing.records import public
from connectors.shipstation.sandbox.records import BadRequest, parse_time

MAX_PAGE_SIZE = 500


def paging(request: Request) -> tuple[int, int]:
    """`page` (1-based, default 1) and `pageSize` (default 100, at most 500 → else 400)."""
    q = request.query_params
    try:
        page = int(q.get("page", "1"))
        size = int(q.get("pageSize", "100"))
    except ValueError as exc:
        raise BadRequest("page and pageSize must be whole numbers.") from exc
    if page < 1:
        raise BadRequest("page must be 1 or more.")
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise BadRequest(f"pageSize must be between 1 and {MAX_PAGE_SIZE}.")
    return page, size


def paged(request: Request, key: str, records: list[dict[str, Any]]) -> Response:
    """`{<key>: [...], total, page, pages}`; past the end is an empty list, same totals."""
    page, size = paging(request)
    result = numbered_page(records, page, size)
    body = {
        key: [public(r) for r in result.records],
        "total": result.total,
        "page": result.page,
        "pages": result.pages,
    }
    return JSONResponse(body)


Predicate = Callable[[dict[str, Any]], bool]


def date_range(request: Request, prefix: str, field: str) -> list[Predicate]:
    """`<prefix>Start`/`<prefix>End` on the private datetime `field`."""
    out: list[Predicate] = []
    q = request.query_params
    if q.get(f"{prefix}Start"):
        low = parse_time(q[f"{prefix}Start"], f"{prefix}Start")
        out.append(lambda r: r[field] is not None and r[field] >= low)
    if q.get(f"{prefix}End"):
        high = parse_time(q[f"{prefix}End"], f"{prefix}End")
        if len(q[f"{prefix}End"].strip()) == 10:
            high += timedelta(days=1) - timedelta(microseconds=1)  # a bare date is inclusive
        out.append(lambda r: r[field] is not None and r[field] <= high)
    return out


def equals(request: Request, param: str, get: Callable[[dict[str, Any]], Any]) -> list[Predicate]:
    """An exact (case-insensitive) match on one query parameter, when given."""
    raw = request.query_params.get(param)
    if not raw:
        return []
    wanted = raw.strip().lower()
    return [lambda r: str(get(r) or "").lower() == wanted]


def sort_records(
    request: Request, records: list[dict[str, Any]], fields: dict[str, str]
) -> list[dict[str, Any]]:
    """Apply `sortBy` (one of `fields`) and `sortDir`; records arrive in id order."""
    sort_by = request.query_params.get("sortBy")
    descending = request.query_params.get("sortDir", "ASC").upper() == "DESC"
    if sort_by:
        if sort_by not in fields:
            raise BadRequest(f"sortBy must be one of {', '.join(fields)}.")
        key = fields[sort_by]
        return sorted(records, key=lambda r: r[key], reverse=descending)
    return list(reversed(records)) if descending else records


def int_param(request: Request, name: str) -> int | None:
    """An optional integer query parameter."""
    raw = request.query_params.get(name)
    if not raw:
        return None
    if not raw.isdigit():
        raise BadRequest(f"The value '{raw}' is not valid for {name}.")
    return int(raw)


def matching(records: list[dict[str, Any]], preds: list[Predicate]) -> list[dict[str, Any]]:
    """Records passing every predicate."""
    return [r for r in records if all(p(r) for p in preds)]


async def body_of(request: Request) -> Any:
    """The JSON body, or `BadRequest`."""
    try:
        return await request.json()
    except ValueError as exc:
        raise BadRequest("The request body is not valid JSON.") from exc


async def object_of(request: Request) -> dict[str, Any]:
    """The JSON body as an object, or `BadRequest`."""
    body = await body_of(request)
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object.")
    return body
