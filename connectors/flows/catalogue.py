"""The catalogue walk every channel shares: pages fetched ahead, mapped, written a page at once.

A channel implements `ChannelCatalogue`: a first page token and `catalogue_page(token)`,
which fetches one page of its catalogue (with whatever a product needs, such as its
variations) and maps it to listing rows. The walk records the page's mapping errors, writes
the page in one transaction, counts what the write did and reports progress, while the next
pages are already being fetched.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import aclosing
from dataclasses import dataclass, field
from typing import Any, Protocol

from store.commands import channel_listings

from ..context import RunContext
from ..errors import RecordError
from ..paging import Token, paginate

# Pages fetched ahead of the store writes (bounds memory to a few pages).
PREFETCH_PAGES = 2


@dataclass
class CataloguePage:
    """One page of a channel's catalogue mapped to rows; records that failed are in `errors`."""

    records: int  # products the page held, mapped or not (progress)
    total: int | None  # products in the whole catalogue, when the channel says
    next_token: Token | None
    listings: list[dict[str, Any]] = field(default_factory=list)
    variants: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # by master_sku
    errors: list[RecordError] = field(default_factory=list)


class ChannelCatalogue(Protocol):
    """What a channel gives the catalogue walk."""

    @property
    def first_page(self) -> Token:
        """The token of the first page (a page number, or a cursor marker)."""
        ...

    async def catalogue_page(self, token: Token) -> CataloguePage:
        """Fetch and map one page of the catalogue."""
        ...


async def catalogue_pages(
    catalogue: ChannelCatalogue, *, what: str = "catalogue"
) -> AsyncIterator[CataloguePage]:
    """Every page of the catalogue, fetched up to `PREFETCH_PAGES` ahead of the caller."""
    walk = paginate(
        catalogue.catalogue_page, first=catalogue.first_page, what=what, ahead=PREFETCH_PAGES
    )
    async with aclosing(walk) as pages:
        async for page in pages:
            yield page


async def import_catalogue(
    ctx: RunContext, catalogue: ChannelCatalogue, *, overwrite: bool, new_paused: bool
) -> None:
    """Import every product and variant as listings (manual only), then link the new
    variants to inventory on SKU. `overwrite` refreshes existing listings from the channel;
    `new_paused` makes new variants start paused."""
    if ctx.integration.schedule_type != "manual":
        ctx.log.warning(
            "import.scheduled",
            message=f"{ctx.integration.name}: import_listings runs manually only; "
            "set its schedule to manual",
        )
    await walk_catalogue(
        ctx,
        catalogue,
        channel_listings.write_import_page,
        overwrite=overwrite,
        new_paused=new_paused,
    )
    linked = await ctx.write(channel_listings.link_inventory_on_sku, ctx.owner_id)
    if linked:
        ctx.count("linked_to_inventory", linked)


async def link_catalogue(
    ctx: RunContext, catalogue: ChannelCatalogue, match_on: str, *, keep_linked: bool = False
) -> None:
    """Link the channel's variants to inventory on `match_on` ("sku" or "upc");
    `keep_linked` leaves those already linked to the same product alone."""
    await walk_catalogue(
        ctx, catalogue, channel_listings.write_link_page, match_on, keep_linked=keep_linked
    )


async def walk_catalogue(
    ctx: RunContext,
    catalogue: ChannelCatalogue,
    write: Callable[..., Mapping[str, int] | channel_listings.PageCounts],
    *args: Any,
    **kwargs: Any,
) -> None:
    """For each page: record its errors, then in one transaction
    `write(session, owner_id, listings, variants, *args, **kwargs)`, count what it did and
    report progress."""
    done = 0
    async for page in catalogue_pages(catalogue, what=f"{ctx.owner.name} catalogue"):
        for error in page.errors:
            ctx.record_failure(error)
        counts = await ctx.write(write, ctx.owner_id, page.listings, page.variants, *args, **kwargs)
        for name, n in counts.items():
            if n:
                ctx.count(name, n)
        done += page.records
        ctx.progress(done, page.total)
