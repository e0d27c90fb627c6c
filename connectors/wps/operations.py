"""The WPS integration kinds: get_inventory, get_pqs, send_orders, get_shipments, get_invoice.

Each fetches through `WpsClient`, maps with `connectors.wps.mapping` and writes through the
store. Store calls are synchronous and run off the event loop (`asyncio.to_thread`). The
settings of each kind are read once by `*Settings.parse`, which refuses a bad value with a
one-line error saying what to fix (docs/wps.md lists them with their defaults).

No duplicate orders, ever: `send_orders` claims each request (`sending`, attempts + 1) in
its own committed transaction before any HTTP, then asks WPS whether the PO already exists
(`GET /orders/{po}`) before opening a cart. A request left `sending` by a crash, and a WPS
"PO already taken" answer, are both settled by that same look-up.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from store.commands import fulfillment
from store.commands.bulk import upsert
from store.db import Database
from store.models import InventoryItem
from store.models.orders import RequestStatus

from ..auth import BearerAuth
from ..context import RunContext
from ..errors import AuthError, FatalError, MappingError, RetryBudgetExhausted
from ..mapping import RuleKind
from ..registry import operation
from ..settings import stored_templates
from . import mapping as m
from .client import HTTP_SETTINGS, WpsClient, WpsRejected
from .settings import InventorySettings, SendSettings, TrackSettings

# -- shared -------------------------------------------------------------------------------------


def wps_client(ctx: RunContext) -> WpsClient:
    """The connection's client with its bearer token (stripped: a pasted newline breaks it)."""
    token = ctx.secrets.get("api_token")
    if not token or not token.strip():
        raise FatalError(
            f"{ctx.connection.name if ctx.connection else ctx.owner.name} has no api_token; "
            "add the WPS API token to the connection"
        )
    return WpsClient(ctx.http_client(auth=BearerAuth(token.strip()), settings=HTTP_SETTINGS))


# -- get_inventory / get_pqs ---------------------------------------------------------------------


@dataclass
class PageResult:
    """What writing one page did, for the run's counters."""

    failures: list[MappingError]
    created: list[tuple[str, bool]]  # (parent sku, is variant)
    updated: list[tuple[str, bool]]
    unchanged: list[tuple[str, bool]]
    skipped: int = 0


class InventoryWriter:
    """Maps a page of items and writes it: one pre-read, one upsert (or update) per page."""

    def __init__(self, db: Database, how: m.InventoryMapping, cfg: InventorySettings) -> None:
        self.db = db
        self.how = how
        self.cfg = cfg
        compared = m.PQS_COLUMNS if cfg.pqs_focus else m.INVENTORY_COLUMNS
        self.compared = compared
        self.table = InventoryItem.__table__  # type: ignore[attr-defined]
        # Whether the source had no items when this run wrote its first page (None: not yet
        # known). Then every SKU is new until this run writes it, so a page needs no pre-read
        # but for SKUs an earlier page of the run already wrote (kept in `written`).
        self.fresh: bool | None = None
        self.written: set[str] = set()

    def write(self, items: list[Any]) -> PageResult:
        """Map `items` and store them (call off the event loop)."""
        result = PageResult([], [], [], [])
        rows: dict[str, dict[str, Any]] = {}
        how, pqs_focus = self.how, self.cfg.pqs_focus
        skip_variants = not pqs_focus and not self.cfg.include_variants
        item_to_row = m.item_to_row
        for item in items:
            try:
                row = item_to_row(item, how, pqs_only=pqs_focus)
            except MappingError as exc:
                result.failures.append(exc)
                continue
            if skip_variants and row["parent_sku"] != row["sku"]:
                result.skipped += 1
                continue
            rows[row["sku"]] = row  # a SKU twice in one page: the later record wins
        if not rows:
            return result
        c = self.table.c
        with self.db.write() as session:
            if self.fresh is None:
                self.fresh = not pqs_focus and self._source_is_empty(session)
            if self.fresh:
                # Nothing of this source existed before the run: only SKUs this run already
                # wrote can be in the store, so only those are read back.
                to_read = [sku for sku in rows if sku in self.written]
                self.written.update(rows)
            else:
                to_read = list(rows)
            existing = {}
            if to_read:
                existing = {
                    r.sku: r
                    for r in session.execute(
                        sa.select(c.sku, c.parent_sku, *(c[n] for n in self.compared)).where(
                            c.source_id == how.source_id, c.sku.in_(to_read)
                        )
                    )
                }
            changed = []
            created = result.created
            for sku, row in rows.items():
                old = existing.get(sku)
                if old is None:
                    if pqs_focus:
                        result.skipped += 1  # not imported yet: get_inventory brings it in
                        continue
                    parent = row["parent_sku"]
                    created.append((parent, parent != sku))
                    changed.append(row)
                    continue
                key = (old.parent_sku, old.parent_sku != sku)
                if any(getattr(old, n) != row[n] for n in self.compared):
                    result.updated.append(key)
                    changed.append(row)
                else:
                    result.unchanged.append(key)
            if not changed:
                return result
            if pqs_focus:
                self._update_pqs(session, changed)
            else:
                upsert(
                    session,
                    InventoryItem,
                    changed,
                    keys=("source_id", "sku"),
                    update=(*m.INVENTORY_COLUMNS, "updated_at"),
                    # Unchanged rows were already left out by the pre-read; the statement's
                    # own "only if changed" would compare JSON columns, which PostgreSQL's
                    # json type cannot do.
                    only_if_changed=False,
                )
        return result

    def _source_is_empty(self, session: Any) -> bool:
        c = self.table.c
        found = session.execute(
            sa.select(sa.literal(1)).where(c.source_id == self.how.source_id).limit(1)
        ).first()
        return found is None

    def _update_pqs(self, session: Any, rows: list[dict[str, Any]]) -> None:
        """One executemany UPDATE of the price and quantity columns only."""
        c = self.table.c
        stmt = (
            sa.update(self.table)
            .where(c.source_id == sa.bindparam("k_source"), c.sku == sa.bindparam("k_sku"))
            .values({n: sa.bindparam(n) for n in (*m.PQS_COLUMNS, "updated_at")})
        )
        params = [
            {
                "k_source": r["source_id"],
                "k_sku": r["sku"],
                **{n: r[n] for n in m.PQS_COLUMNS},
                "updated_at": r["updated_at"],
            }
            for r in rows
        ]
        session.connection().execute(stmt, params)


class ParentTally:
    """Counts parents once per run (a product's variants can span pages)."""

    def __init__(self) -> None:
        self.seen: dict[str, list[bool]] = {}  # parent -> [existed before, changed]

    def add(self, parent: str, *, existed: bool, changed: bool) -> None:
        state = self.seen.setdefault(parent, [False, False])
        state[0] = state[0] or existed
        state[1] = state[1] or changed

    def add_all(self, rows: list[tuple[str, bool]], *, existed: bool, changed: bool) -> None:
        """`add` for each (parent, is variant) of a page."""
        seen = self.seen
        for parent, _ in rows:
            state = seen.get(parent)
            if state is None:
                seen[parent] = [existed, changed]
            else:
                state[0] = state[0] or existed
                state[1] = state[1] or changed

    def counts(self) -> tuple[int, int]:
        created = sum(1 for existed, _ in self.seen.values() if not existed)
        updated = sum(1 for existed, changed in self.seen.values() if existed and changed)
        return created, updated


async def import_items(ctx: RunContext, kind: str) -> None:
    """Page through WPS items and upsert them, one write per page, overlapping the fetch."""
    cfg = InventorySettings.parse(
        ctx.settings,
        integration=ctx.integration.name,
        kind=kind,
        templates=stored_templates(ctx.db),
    )
    source_id = ctx.owner_id
    client = wps_client(ctx)
    keys = {} if cfg.pqs_focus else await client.attribute_keys()
    prefix = getattr(ctx.owner, "sku_prefix", "") or ""
    how = m.InventoryMapping(
        source_id=source_id,
        sku_prefix=prefix,
        warehouses=cfg.warehouses,
        attribute_keys=keys,
        template=cfg.template,
    )
    writer = InventoryWriter(ctx.db, how, cfg)
    filters = {}
    if cfg.modified_within_days:
        since = datetime.now(UTC) - timedelta(days=cfg.modified_within_days)
        filters["filter[updated_at][gt]"] = since.strftime("%Y-%m-%d %H:%M:%S")
    fields = set(m.PQS_ITEM_FIELDS if cfg.pqs_focus else m.ITEM_FIELDS)
    # A custom template may read other item fields; ask for those too.
    fields.update(
        r.arg.split(".")[0] for r in cfg.template.rules.values() if r.kind is RuleKind.FIELD
    )
    fields.discard("quantity")
    include = ("inventory",) if cfg.pqs_focus else ("inventory", "attributevalues")
    tally = ParentTally()
    done = 0

    async def settle(task: asyncio.Future[PageResult]) -> None:
        result = await task
        for exc in result.failures:
            ctx.record_failure(exc)
        if result.skipped:
            ctx.count("skipped", result.skipped)
        # Counted once per page, not per row: a 100k-item import settles 100k rows here.
        for name, rows, existed, changed in (
            ("variants_created", result.created, False, True),
            ("variants_updated", result.updated, True, True),
        ):
            tally.add_all(rows, existed=existed, changed=changed)
            variants = sum(1 for _, variant in rows if variant)
            if variants:
                ctx.count(name, variants)
        tally.add_all(result.unchanged, existed=True, changed=False)
        if result.unchanged:
            ctx.count("unchanged", len(result.unchanged))

    # The fetch runs ahead in its own task, one page queued, so the request for the next page
    # is already out while a page is written: waiting for a slow write before asking for the
    # next page left WPS idle for that long.
    pages: asyncio.Queue[list[Any] | BaseException | None] = asyncio.Queue(maxsize=1)

    async def fetch() -> None:
        try:
            async for page in client.iter_items(
                size=cfg.page_size, include=include, fields=sorted(fields), filters=filters
            ):
                await pages.put(page.items)
        except Exception as exc:  # handed to the writer's side, which raises it as is
            await pages.put(exc)
            return
        await pages.put(None)

    fetcher = asyncio.create_task(fetch())
    try:
        while (got := await pages.get()) is not None:
            if isinstance(got, BaseException):
                raise got
            # Map and write in a thread while the fetcher asks for the next page.
            await settle(asyncio.ensure_future(asyncio.to_thread(writer.write, got)))
            done += len(got)
            ctx.progress(done)
    finally:
        if not fetcher.done():
            fetcher.cancel()
        await asyncio.gather(fetcher, return_exceptions=True)
    created, updated = tally.counts()
    for name, n in (("parents_created", created), ("parents_updated", updated)):
        if n:
            ctx.count(name, n)
    ctx.count("requests", client.requests)
    ctx.progress(done, done)


@operation("wps", "get_inventory")
async def get_inventory(ctx: RunContext) -> None:
    """Import WPS items as inventory (all fields, or only price & quantity with pqs_focus)."""
    await import_items(ctx, "get_inventory")


@operation("wps", "get_pqs")
async def get_pqs(ctx: RunContext) -> None:
    """Update price and quantity of imported WPS items (its own schedule, smaller pages)."""
    await import_items(ctx, "get_pqs")


# -- send_orders -------------------------------------------------------------------------------


def _plan(cfg: SendSettings, snap: fulfillment.RequestSnapshot) -> m.CartPlan:
    return m.cart_plan(
        cfg.template,
        po_number=snap.po_number,
        ship_via=snap.shipping_method,
        order=snap.order,
        address=snap.shipping_address,
        lines=snap.lines,
        options={
            "default_warehouse": cfg.default_warehouse,
            "multiple_warehouse": cfg.multiple_warehouse,
            "allow_backorder": cfg.allow_backorder,
        },
    )


async def place_order(client: WpsClient, plan: m.CartPlan) -> str:
    """Cart → items → order. A PO WPS already has is returned, never placed twice."""
    try:
        await client.create_cart(plan.body)
    except WpsRejected as exc:
        if not exc.duplicate_po:
            raise
        found = await client.get_order(plan.po_number)
        if found is not None:
            return ",".join(m.order_numbers(found))
        # A cart left open by an interrupted send: never submitted, so start it afresh.
        await client.delete_cart(plan.po_number)
        await client.create_cart(plan.body)
    try:
        for sku, quantity in plan.lines:
            await client.add_cart_item(plan.po_number, sku, quantity)
    except WpsRejected:
        await client.delete_cart(plan.po_number)  # leave no half-built cart behind
        raise
    return await client.submit_order(plan.po_number)


async def send_one(ctx: RunContext, client: WpsClient, cfg: SendSettings, request_id: int) -> None:
    """Send (or reconcile) one fulfillment request; never creates a second WPS order."""
    snap = await ctx.write(fulfillment.request_snapshot, request_id)
    ref = f"PO {snap.po_number}"
    plan: m.CartPlan | None = None
    problem: MappingError | None = None
    try:
        plan = _plan(cfg, snap)
    except MappingError as exc:
        problem = exc
    if problem is not None and snap.status == RequestStatus.PENDING.value:
        # Refused before any request: nothing can be at WPS for a request never claimed.
        await ctx.write(fulfillment.mark_failed, request_id, problem.reason)
        ctx.record_failure(problem)
        return
    if await ctx.write(fulfillment.claim_request, request_id) is None:
        return  # another run has it, or it moved on meanwhile
    try:
        found = await client.get_order(snap.po_number)
        if found is not None:
            await ctx.write(fulfillment.mark_sent, request_id, ",".join(m.order_numbers(found)))
            ctx.count("reconciled")
            return
        if problem is not None or plan is None:
            assert problem is not None
            await ctx.write(fulfillment.mark_failed, request_id, problem.reason)
            ctx.record_failure(problem)
            return
        number = await place_order(client, plan)
    except WpsRejected as exc:
        await ctx.write(fulfillment.mark_failed, request_id, f"WPS: {exc.reason}")
        ctx.record_error(ref, f"WPS refused it: {exc.reason}")
        return
    except (AuthError, RetryBudgetExhausted) as exc:
        # WPS is unreachable or refuses us: stay `sending`, the next run reconciles it.
        await ctx.write(fulfillment.release_claim, request_id, str(exc))
        raise
    except FatalError as exc:
        # The outcome is unknown (e.g. a dropped connection after POST): ask WPS.
        try:
            found = await client.get_order(snap.po_number)
        except FatalError:
            await ctx.write(fulfillment.release_claim, request_id, str(exc))
            ctx.record_error(ref, f"{exc}; left 'sending', the next run checks WPS")
            return
        if found is not None:
            await ctx.write(fulfillment.mark_sent, request_id, ",".join(m.order_numbers(found)))
            ctx.count("sent")
            return
        if snap.attempts + 1 < MAX_SEND_ATTEMPTS:
            # WPS has no order for this PO, so a later run may safely try again by itself.
            await ctx.write(fulfillment.release_claim, request_id, str(exc))
            ctx.record_error(ref, f"{exc}; WPS has no order for it, the next run retries")
            return
        await ctx.write(fulfillment.mark_failed, request_id, str(exc))
        ctx.record_error(ref, f"{exc}; gave up after {MAX_SEND_ATTEMPTS} attempts: resubmit it")
        return
    await ctx.write(fulfillment.mark_sent, request_id, number)
    ctx.count("sent")


# Sends whose outcome was unclear but left no order at WPS are retried by later runs up to
# this many attempts; then the request fails and waits for an operator's resubmit.
MAX_SEND_ATTEMPTS = 5


@operation("wps", "send_orders")
async def send_orders(ctx: RunContext) -> None:
    """Send this source's pending (auto-process or resubmitted) requests as WPS orders."""
    cfg = SendSettings.parse(
        ctx.settings,
        integration=ctx.integration.name,
        kind="send_orders",
        templates=stored_templates(ctx.db),
    )
    source_id = ctx.owner_id
    client = wps_client(ctx)
    with ctx.db.read() as session:
        ids = fulfillment.requests_to_send(session, source_id)
    for n, request_id in enumerate(ids, 1):
        await send_one(ctx, client, cfg, request_id)
        ctx.progress(n, len(ids))
    ctx.progress(len(ids), len(ids))


# -- get_shipments / get_invoice ----------------------------------------------------------------


def _tracked(ctx: RunContext, cfg: TrackSettings) -> list[tuple[int, str]]:
    since = None
    if cfg.within_days:
        since = datetime.now(UTC) - timedelta(days=cfg.within_days)
    with ctx.db.read() as session:
        return fulfillment.requests_to_track(
            session, ctx.owner_id, statuses=cfg.statuses, since=since
        )


@operation("wps", "get_shipments")
async def get_shipments(ctx: RunContext) -> None:
    """Record tracking for this source's sent requests (partial shipments included)."""
    cfg = TrackSettings.parse(
        ctx.settings,
        integration=ctx.integration.name,
        kind="get_shipments",
        templates=stored_templates(ctx.db),
    )
    client = wps_client(ctx)
    requests = _tracked(ctx, cfg)
    now = datetime.now(UTC)
    for n, (request_id, po_number) in enumerate(requests, 1):
        ctx.progress(n - 1, len(requests))
        found = await client.get_order(po_number)
        if found is None:
            ctx.record_error(f"PO {po_number}", "WPS has no such PO; check it at WPS")
            continue
        shipments = []
        for record in m.shipments_of(found, now=now):
            if isinstance(record, MappingError):
                ctx.record_failure(record)
                continue
            shipments.append(
                fulfillment.ShipmentIn(
                    external_id=record.external_id,
                    tracking_number=record.tracking_number,
                    carrier=record.carrier,
                    service=record.service,
                    shipped_at=record.shipped_at,
                    lines=record.lines,
                )
            )

        created = await ctx.write(
            fulfillment.record_shipments,
            request_id,
            shipments,
            cancelled=m.all_cancelled(found),
        )
        if created:
            ctx.count("shipments_created", created)
    ctx.progress(len(requests), len(requests))


@operation("wps", "get_invoice")
async def get_invoice(ctx: RunContext) -> None:
    """Record WPS invoice numbers and totals for this source's requests."""
    cfg = TrackSettings.parse(
        ctx.settings,
        integration=ctx.integration.name,
        kind="get_invoice",
        templates=stored_templates(ctx.db),
    )
    client = wps_client(ctx)
    requests = _tracked(ctx, cfg)
    source_id = ctx.owner_id
    for n, (request_id, po_number) in enumerate(requests, 1):
        found = await client.get_order(po_number)
        ctx.progress(n, len(requests))
        if found is None:
            ctx.record_error(f"PO {po_number}", "WPS has no such PO; check it at WPS")
            continue
        rows = [
            {
                "request_id": request_id,
                "external_id": inv.external_id,
                "number": inv.external_id,
                "total": inv.total,
                "issued_at": inv.issued_at,
                "data": inv.data,
            }
            for inv in m.invoices_of(found)
        ]
        if rows:
            await ctx.write(fulfillment.record_invoices, source_id, rows)
            ctx.count("invoices", len(rows))
