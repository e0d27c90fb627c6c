"""`dropdeck notifications`: the Recent Notifications feed, optionally followed live."""

from __future__ import annotations

import argparse
import json
import time

from store.queries.notifications import (
    LEVELS,
    NotificationRow,
    notifications_after,
    recent_notifications,
)

from ..context import open_store
from ._common import print_json

POLL_SECONDS = 0.5


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], line: str) -> None:
    p = sub.add_parser("notifications", help=line)
    p.add_argument("--follow", "-f", action="store_true", help="keep printing new ones")
    p.add_argument("--level", choices=LEVELS, help="only this level and above")
    p.add_argument("--limit", type=int, default=50, help="how many recent ones to show first")
    p.add_argument("--json", action="store_true", help="JSON (a list; with --follow, one per line)")
    p.set_defaults(handler=_show)


def as_json(n: NotificationRow) -> dict[str, object]:
    return {
        "id": n.id,
        "at": n.at.isoformat(),
        "level": n.level,
        "integration": n.integration,
        "run_id": n.run_id,
        "event": n.event,
        "message": n.message,
        "data": n.data,
    }


def as_line(n: NotificationRow) -> str:
    where = f" [{n.integration}]" if n.integration else ""
    return f"{n.at:%Y-%m-%d %H:%M:%S} {n.level.upper():<7}{where} {n.message}"


def _show(args: argparse.Namespace) -> int:
    db = open_store()
    with db.connect() as session:
        rows = recent_notifications(session, limit=args.limit, min_level=args.level)
    if args.json and not args.follow:
        print_json(as_json(n) for n in rows)
        return 0
    last_id = 0
    try:
        while True:
            for n in rows:
                print(json.dumps(as_json(n), default=str) if args.json else as_line(n), flush=True)
                last_id = max(last_id, n.id or 0)
            if not args.follow:
                return 0
            time.sleep(POLL_SECONDS)
            with db.connect() as session:
                rows = notifications_after(session, last_id, min_level=args.level)
    except KeyboardInterrupt:
        return 0
