"""`dropdeck inventory`: the console's Inventory pane at the command line. Each source's
items by SKU, a page at a time (keyset: the next page is `--after ID` with the last item's
id), filtered to one source and by words in what the pane shows, with the listings each
item backs (the listings routing would fill from it)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from ..context import open_store
from ..errors import CliError, UsageError
from ._common import print_json, print_table, source_id_named

if TYPE_CHECKING:
    from store.queries.inventory import InventoryRow, ItemListing

PAGE = 1000


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], line: str) -> None:
    p = sub.add_parser(
        "inventory",
        help=line,
        description="Inventory items by SKU with stock, cost and the listings each backs "
        "(the Inventory pane: i in Sources). A page at a time: the next page is "
        "'--after ID' with the last ID shown (--json: the last row's id).",
    )
    p.add_argument("--source", metavar="NAME", help="only this source's items")
    p.add_argument(
        "--filter",
        metavar="WORDS",
        help="only items with every word in their source, SKU, master SKU, title or stock "
        "status (any case), as the console's / filter",
    )
    p.add_argument(
        "--limit", type=int, default=100, metavar="N", help="items per page (default 100; 0: all)"
    )
    p.add_argument("--after", type=int, metavar="ID", help="the page after item ID")
    p.add_argument("--json", action="store_true", help="print a JSON list")
    p.set_defaults(handler=_list)


def _list(args: argparse.Namespace) -> int:
    from store.queries.inventory import inventory_key, listings_of_items, page_inventory

    if args.limit < 0:
        raise UsageError(f"--limit {args.limit}: give a number of items, or 0 for all")
    db = open_store()
    rows: list[InventoryRow] = []
    more = False
    with db.connect() as session:
        source_id = source_id_named(session, args.source) if args.source else None
        after = None
        if args.after is not None:
            after = inventory_key(session, args.after)
            if after is None:
                raise CliError(f"no inventory item with id {args.after}; page with an id shown")
        while True:
            want = PAGE if not args.limit else min(PAGE, args.limit - len(rows) + 1)
            page = page_inventory(
                session, source_id=source_id, text=args.filter, after=after, limit=want
            )
            rows.extend(page)
            if len(page) < want or (args.limit and len(rows) > args.limit):
                break
            after = page[-1].key
        if args.limit and len(rows) > args.limit:
            rows, more = rows[: args.limit], True
        listings = listings_of_items(session, [r.master_sku for r in rows])
    if args.json:
        print_json(
            r.as_json() | {"listings": [x.as_json() for x in listings.get(r.master_sku, [])]}
            for r in rows
        )
        return 0
    if not rows:
        print(_nothing(args))
        return 0
    print_table(
        ["id", "source", "sku", "master sku", "stock", "cost", "title", "listings"],
        (
            (
                r.id,
                r.source,
                r.sku,
                r.master_sku,
                f"{r.quantity:,}",
                "—" if r.cost is None else f"{r.cost:,.2f}",
                r.title,
                _listings(listings.get(r.master_sku, [])),
            )
            for r in rows
        ),
    )
    if more:
        print(f"more items: {_next_page(args, rows[-1].id)}")
    return 0


def _listings(found: list[ItemListing]) -> str:
    """`woo-demo WPS-1, mag-demo WPS-1`, or `none` (not listed: 'dropdeck listings add')."""
    return ", ".join(f"{x.channel} {x.sku}" for x in found) or "none"


def _nothing(args: argparse.Namespace) -> str:
    if args.filter or args.after is not None:
        return "no items match; drop --filter or --after to see more"
    if args.source:
        return (
            f"source {args.source} has no inventory yet; run its get_inventory: "
            f"dropdeck run {args.source}/get_inventory"
        )
    return "no inventory yet; run a source's get_inventory: dropdeck run SOURCE/get_inventory"


def _next_page(args: argparse.Namespace, last_id: int) -> str:
    """The command that prints the next page (words quoted as a shell would need)."""
    import shlex

    words = ["dropdeck", "inventory"]
    if args.source:
        words += ["--source", args.source]
    if args.filter:
        words += ["--filter", args.filter]
    if args.limit != 100:
        words += ["--limit", str(args.limit)]
    return " ".join(shlex.quote(w) for w in words) + f" --after {last_id}"
