"""`dropdeck orders`: list orders with their fulfillment requests; resubmit a failed one;
send a pending one now (`orders send ORDER|PO`, audited, in this process)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from store.queries.orders import find_order, page_orders
from store.states import OrderStatus, RequestStatus

from ..context import open_store
from ..errors import CliError, UsageError
from ._output import json_arg, print_json, print_result, print_table

if TYPE_CHECKING:
    from sqlmodel import Session

# Listing reads through a Core connection; the actions load the model classes when they
# run, so `dropdeck orders` starts without them.

PAGE = 1000


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], line: str) -> None:
    p = sub.add_parser("orders", help=line)
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
    json_arg(r)
    r.set_defaults(handler=_resubmit)
    s = actions.add_parser(
        "send",
        help="send a pending fulfillment request now (never a second order)",
        description="Send ORDER's pending fulfillment request (or the one with this PO) to "
        "its source now, in this process, whether its channel's auto-process is on or not. "
        "The send looks the PO up at the supplier first, so it never creates a second order.",
    )
    s.add_argument("ref", metavar="ORDER|PO", help="order id or number, or a PO number")
    json_arg(s)
    s.set_defaults(handler=_send)
    route = actions.add_parser(
        "route",
        help="route a held order again (after linking its listing, a restock or a mapping)",
        description="Route ORDER, on hold, again now: its shipping text is mapped and its "
        "lines assigned to sources as get_orders does, or it stays on hold with the reason "
        "as it is now (exit 1). With --shipping-policy, an order held for a missing shipping "
        "mapping gets that mapping on its channel first, and every order held for the same "
        "text is routed again too.",
    )
    route.add_argument("order", metavar="ORDER", help="order id or number")
    route.add_argument(
        "--shipping-policy",
        metavar="POLICY",
        help="map the order's shipping text to POLICY on its channel first (a policy your "
        "sources map to a carrier code: see 'dropdeck mappings shipping list')",
    )
    route.set_defaults(handler=_route)


def _address(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        field, sep, value = pair.partition("=")
        if not sep or not field.strip():
            raise UsageError(f"--address takes FIELD=VALUE, not {pair!r}")
        out[field.strip()] = value.strip()
    return out


def _resubmit(args: argparse.Namespace) -> int:
    import sqlalchemy as sa
    from sqlmodel import col

    from store.commands.audit import operator_name
    from store.commands.fulfillment import ResubmitRefused, resubmit_request
    from store.commands.runs import queue_run
    from store.models import FulfillmentRequest, Integration, Source
    from store.models.runtime import RunTrigger

    address = _address(args.address)
    db = open_store()
    actor = operator_name("cli")
    lines = []
    done: list[dict[str, object]] = []
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
        methods = {
            r.id: _checked_method(session, r.source_id, args.shipping_method) for r in failed
        }
        for request in failed:
            try:
                resubmit_request(
                    session,
                    request.id or 0,
                    shipping_method=methods[request.id],
                    shipping_address=address or None,
                    actor=actor,
                )
            except ResubmitRefused as exc:
                raise CliError(str(exc)) from None
            source = session.get(Source, request.source_id)
            name = source.name if source else str(request.source_id)
            how = f"PO {request.po_number} ({name}) resubmitted"
            item: dict[str, object] = {"po_number": request.po_number, "source": name}
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
                item["run"] = run.id
            else:
                how += f"; it goes with the next {name}/send_orders run"
            lines.append(how)
            done.append(item)
    result = {"action": "orders.resubmit", "order": order.number, "resubmitted": done}
    print_result(args, "\n".join(lines), result)
    return 0


def _route(args: argparse.Namespace) -> int:
    from store.commands.audit import operator_name
    from store.commands.route_again import RouteRefused, add_mapping_and_route, route_again

    db = open_store()
    actor = operator_name("cli")
    with db.write() as session:
        order = find_order(session, args.order)
        if order is None:
            raise CliError(
                f"no order '{args.order}'; list held ones with 'dropdeck orders --status on_hold'"
            )
        try:
            if args.shipping_policy is not None:
                key, routed = add_mapping_and_route(
                    session, order.id or 0, args.shipping_policy, actor
                )
                print(f"channel mapping added: {key} -> {args.shipping_policy.strip()}")
            else:
                routed = [route_again(session, order.id or 0, actor)]
        except RouteRefused as exc:
            raise CliError(str(exc)) from None
    for r in routed:
        if r.hold_reason:
            print(f"order {r.number} still on hold: {r.hold_reason}")
        else:
            print(f"order {r.number} {r.status.replace('_', ' ')}")
    return 1 if routed[0].hold_reason else 0


def _checked_method(session: Session, source_id: int, raw: str | None) -> str | None:
    """The --shipping-method code as the source takes it, checked now: an unknown code is
    one line naming the source's codes, before anything is changed."""
    from connectors.registry import descriptors
    from store.models import Source

    if raw is None or not raw.strip():
        return raw
    source = session.get(Source, source_id)
    known = descriptors().get(source.kind) if source is not None else None
    if known is None or not known.shipping_codes:
        return raw.strip()  # a source that takes free text
    code = raw.strip().upper()  # send_orders compares upper-cased codes
    if code not in known.shipping_codes:
        raise UsageError(
            f"--shipping-method {raw!r} is not a {known.display_name} shipping method; "
            f"use one of {', '.join(known.shipping_codes)}"
        )
    return code


def _send(args: argparse.Namespace) -> int:
    from store.commands.audit import operator_name
    from store.commands.fulfillment import SendRefused, queue_send_now
    from store.models import FulfillmentRequest

    from .run import run_here

    db = open_store()
    with db.write() as session:
        request_id = _request_to_send(session, args.ref)
        try:
            run_id = queue_send_now(session, request_id, actor=operator_name("cli"))
        except SendRefused as exc:
            raise CliError(str(exc)) from None
    status = run_here(db, run_id, quiet=args.json)
    with db.read() as session:
        request = session.get(FulfillmentRequest, request_id)
    assert request is not None
    result = {
        "action": "orders.send",
        "po_number": request.po_number,
        "run": run_id,
        "status": request.status,
        "external_id": request.external_id,
        "error": request.last_error if request.status == RequestStatus.FAILED.value else None,
    }
    if request.status == RequestStatus.FAILED.value:
        print_result(args, f"PO {request.po_number} failed: {request.last_error}", result)
        return 1
    at = f" as order {request.external_id}" if request.external_id else ""
    print_result(args, f"PO {request.po_number}: {request.status}{at}", result)
    return status


def _request_to_send(session: Session, ref: str) -> int:
    """The request named by a PO, or the one pending request of an order."""
    import sqlalchemy as sa
    from sqlmodel import col

    from store.models import FulfillmentRequest

    by_po = session.scalar(
        sa.select(col(FulfillmentRequest.id)).where(col(FulfillmentRequest.po_number) == ref)
    )
    if by_po is not None:
        return int(by_po)
    order = find_order(session, ref)
    if order is None:
        raise CliError(f"no order or PO '{ref}'; list them with 'dropdeck orders'")
    requests = list(
        session.scalars(
            sa.select(FulfillmentRequest)
            .where(col(FulfillmentRequest.order_id) == order.id)
            .order_by(col(FulfillmentRequest.id))
        )
    )
    open_ = [
        r
        for r in requests
        if r.status in (RequestStatus.PENDING.value, RequestStatus.SENDING.value)
    ]
    if len(open_) == 1:
        return open_[0].id or 0
    states = ", ".join(f"{r.po_number} {r.status}" for r in requests) or "none"
    if not open_:
        raise CliError(f"order {order.number} has no pending request to send (requests: {states})")
    raise CliError(f"order {order.number} has several pending requests ({states}); give the PO")


def _list(args: argparse.Namespace) -> int:
    db = open_store()
    rows = []
    after: tuple[int] | None = None
    with db.connect() as session:
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
        # Statuses as the console says them (`on hold`); --json keeps `on_hold`.
        print_table(
            ["id", "number", "channel", "status", "placed", "customer", "total", "requests"],
            (
                (
                    r.id,
                    r.number,
                    r.channel,
                    r.status.replace("_", " "),
                    r.created_at.strftime("%Y-%m-%d %H:%M"),
                    r.customer_name,
                    "" if r.total is None else f"{r.total:,.2f}",
                    ", ".join(
                        f"{q.po_number} {q.status.replace('_', ' ')}"
                        for q in r.fulfillment_requests
                    ),
                )
                for r in rows
            ),
        )
    return 0
