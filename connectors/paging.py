"""Reusable paginators: page numbers and cursors, each refusing a repeated page token.

A connector supplies `fetch(token) -> Page`; the paginator walks the pages and stops at the
last one. A server that hands back a token it already gave (a cursor loop, a page number
that does not advance) raises `PaginationLoop` instead of fetching forever.

    async for page in paginate(fetch_products, first=1):
        ...
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from .errors import FatalError

T = TypeVar("T")
Token = Hashable


class PaginationLoop(FatalError):
    """The API returned a page token it had already returned."""


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of items and the token of the next page (None on the last page)."""

    items: list[T]
    next_token: Token | None
    total: int | None = None
    extra: dict[str, object] = field(default_factory=dict)


def next_page_number(
    page: int, n_items: int, page_size: int, *, total_pages: int | None = None
) -> int | None:
    """The next page number, or None: past `total_pages`, or a short/empty page."""
    if total_pages is not None:
        return page + 1 if page < total_pages else None
    return page + 1 if n_items >= page_size and n_items > 0 else None


async def paginate(
    fetch: Callable[[Token], Awaitable[Page[T]]],
    *,
    first: Token,
    what: str = "pages",
    max_pages: int = 100_000,
) -> AsyncIterator[Page[T]]:
    """Yield pages from `first` until a page has no next token."""
    seen: set[Token] = set()
    token: Token | None = first
    count = 0
    while token is not None:
        if token in seen:
            raise PaginationLoop(
                f"{what}: the API returned page token {token!r} twice; stopped to avoid "
                "fetching forever. Retry later; if it persists, report it to the provider"
            )
        if count >= max_pages:
            raise PaginationLoop(f"{what}: more than {max_pages} pages; stopped")
        seen.add(token)
        page = await fetch(token)
        count += 1
        yield page
        token = page.next_token


async def paginate_items(
    fetch: Callable[[Token], Awaitable[Page[T]]], *, first: Token, what: str = "pages"
) -> AsyncIterator[T]:
    """Like `paginate`, flattened to items."""
    async for page in paginate(fetch, first=first, what=what):
        for item in page.items:
            yield item
