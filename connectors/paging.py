"""The one paginator every connector uses: page numbers or cursors, optionally prefetching.

A connector supplies `fetch(token) -> page`, where the page says which token comes next
(`next_token`, None on the last page). `paginate` walks the pages in order; with
`ahead=N` a background task fetches up to N pages ahead while the caller works on the
current one. A server that hands back a token it already gave (a cursor loop, a page
number that does not advance) raises `PaginationLoop` instead of fetching forever.

    async for page in paginate(fetch_products, first=1, what="products", ahead=2):
        ...

`numbered_page` builds a page of a page-number list (WooCommerce: `X-WP-TotalPages`),
`cursor_page` one of a cursor list (WPS: `meta.cursor.next`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from .errors import FatalError

T = TypeVar("T")
Token = Hashable


class PaginationLoop(FatalError):
    """The API returned a page token it had already returned."""


class HasNextToken(Protocol):
    """Anything `paginate` can walk: it names the token of the page after it."""

    @property
    def next_token(self) -> Token | None: ...


P = TypeVar("P", bound=HasNextToken)


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of items and the token of the next page (None on the last page)."""

    items: list[T]
    next_token: Token | None
    total: int | None = None
    extra: dict[str, object] = field(default_factory=dict)


def numbered_page(
    items: list[T], number: int, *, total_pages: int, total: int | None = None
) -> Page[T]:
    """Page `number` of a page-number list of `total_pages` pages; an empty page is the last."""
    next_token = number + 1 if items and number < total_pages else None
    return Page(items=items, next_token=next_token, total=total)


def cursor_page(items: list[T], next_cursor: str | None, *, total: int | None = None) -> Page[T]:
    """A page of a cursor list. An empty page ends the walk even if a cursor came with it
    (a client-reported WPS quirk); a cursor that repeats is caught by `paginate`."""
    return Page(items=items, next_token=(next_cursor or None) if items else None, total=total)


def next_page_number(
    page: int, n_items: int, page_size: int, *, total_pages: int | None = None
) -> int | None:
    """The next page number, or None: past `total_pages`, or a short/empty page."""
    if total_pages is not None:
        return page + 1 if page < total_pages else None
    return page + 1 if n_items >= page_size and n_items > 0 else None


async def paginate(
    fetch: Callable[[Token], Awaitable[P]],
    *,
    first: Token,
    what: str = "pages",
    ahead: int = 0,
    max_pages: int = 100_000,
) -> AsyncGenerator[P, None]:
    """Yield pages from `first` until a page has no next token.

    `ahead=0` fetches a page when the caller asks for it; `ahead=N` keeps up to N fetched
    pages queued (plus the one being fetched), so the caller's work on page K overlaps the
    requests for the pages after it. Pages arrive in order; an error fetching a page is
    raised to the caller after the pages before it, and stops the fetching.
    """
    pages = _walk(fetch, first, what, max_pages)
    if ahead <= 0:
        async for page in pages:
            yield page
        return
    queue: asyncio.Queue[P | _Failed | None] = asyncio.Queue(ahead)

    async def produce() -> None:
        try:
            async for page in pages:
                await queue.put(page)
        except Exception as exc:  # handed to the caller, which raises it as is
            await queue.put(_Failed(exc))
            return
        await queue.put(None)

    task = asyncio.create_task(produce())
    try:
        while (item := await queue.get()) is not None:
            if isinstance(item, _Failed):
                raise item.error
            yield item
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


@dataclass(frozen=True)
class _Failed:
    error: Exception


async def _walk(
    fetch: Callable[[Token], Awaitable[P]], first: Token, what: str, max_pages: int
) -> AsyncIterator[P]:
    seen: set[Token] = set()
    token: Token | None = first
    while token is not None:
        if token in seen:
            raise PaginationLoop(
                f"{what}: the API returned page token {token!r} twice; stopped to avoid "
                "fetching forever. Retry later; if it persists, report it to the provider"
            )
        if len(seen) >= max_pages:
            raise PaginationLoop(f"{what}: more than {max_pages} pages; stopped")
        seen.add(token)
        page = await fetch(token)
        yield page
        token = page.next_token
