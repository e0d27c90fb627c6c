"""`dropdeck orders`: list orders with their fulfillment requests."""

from __future__ import annotations

import argparse

from store.models.orders import OrderStatus
from store.queries.orders import page_orders

from ..context import open_store
from ._common import print_json, print_table

PAGE = 1000


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("orders", help="list orders, or resubmit a failed one")
    p.add_argument("--status", choices=[s.value for s in OrderStatus], help="only this status")
    p.add_argument("--limit", type=int, default=0, help="at most this many rows (0: all)")
    p.add_argument("--json", action="store_true", help="print a JSON list")
    p.set_defaults(handler=_list)


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
            ["id", "number", "channel", "status", "created", "requests"],
            (
                (
                    r.id,
                    r.number,
                    r.channel,
                    r.status,
                    r.created_at.strftime("%Y-%m-%d %H:%M"),
                    " ".join(f"{q.po_number}:{q.status}" for q in r.fulfillment_requests),
                )
                for r in rows
            ),
        )
    return 0
