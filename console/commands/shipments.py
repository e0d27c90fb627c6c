"""`dropdeck shipments [--order N] [--json]`: shipments with the source's status."""

from __future__ import annotations

import argparse

from store.queries.orders import find_order_ref, order_shipments, page_shipments

from ..context import open_store
from ..errors import CliError
from ._common import print_json, print_table


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], line: str) -> None:
    p = sub.add_parser("shipments", help=line)
    p.add_argument("--order", metavar="ORDER", help="only this order's (id, number or external id)")
    p.add_argument(
        "--limit", type=int, default=100, metavar="N", help="newest N shipments (default 100)"
    )
    p.add_argument("--json", action="store_true", help="print a JSON list")
    p.set_defaults(handler=_list)


def _list(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise CliError(f"--limit {args.limit}: give a number of shipments, 1 or more")
    db = open_store()
    with db.connect() as session:
        if args.order:
            order = find_order_ref(session, args.order)
            if order is None:
                raise CliError(f"no order {args.order!r}; see 'dropdeck orders'")
            rows = order_shipments(session, order[0])
        else:
            rows = page_shipments(session, limit=args.limit)
    if args.json:
        print_json(r.as_json() for r in rows)
    elif not rows:
        print("no shipments; they arrive with each source's get_shipments run")
    else:
        print_table(
            ["tracking", "carrier", "status", "order", "po", "source", "shipped", "synced"],
            (
                (
                    r.tracking_number,
                    r.carrier,
                    r.status or "",
                    r.order_number,
                    r.po_number,
                    r.source,
                    r.shipped_at.strftime("%Y-%m-%d"),
                    "error" if r.sync_error else ("yes" if r.synced_at else "waiting"),
                )
                for r in rows
            ),
        )
    return 0
