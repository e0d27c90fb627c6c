"""A source's inventory import, page by page: map, write, count, for any source connector.

The connector supplies the pages (fetched ahead, so its API is not idle while a page is
written) and `map_page`, which turns one page of its records into `inventory_item` rows;
mapping and writing run together off the event loop. The run's counters:
`variants_created`, `variants_updated`, `unchanged`, `skipped`, `parents_created` and
`parents_updated` (a parent counts once per run, whichever pages its variants are on).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, Callable
from dataclasses import dataclass, field
from typing import Any

from store.commands.inventory import InventoryWriter, PageResult, ParentTally

from ..context import RunContext
from ..errors import RecordError


@dataclass
class MappedPage:
    """One page mapped: rows to write, records that failed, records left out on purpose."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    failures: list[RecordError] = field(default_factory=list)
    skipped: int = 0


async def import_inventory(
    ctx: RunContext,
    pages: AsyncIterable[list[Any]],
    map_page: Callable[[list[Any]], MappedPage],
    writer: InventoryWriter,
) -> int:
    """Map and write every page, counting as it goes; returns how many records were read."""
    tally = ParentTally()
    done = 0

    def map_and_write(records: list[Any]) -> tuple[MappedPage, PageResult]:
        mapped = map_page(records)
        return mapped, writer.write(mapped.rows)

    async for records in pages:
        # Map and write in a thread while the next page is fetched.
        mapped, result = await asyncio.to_thread(map_and_write, records)
        _count_page(ctx, tally, mapped, result)
        done += len(records)
        ctx.progress(done)
    created, updated = tally.counts()
    for name, n in (("parents_created", created), ("parents_updated", updated)):
        if n:
            ctx.count(name, n)
    return done


def _count_page(
    ctx: RunContext, tally: ParentTally, mapped: MappedPage, result: PageResult
) -> None:
    # Counted once per page, not per row: a 100k-item import settles 100k rows here.
    for exc in mapped.failures:
        ctx.record_failure(exc)
    skipped = mapped.skipped + result.skipped
    if skipped:
        ctx.count("skipped", skipped)
    tally.add_page(result)
    for name, rows in (("variants_created", result.created), ("variants_updated", result.updated)):
        variants = sum(1 for _, variant in rows if variant)
        if variants:
            ctx.count(name, variants)
    if result.unchanged:
        ctx.count("unchanged", len(result.unchanged))
