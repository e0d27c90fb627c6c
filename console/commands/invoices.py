"""`dropdeck invoices [--order N] [--json]`: source invoices with the order they bill."""

from __future__ import annotations

import argparse

from store.queries.invoices import list_invoices
from store.queries.orders import find_order_ref

from ..context import open_store
from ..errors import CliError
from ._common import print_json, print_table


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], line: str) -> None:
    p = sub.add_parser("invoices", help=line)
    p.add_argument("--order", metavar="ORDER", help="only this order's (id, number or external id)")
    p.add_argument("--json", action="store_true", help="print a JSON list")
    p.set_defaults(handler=_list)


def _list(args: argparse.Namespace) -> int:
    db = open_store()
    with db.connect() as session:
        order_id = None
        if args.order:
            order = find_order_ref(session, args.order)
            if order is None:
                raise CliError(f"no order {args.order!r}; see 'dropdeck orders'")
            order_id = order[0]
        rows = list_invoices(session, order_id=order_id)
    if args.json:
        print_json(r.as_json() for r in rows)
    elif not rows:
        print("no invoices; they arrive with each source's get_invoice run")
    else:
        print_table(
            ["number", "total", "source", "order", "po", "channel order number", "issued"],
            (
                (
                    r.number,
                    "" if r.total is None else f"{r.total} {r.currency}",
                    r.source,
                    r.order_number,
                    r.po_number,
                    r.channel_order_number,
                    r.issued_at.strftime("%Y-%m-%d") if r.issued_at else "",
                )
                for r in rows
            ),
        )
    return 0
