"""get_orders for ShipStation: new orders in, then the guide's two extras.

Orders come through the shared get-orders flow (`connectors.flows.orders`): each order
once (idempotent on ShipStation's orderId), its shipping mapping looked up on the exact
`requestedShippingService` text (held with the reason until mapped), then routed.
`ShipStationOrders` walks `GET /orders` per configured status, created within the last X
days; with a "Tag ID" it walks `GET /orders/listbytag` instead (which has no date filter,
so the age is checked here).

After the import:
- "Assign User ID after order Import": the orders this run imported are assigned in
  batches (assignuser is all or nothing, 100 ids a call). Each batch is recorded before
  it is sent and confirmed after (`store.commands.order_writes`): a re-run never assigns
  an order again; a batch whose confirmation is missing is looked at first (an order
  ShipStation already shows with a user is confirmed, not re-sent).
- "My orders are not importing": when the run imported nothing, it looks for orders it
  skipped because of their status or their age (or a missing tag) and says so in the
  run's summary, in the guide's words.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from store.commands import order_writes

from ..context import RunContext
from ..errors import FatalError
from ..flows.orders import OrderRows, import_orders
from ..paging import Page, Token
from ..settings import no_templates
from . import mapping
from .client import ShipStationClient, ShipStationRejected
from .settings import GetOrdersSettings

ASSIGN = "shipstation.assign_user"
ASSIGN_BATCH = 100  # assignuser documents no maximum; createorders stops at 100
DIAGNOSIS_PAGE = 500  # one page of skipped orders is enough to name the reasons
# Orders already done in ShipStation are not ones an operator misses when not imported.
DONE_STATUSES = frozenset({"shipped", "cancelled"})


class ShipStationOrders:
    """The orders get_orders imports: one status after another, newest window only.

    Tokens are (status index, page number). Every order seen is kept (id -> order) for
    the assignment that follows; in Tag ID mode the ones too old to import are kept apart.
    """

    first_page: Token = (0, 1)

    def __init__(self, client: ShipStationClient, settings: GetOrdersSettings, now: datetime):
        self.client = client
        self.settings = settings
        self.since = now - timedelta(days=settings.days)
        self.seen: dict[str, dict[str, Any]] = {}
        self.too_old: dict[str, dict[str, Any]] = {}

    async def orders_page(self, token: Token) -> Page[dict[str, Any]]:
        """One page of one status's orders (the next token moves on to the next status)."""
        index, number = cast("tuple[int, int]", token)  # this source's (status index, page)
        status = self.settings.statuses[index]
        if self.settings.tag_id is not None:
            page = await self.client.orders_by_tag_page(
                number, tag_id=self.settings.tag_id, status=status
            )
            items = []
            for order in page.items:
                created = mapping.created_at(order)
                if created is not None and created < self.since:
                    self.too_old[str(order.get("orderId"))] = order
                else:
                    items.append(order)
        else:
            page = await self.client.orders_page(
                number, status=status, created_from=mapping.filter_time(self.since)
            )
            items = page.items
        for order in items:
            self.seen[str(order.get("orderId"))] = order
        if page.next_token is not None:
            following: Token | None = (index, page.next_token)
        elif index + 1 < len(self.settings.statuses):
            following = (index + 1, 1)
        else:
            following = None
        single = len(self.settings.statuses) == 1 and self.settings.tag_id is None
        return Page(items=items, next_token=following, total=page.total if single else None)

    def map_order(self, order: dict[str, Any]) -> OrderRows:
        """The store's rows for a ShipStation order (`MappingError` names a bad one)."""
        return mapping.order_to_rows(order)


async def get_orders(ctx: RunContext, client: ShipStationClient) -> None:
    """Import ShipStation orders not yet imported, with the configured statuses, created
    within the last X days (and carrying the Tag ID, when set); then assign the configured
    user to the orders imported, and explain a run that imported nothing."""
    settings = GetOrdersSettings.parse(
        ctx.settings, integration=ctx.integration.name, kind=ctx.kind, templates=no_templates
    )
    await check_account(ctx, client, settings)
    started = datetime.now(UTC)
    source = ShipStationOrders(client, settings, started)
    await import_orders(ctx, source)
    if settings.assign_user_id is not None:
        await assign_user(ctx, client, source, settings.assign_user_id, started)
    if not ctx.counters.get("orders_created"):
        await explain_nothing_imported(ctx, client, source, settings)


async def check_account(
    ctx: RunContext, client: ShipStationClient, settings: GetOrdersSettings
) -> None:
    """The Tag ID and the user must exist on the account, or the run stops before import."""
    name = ctx.integration.name
    if settings.tag_id is not None:
        tags = await client.tags()
        if not any(t.get("tagId") == settings.tag_id for t in tags):
            listed = ", ".join(f"{t.get('tagId')} ({t.get('name')})" for t in tags) or "none"
            raise FatalError(
                f"{name}: Tag ID {settings.tag_id} is not a tag of this ShipStation account "
                f"(tags: {listed}); fix tag_id in the integration"
            )
    if settings.assign_user_id is not None:
        users = await client.users()
        if not any(str(u.get("userId")).lower() == settings.assign_user_id for u in users):
            listed = ", ".join(f"{u.get('userId')} ({u.get('name')})" for u in users) or "none"
            raise FatalError(
                f"{name}: Assign User ID after order Import: {settings.assign_user_id} is not a "
                f"user of this ShipStation account (users: {listed}); fix assign_user_id"
            )


async def assign_user(
    ctx: RunContext,
    client: ShipStationClient,
    source: ShipStationOrders,
    user_id: str,
    started: datetime,
) -> None:
    """Assign `user_id` to the orders this run imported, once each, in batches."""
    seen = source.seen
    known = await ctx.write(order_writes.channel_order_ids, ctx.owner_id, list(seen))
    new = await ctx.write(
        order_writes.channel_order_ids, ctx.owner_id, list(seen), imported_since=started
    )
    states = await ctx.write(order_writes.write_states, list(known.values()), ASSIGN)
    to_send: list[tuple[int, int]] = []  # (store order id, ShipStation orderId)
    to_confirm: list[int] = []
    for external, order_id in known.items():
        state = states.get(order_id)
        has_user = seen[external].get("userId") is not None
        if state == "done" or (state is None and external not in new):
            continue  # assigned before, or imported before this setting applied
        if has_user:
            if state == "requested":
                to_confirm.append(order_id)  # our request landed; the run that sent it died
            continue  # never overwrite a user someone chose in ShipStation
        to_send.append((order_id, int(external)))
    actor = ctx.integration.name
    after = {"userId": user_id}
    if to_confirm:
        await ctx.write(
            order_writes.record_write, to_confirm, ASSIGN, "done", actor=actor, after=after
        )
    for start in range(0, len(to_send), ASSIGN_BATCH):
        batch = to_send[start : start + ASSIGN_BATCH]
        ids = [order_id for order_id, _ in batch]
        await ctx.write(
            order_writes.record_write, ids, ASSIGN, "requested", actor=actor, after=after
        )
        try:
            await client.assign_user([remote for _, remote in batch], user_id)
        except ShipStationRejected as exc:
            refs = ", ".join(str(seen[str(remote)].get("orderNumber")) for _, remote in batch)
            ctx.record_error(f"orders {refs}", f"ShipStation refused assignuser: {exc.reason}")
            continue
        await ctx.write(order_writes.record_write, ids, ASSIGN, "done", actor=actor, after=after)
        ctx.count("users_assigned", len(batch))


async def explain_nothing_imported(
    ctx: RunContext,
    client: ShipStationClient,
    source: ShipStationOrders,
    settings: GetOrdersSettings,
) -> None:
    """Name the orders this run skipped for their status or their age, in the guide's words.

    Looks at one page of the window's orders in any status, and (per configured status)
    one page of older orders; orders already imported are not "skipped"."""
    window = mapping.filter_time(source.since)
    recent = await client.orders_page(
        1, status=None, created_from=window, newest_first=True, size=DIAGNOSIS_PAGE
    )
    older: list[dict[str, Any]] = list(source.too_old.values())
    if settings.tag_id is None:
        for status in settings.statuses:
            page = await client.orders_page(
                1, status=status, created_to=window, newest_first=True, size=DIAGNOSIS_PAGE
            )
            older.extend(page.items)
    ids = [str(o.get("orderId")) for o in [*recent.items, *older]]
    imported = set(await ctx.write(order_writes.channel_order_ids, ctx.owner_id, ids))
    wrong_status: Counter[str] = Counter()
    untagged = 0
    for order in recent.items:
        if str(order.get("orderId")) in imported:
            continue
        tagged = settings.tag_id is None or settings.tag_id in (order.get("tagIds") or [])
        status = str(order.get("orderStatus"))
        if status in DONE_STATUSES and status not in settings.statuses:
            continue
        if status not in settings.statuses and tagged:
            wrong_status[status] += 1
        elif status in settings.statuses and not tagged:
            untagged += 1
    old = [o for o in older if str(o.get("orderId")) not in imported]
    days = settings.days
    if wrong_status:
        listed = ", ".join(f"{s}: {n}" for s, n in wrong_status.most_common())
        ctx.note(
            f"My orders are not importing: {_orders(sum(wrong_status.values()))} created within "
            f"the last {days} days {_have(sum(wrong_status.values()))} an order status this "
            "operation does not import "
            f"({listed}). Double check the status of the order, and ensure it matches your "
            f"configurations for this operation (statuses: {', '.join(settings.statuses)})."
        )
    if old:
        newest = max((mapping.created_at(o) for o in old), default=None, key=_sort_key)
        when = f", the newest created {newest.date().isoformat()}" if newest else ""
        ctx.note(
            f"My orders are not importing: {_orders(len(old))} with status "
            f"{', '.join(settings.statuses)} {'is' if len(old) == 1 else 'are'} 'too old' for "
            f"us to import{when}. Consider "
            "checking the non-imported orders creation date and increasing the number under "
            f'the "Get Orders Created within the last X Days" configuration (now {days}).'
        )
    if untagged:
        ctx.note(
            f"My orders are not importing: {_orders(untagged)} created within the last {days} "
            f"days {'does' if untagged == 1 else 'do'} not carry Tag ID {settings.tag_id}; only "
            "orders with the specified tag "
            "ID are imported."
        )


def _have(n: int) -> str:
    return "has" if n == 1 else "have"


def _orders(n: int) -> str:
    return f"{n} order" if n == 1 else f"{n} orders"


def _sort_key(moment: datetime | None) -> datetime:
    return moment or datetime.min.replace(tzinfo=UTC)
