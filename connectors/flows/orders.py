"""Get orders, for every channel: pages of orders in, each page written and routed at once.

A channel implements `OrderSource`: the first page token, `orders_page(token)` (raw orders
of the configured statuses and age) and `map_order(order)` (rows for `store`, raising
`MappingError` for an order it cannot read). Writing is idempotent on the channel's order
id; routing is the store's decision (`store.commands.channel_orders`).
"""

from __future__ import annotations

from contextlib import aclosing
from typing import Any, Protocol

from store.commands import channel_orders

from ..context import RunContext
from ..errors import MappingError
from ..paging import Page, Token, paginate

OrderRows = tuple[dict[str, Any], list[dict[str, Any]]]


class OrderSource(Protocol):
    """What a channel gives get_orders."""

    @property
    def first_page(self) -> Token:
        """The token of the first page of orders."""
        ...

    async def orders_page(self, token: Token) -> Page[Any]:
        """One page of the channel's orders, as the API gives them."""
        ...

    def map_order(self, order: Any) -> OrderRows:
        """(order row, line rows) for the store; `MappingError` names a bad order."""
        ...


async def import_orders(ctx: RunContext, source: OrderSource) -> None:
    """Write every page of orders (the next page is fetched meanwhile), route them, count."""
    done = 0
    walk = paginate(
        source.orders_page, first=source.first_page, what=f"{ctx.owner.name} orders", ahead=1
    )
    async with aclosing(walk) as pages:
        async for page in pages:
            rows = []
            for order in page.items:
                try:
                    rows.append(source.map_order(order))
                except MappingError as exc:
                    ctx.record_failure(exc)
            written = await ctx.write(channel_orders.write_orders_page, ctx.owner_id, rows)
            for name, n in written.counts.items():
                if n:
                    ctx.count(name, n)
            for held in written.held:
                # Once per new hold: an order still held for the same reason is not news.
                ctx.log.warning(
                    "order.held",
                    order=held.number,
                    reason=held.reason,
                    message=f"order {held.number} on {ctx.owner.name} held: {held.reason}",
                )
            done += len(page.items)
            ctx.progress(done, page.total)
