"""`dropdeck orders`: list orders with their fulfillment requests; resubmit a failed one."""

from __future__ import annotations

import argparse

import sqlalchemy as sa
from sqlmodel import col

from store.commands.audit import operator_name
from store.commands.fulfillment import ResubmitRefused, resubmit_request
from store.commands.runs import queue_run
from store.models import FulfillmentRequest, Integration, Source
from store.models.orders import OrderStatus, RequestStatus
from store.models.runtime import RunTrigger
from store.queries.orders import find_order, page_orders

from ..context import open_store
from ..errors import CliError, UsageError
from ._common import print_json, print_table

PAGE = 1000


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("orders", help="list orders, or resubmit a failed one")
    p.add_argument("--status", choices=[s.value for s in OrderStatus], help="only this status")
    p.add_argument("--limit", type=int, default=0, help="at most this many rows (0: all)")
    p.add_argument("--json", action="store_true", help="print a JSON list")
    p.set_defaults(handler=_list)
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    r = actions.add_parser(
        "resubmit",
        help="send an order's failed fulfillment requests again (never a second order)",
        description="Put ORDER's failed fulfillment requests back in line for their source's "
        "next send_orders run, after optional edits. The send checks the supplier first, so "
        "a resubmit never creates a second order there.",
    )
    r.add_argument("order", metavar="ORDER", help="order id or number")
    r.add_argument("--shipping-method", metavar="CODE", help="the source's carrier code, e.g. UP2D")
    r.add_argument(
        "--address",
        metavar="FIELD=VALUE",
        action="append",
        default=[],
        help="change one shipping address field (repeatable; FIELD= clears it)",
    )
    r.add_argument("--now", action="store_true", help="also queue the source's send_orders run")
    r.set_defaults(handler=_resubmit)


def _address(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        field, sep, value = pair.partition("=")
        if not sep or not field.strip():
            raise UsageError(f"--address takes FIELD=VALUE, not {pair!r}")
        out[field.strip()] = value.strip()
    return out


def _resubmit(args: argparse.Namespace) -> int:
    address = _address(args.address)
    db = open_store()
    actor = operator_name("cli")
    lines = []
    with db.write() as session:
        order = find_order(session, args.order)
        if order is None:
            raise CliError(f"no order '{args.order}'; list them with 'dropdeck orders'")
        requests = list(
            session.scalars(
                sa.select(FulfillmentRequest)
                .where(col(FulfillmentRequest.order_id) == order.id)
                .order_by(col(FulfillmentRequest.id))
            )
        )
        failed = [r for r in requests if r.status == RequestStatus.FAILED.value]
        if not failed:
            states = ", ".join(f"{r.po_number} {r.status}" for r in requests) or "none"
            raise CliError(
                f"order {order.number} has no failed fulfillment request to resubmit "
                f"(requests: {states})"
            )
        for request in failed:
            try:
                resubmit_request(
                    session,
                    request.id or 0,
                    shipping_method=args.shipping_method,
                    shipping_address=address or None,
                    actor=actor,
                )
            except ResubmitRefused as exc:
                raise CliError(str(exc)) from None
            source = session.get(Source, request.source_id)
            name = source.name if source else str(request.source_id)
            how = f"PO {request.po_number} ({name}) resubmitted"
            if args.now:
                integration = session.scalars(
                    sa.select(Integration).where(
                        col(Integration.source_id) == request.source_id,
                        col(Integration.kind) == "send_orders",
                    )
                ).first()
                if integration is None or integration.id is None:
                    raise CliError(f"{name} has no send_orders integration; add one, then retry")
                run = queue_run(session, integration.id, RunTrigger.MANUAL)
                how += f"; {integration.name} run {run.id} queued"
            else:
                how += f"; it goes with the next {name}/send_orders run"
            lines.append(how)
    for line in lines:
        print(line)
    return 0


def _list(args: argparse.Namespace) -> int:
    db = open_store()
    rows = []
    after: tuple[int] | None = None
    with db.read() as session:
        while True:
            page = page_orders(session, status=args.status, after=after, limit=PAGE)
            rows.extend(page)
            if len(page) < PAGE or (args.limit and len(rows) >= args.limit):
                break
            after = (page[-1].id,)
    if args.limit:
        rows = rows[: args.limit]
    if args.json:
        print_json(r.as_json() for r in rows)
    elif not rows:
        print("no orders; they arrive with each channel's get_orders run")
    else:
        print_table(
            ["id", "number", "channel", "status", "placed", "requests"],
            (
                (
                    r.id,
                    r.number,
                    r.channel,
                    r.status.replace("_", " "),  # `on hold` as the console says; --json: on_hold
                    r.created_at.strftime("%Y-%m-%d %H:%M"),
                    " ".join(f"{q.po_number}:{q.status}" for q in r.fulfillment_requests),
                )
                for r in rows
            ),
        )
    return 0
