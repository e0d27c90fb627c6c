"""The shared paginator: page numbers and cursors, loops refused, prefetch order, errors."""

from __future__ import annotations

import asyncio
from contextlib import aclosing

import pytest

from connectors.errors import FatalError
from connectors.paging import Page, PaginationLoop, cursor_page, numbered_page, paginate


class Events:
    """What happened, in order: `fetch N` (a request went out), `use N` (the caller's turn)."""

    def __init__(self) -> None:
        self.log: list[str] = []


def numbered_source(events: Events, total_pages: int, fail_on: int | None = None) -> object:
    async def fetch(token: object) -> Page[int]:
        number = int(str(token))
        events.log.append(f"fetch {number}")
        await asyncio.sleep(0)
        if number == fail_on:
            raise FatalError(f"page {number} failed")
        return numbered_page([number * 10], number, total_pages=total_pages)

    return fetch


async def test_page_numbers_stop_at_the_total_pages() -> None:
    events = Events()
    pages = [p.items async for p in paginate(numbered_source(events, 3), first=1)]  # type: ignore[arg-type]
    assert pages == [[10], [20], [30]]
    assert events.log == ["fetch 1", "fetch 2", "fetch 3"]


async def test_a_page_number_that_does_not_advance_is_refused() -> None:
    calls = []

    async def fetch(token: object) -> Page[int]:
        calls.append(token)
        return Page(items=[1], next_token=2)  # a server that always says "next: 2"

    got = []
    with pytest.raises(PaginationLoop) as info:
        async for page in paginate(fetch, first=1, what="products"):
            got.append(page)
    assert calls == [1, 2]
    assert len(got) == 2
    assert "products: the API returned page token 2 twice" in str(info.value)


async def test_a_repeated_cursor_is_refused_even_when_prefetching() -> None:
    cursors = {"": "b", "b": "c", "c": "b"}
    calls = []

    async def fetch(token: object) -> Page[str]:
        calls.append(token)
        return cursor_page(["x"], cursors[str(token)])

    got = []
    with pytest.raises(PaginationLoop):
        async for page in paginate(fetch, first="", what="WPS items", ahead=2):
            got.append(page)
    assert calls == ["", "b", "c"]
    assert len(got) == 3  # every page before the loop reached the caller


async def test_prefetch_fetches_the_next_pages_while_the_caller_works() -> None:
    events = Events()
    pages = paginate(numbered_source(events, 10), first=1, ahead=1)  # type: ignore[arg-type]
    first = await anext(pages)
    # While the caller holds page 1, the fetcher runs ahead: one page queued and one more
    # fetched, waiting for room. No further.
    for _ in range(20):
        await asyncio.sleep(0)
    assert events.log == ["fetch 1", "fetch 2", "fetch 3"]
    events.log.append(f"use {first.items[0] // 10}")
    rest = [p.items[0] // 10 async for p in pages]
    assert rest == [2, 3, 4, 5, 6, 7, 8, 9, 10]  # still in order, none lost or repeated
    assert events.log.count("fetch 4") == 1


async def test_without_prefetch_a_page_is_fetched_only_when_asked_for() -> None:
    events = Events()
    pages = paginate(numbered_source(events, 3), first=1)  # type: ignore[arg-type]
    await anext(pages)
    for _ in range(20):
        await asyncio.sleep(0)
    assert events.log == ["fetch 1"]
    await pages.aclose()


async def test_an_error_reaches_the_caller_after_the_pages_before_it() -> None:
    events = Events()
    got = []
    with pytest.raises(FatalError, match="page 3 failed"):
        async for page in paginate(numbered_source(events, 9, fail_on=3), first=1, ahead=3):  # type: ignore[arg-type]
            got.append(page.items[0])
    assert got == [10, 20]
    assert events.log == ["fetch 1", "fetch 2", "fetch 3"]  # no fetching after the error


async def test_a_caller_that_stops_early_stops_the_fetching() -> None:
    events = Events()
    walk = paginate(numbered_source(events, 1000), first=1, ahead=2)  # type: ignore[arg-type]
    async with aclosing(walk) as pages:
        async for page in pages:
            if page.items[0] == 20:
                break
    fetched = len(events.log)
    for _ in range(20):
        await asyncio.sleep(0)
    assert len(events.log) == fetched <= 5  # bounded, and nothing after the close


def test_empty_pages_end_both_kinds_of_list() -> None:
    assert numbered_page([], 2, total_pages=5).next_token is None
    assert numbered_page([1], 5, total_pages=5).next_token is None
    assert numbered_page([1], 4, total_pages=5, total=401).next_token == 5
    assert cursor_page([], "abc").next_token is None  # WPS: an empty page with a cursor
    assert cursor_page([1], "").next_token is None
    assert cursor_page([1], "abc").next_token == "abc"
