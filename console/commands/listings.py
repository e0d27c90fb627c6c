"""`dropdeck listings`: list listings; pause/unpause/hide/unhide/unlink them by SKU; request
a delist/publish/overwrite (carried out by the channel's next sync or publish)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from store.queries.listings import ListingTab, listing_backing, page_listings
from store.states import TRANSITIONS, ListingAction, Pending

from ..context import open_store
from ..errors import CliError
from ._output import counted, json_arg, print_json, print_result, print_table

if TYPE_CHECKING:
    from store.commands.listings import ActionResult

# Listing and printing read through a Core connection; the actions load the model classes
# (store.commands) when they run, so `dropdeck listings` starts without them.

PAGE = 1000


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], line: str) -> None:
    p = sub.add_parser("listings", help=line)
    p.add_argument(
        "--status",
        choices=[t.value for t in ListingTab],
        default=ListingTab.ALL.value,
        help="only listings in this state or with this flag",
    )
    p.add_argument("--sku", metavar="PREFIX", help="only SKUs starting with PREFIX")
    p.add_argument("--limit", type=int, default=0, help="at most this many rows (0: all)")
    p.add_argument("--json", action="store_true", help="print a JSON list")
    p.set_defaults(handler=_list)
    actions = p.add_subparsers(title="actions", metavar="ACTION")
    for action in ListingAction:
        a = actions.add_parser(action.value, help=f"{action.value} listings by SKU")
        a.add_argument("skus", nargs="+", metavar="SKU")
        json_arg(a)
        a.set_defaults(handler=_act, action=action)
    add = actions.add_parser(
        "add",
        help="create listings on a channel from a source's inventory (the next publish "
        "prices them by the listing rule and creates the products)",
    )
    add.add_argument("--channel", required=True, help="the channel's name")
    add.add_argument("--source", required=True, help="the source whose inventory to list")
    add.add_argument(
        "--sku",
        dest="prefixes",
        action="append",
        default=[],
        metavar="PREFIX",
        help="only inventory SKUs starting with PREFIX (repeatable; default: all)",
    )
    json_arg(add)
    add.set_defaults(handler=_add)
    link = actions.add_parser(
        "link",
        help="link listings to a supplier's inventory item, so orders for them can be routed",
        description="Set the master SKU of the listings with these SKUs (on every channel, or "
        "on --channel) to the inventory item named by --to: its master SKU, or a source's "
        "own SKU for it. Routing fills an order line from the sources carrying that master "
        "SKU. Then route held orders again: dropdeck orders route ORDER.",
    )
    link.add_argument("skus", nargs="+", metavar="SKU")
    link.add_argument(
        "--to", required=True, metavar="MASTER_SKU", help="the inventory item's master SKU"
    )
    link.add_argument("--channel", metavar="NAME", help="only the listing on this channel")
    link.set_defaults(handler=_link)
    u = actions.add_parser(
        "unlink",
        help="unlink listings by SKU (fixes a broken link: the next link_listings relinks "
        "on SKU/UPC, or publish creates the product anew)",
    )
    u.add_argument("skus", nargs="+", metavar="SKU")
    json_arg(u)
    u.set_defaults(handler=_unlink)
    for transition in TRANSITIONS:
        t = actions.add_parser(
            transition.value,
            help=f"{transition.value} listings by SKU at the channel's next sync/publish",
        )
        t.add_argument("skus", nargs="+", metavar="SKU")
        if transition is Pending.DELIST:
            t.add_argument("--yes", action="store_true", help="confirm delisting more than one")
        json_arg(t)
        t.set_defaults(handler=_transition, transition=transition)


def _list(args: argparse.Namespace) -> int:
    db = open_store()
    tab = ListingTab(args.status)
    rows = []
    backing = {}
    after: tuple[str, int] | None = None
    with db.connect() as session:
        while True:
            page = page_listings(session, tab, sku_prefix=args.sku, after=after, limit=PAGE)
            rows.extend(page)
            backing.update(listing_backing(session, [r.id for r in page]))
            if len(page) < PAGE or (args.limit and len(rows) >= args.limit):
                break
            after = page[-1].key
    if args.limit:
        rows = rows[: args.limit]
    if args.json:
        print_json(r.as_json() | backing[r.id].as_json() for r in rows)
    elif not rows:
        print(f"no listings ({tab.value}); import or publish listings first: dropdeck run NAME")
    else:
        print_table(
            ["sku", "channel", "state", "flags", "price", "qty", "pending", "source"],
            (
                (
                    r.sku,
                    r.channel,
                    r.link_state.replace("_", " "),  # `broken link` as the console says
                    ",".join(f for f, on in (("paused", r.paused), ("hidden", r.hidden)) if on),
                    r.price,
                    r.quantity,
                    r.pending,
                    ", ".join(backing[r.id].sources) or "none",
                )
                for r in rows
            ),
        )
    return 0


def _act(args: argparse.Namespace) -> int:
    from connectors.registry import unsupported_actions  # loads every connector
    from store.commands.audit import operator_name
    from store.commands.listings import apply_listing_action

    action: ListingAction = args.action
    db = open_store()
    with db.write() as session:
        result = apply_listing_action(
            session,
            action,
            skus=args.skus,
            actor=operator_name("cli"),
            unsupported=unsupported_actions(),
        )
    verb = {"pause": "paused", "unpause": "unpaused", "hide": "hidden", "unhide": "unhidden"}
    text = f"{verb[action.value]}: {len(result.changed)}, already so: {len(result.unchanged)}"
    return _said(args, f"listings.{action.value}", text, result)


def _add(args: argparse.Namespace) -> int:
    import sqlalchemy as sa

    from store.commands.listing_add import add_listings_from_inventory
    from store.models import Channel, Source

    db = open_store()
    with db.write() as session:
        channel = session.scalars(sa.select(Channel).where(Channel.name == args.channel)).first()
        source = session.scalars(sa.select(Source).where(Source.name == args.source)).first()
        if channel is None or source is None:
            which = f"channel {args.channel!r}" if channel is None else f"source {args.source!r}"
            raise CliError(f"no {which}; list them with 'dropdeck channels' / 'dropdeck sources'")
        parents, variants = add_listings_from_inventory(
            session, channel.id or 0, source.id or 0, args.prefixes
        )
    text = (
        f"listings added to {args.channel}: {counted(parents, 'parents')}, "
        f"{counted(variants, 'variants')} "
        "(existing SKUs left as they are); run its publish_listings to create the products"
    )
    result = {"action": "listings.add", "channel": args.channel, "source": args.source}
    print_result(args, text, result | {"parents": parents, "variants": variants})
    return 0


def _link(args: argparse.Namespace) -> int:
    import sqlalchemy as sa

    from store.commands.audit import operator_name
    from store.commands.listing_link import LinkRefused, link_to_inventory
    from store.models import Channel

    db = open_store()
    with db.write() as session:
        channel_id = None
        if args.channel is not None:
            channel = session.scalars(
                sa.select(Channel).where(Channel.name == args.channel)
            ).first()
            if channel is None:
                raise CliError(f"no channel {args.channel!r}; list them with 'dropdeck channels'")
            channel_id = channel.id
        try:
            linked = link_to_inventory(
                session,
                args.to,
                actor=operator_name("cli"),
                skus=list(dict.fromkeys(args.skus)),
                channel_id=channel_id,
            )
        except LinkRefused as exc:
            raise CliError(str(exc)) from None
    sources = ", ".join(linked.sources)
    print(
        f"linked to {linked.master_sku} ({sources}): {len(linked.changed)}, already so: "
        f"{len(linked.unchanged)}; route held orders again with 'dropdeck orders route ORDER'"
    )
    return 0


def _unlink(args: argparse.Namespace) -> int:
    from store.commands.audit import operator_name
    from store.commands.listings import unlink_listings

    db = open_store()
    with db.write() as session:
        result = unlink_listings(
            session, skus=list(dict.fromkeys(args.skus)), actor=operator_name("cli")
        )
    text = (
        f"unlinked: {len(result.changed)}, already so: {len(result.unchanged)} "
        "(run link_listings to relink on SKU/UPC, or publish to create the products anew)"
    )
    return _said(args, "listings.unlink", text, result)


def _transition(args: argparse.Namespace) -> int:
    from connectors.registry import unsupported_actions  # loads every connector
    from store.commands.audit import operator_name
    from store.commands.listings import request_listing_transition

    transition: Pending = args.transition
    skus = list(dict.fromkeys(args.skus))
    if transition is Pending.DELIST and len(skus) > 1 and not args.yes:
        raise CliError(
            f"delisting {len(skus)} listings removes them from the channel; "
            "repeat with --yes to confirm"
        )
    db = open_store()
    with db.write() as session:
        result = request_listing_transition(
            session,
            transition,
            skus=skus,
            actor=operator_name("cli"),
            unsupported=unsupported_actions(),
        )
    text = (
        f"{transition.value} requested: {len(result.changed)}, already so: "
        f"{len(result.unchanged)} (carried out by the channel's next sync or publish)"
    )
    return _said(args, f"listings.{transition.value}", text, result)


def _said(args: argparse.Namespace, action: str, text: str, result: ActionResult) -> int:
    """Say what was done and which SKUs were refused and why (with --json: one object);
    unknown SKUs are an error, refusals exit 1."""
    if args.json:
        print_result(
            args,
            text,
            {
                "action": action,
                "changed": result.changed,
                "unchanged": result.unchanged,
                "refused": result.refused,
                "unknown": result.unknown,
            },
        )
    else:
        print(text)
        for sku, why in result.refused.items():
            print(f"refused {sku}: {why}")
    if result.unknown:
        raise CliError(
            f"no listing with SKU {', '.join(result.unknown)}; "
            "check the SKU with 'dropdeck listings --sku PREFIX'"
        )
    return 1 if result.refused else 0
