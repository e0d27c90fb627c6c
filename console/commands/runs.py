"""`dropdeck runs`: the console's Jobs pane at the command line. List runs newest first
(paged, by integration and status), show one run with its own log lines, or cancel one
(the Jobs pane's cancel: a queued run never starts, a running one stops at its next page)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from ..context import open_store
from ..errors import CliError
from ._common import counted, print_json, print_result, print_table

if TYPE_CHECKING:
    from store.queries.notifications import NotificationRow
    from store.queries.runs import RunRow

STATUSES = ("queued", "running", "succeeded", "partial", "failed", "cancelled")  # RunStatus
LOG_LINES = 200


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], line: str) -> None:
    p = sub.add_parser(
        "runs",
        help=line,
        description="Runs, newest first, a page at a time: the next page is "
        "'--before ID' with the last ID shown.",
    )
    _list_args(p)
    p.set_defaults(handler=_list)
    actions = p.add_subparsers(title="actions", metavar="ACTION")
    ls = actions.add_parser("list", help="list runs, newest first (the default)")
    _list_args(ls)
    ls.set_defaults(handler=_list)
    show = actions.add_parser("show", help="one run: its details, record errors and log lines")
    show.add_argument("id", type=int, metavar="ID", help="the run's id")
    show.add_argument("--json", action="store_true", help="print a JSON object")
    show.set_defaults(handler=_show)
    cancel = actions.add_parser(
        "cancel",
        help="cancel a run: a queued one never starts, a running one stops at its next page",
    )
    cancel.add_argument("id", type=int, metavar="ID", help="the run's id")
    cancel.add_argument("--json", action="store_true", help="print a JSON object")
    cancel.set_defaults(handler=_cancel)


def _list_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--integration", metavar="NAME", help="only runs of integrations starting with NAME"
    )
    p.add_argument("--status", choices=STATUSES, help="only runs with this status")
    p.add_argument("--limit", type=int, default=50, help="runs per page (default 50)")
    p.add_argument("--before", type=int, metavar="ID", help="the page of runs older than ID")
    p.add_argument("--json", action="store_true", help="print a JSON list")


def _run_json(r: RunRow) -> dict[str, Any]:
    return {
        "id": r.id,
        "integration": r.integration,
        "kind": r.kind,
        "trigger": r.trigger,
        "started_by": r.started_by,
        "status": r.status,
        "queued_at": r.queued_at.isoformat(),
        "started_at": r.started_at.isoformat() if r.started_at else None,
        "finished_at": r.finished_at.isoformat() if r.finished_at else None,
        "progress_done": r.progress_done,
        "progress_total": r.progress_total,
        "summary": r.summary,
        "error": r.error,
        "cancel_requested_by": r.cancel_requested_by,
    }


def _when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else ""


def _progress(r: RunRow) -> str:
    if r.progress_total:
        share = 100 * r.progress_done // max(1, r.progress_total)
        return f"{r.progress_done:,}/{r.progress_total:,} ({share}%)"
    return f"{r.progress_done:,} done"


def _list(args: argparse.Namespace) -> int:
    from store.queries.runs import page_runs

    if args.limit < 1:
        raise CliError(f"--limit {args.limit}: give 1 or more runs per page")
    db = open_store()
    with db.connect() as session:
        rows = page_runs(
            session,
            status=args.status,
            integration_prefix=args.integration,
            after=(args.before,) if args.before is not None else None,
            limit=args.limit,
        )
    if args.json:
        print_json(_run_json(r) for r in rows)
        return 0
    if not rows:
        print("no runs; start one with 'dropdeck run NAME' (see 'dropdeck integrations')")
        return 0
    print_table(
        ["id", "integration", "status", "started by", "finished / progress", "summary"],
        (
            (
                r.id,
                r.integration,
                r.status.replace("_", " "),
                r.started_by,
                _progress(r) if r.status == "running" else _when(r.finished_at),
                r.error if r.status == "failed" and r.error else (r.summary or ""),
            )
            for r in rows
        ),
    )
    if len(rows) == args.limit:
        print(f"older runs: dropdeck runs --before {rows[-1].id}")
    return 0


def _details(session: Any, run_id: int) -> tuple[RunRow, dict[str, int], list[NotificationRow]]:
    from store.queries.runs import run_counters, run_notifications, run_row

    row = run_row(session, run_id)
    if row is None:
        raise CliError(f"no run {run_id}; list them with 'dropdeck runs'")
    return row, run_counters(session, run_id), run_notifications(session, run_id)


def _show(args: argparse.Namespace) -> int:
    from ..runtime.runlog import log_event, run_log_lines

    db = open_store()
    with db.connect() as session:
        row, counters, notes = _details(session, args.id)
    log = run_log_lines(db.settings.home, row.run_uid, limit=LOG_LINES)
    failed = [n.message for n in notes if n.event == "record.failed"]
    if args.json:
        facts = _run_json(row) | {
            "counters": counters,
            "record_errors": failed,
            "notifications": [
                {"at": n.at.isoformat(), "level": n.level, "event": n.event, "message": n.message}
                for n in notes
            ],
            "log": log,
        }
        print_result(args, "", facts)
        return 0
    fields = [
        ("integration", row.integration),
        ("kind", row.kind),
        ("trigger", row.trigger),
        ("started by", row.started_by),
        ("status", row.status.replace("_", " ")),
        ("cancelling", f"asked by {row.cancel_requested_by}")
        if row.cancel_requested_by and row.status == "running"
        else None,
        ("queued", _when(row.queued_at)),
        ("started", _when(row.started_at)),
        ("finished", _when(row.finished_at)),
        ("progress", _progress(row)),
        ("summary", row.summary),
        ("error", row.error),
        ("counters", ", ".join(f"{k} {v}" for k, v in counters.items())),
    ]
    print(f"Run {row.id}")
    for field in fields:
        if field is not None and field[1]:
            print(f"  {field[0] + ':':<12} {field[1]}")
    print(f"Record errors ({len(failed):,})")
    for message in failed:
        print(f"  {message}")
    warnings = [
        f"{n.level.upper()} {n.message}"
        for n in notes
        if n.event != "record.failed" and n.level.lower() in ("warning", "error", "critical")
    ]
    if warnings:
        print("Warnings and errors")
        for warning in warnings:
            print(f"  {warning}")
    print(f"Log (last {counted(len(log), 'lines')})" if log else "Log")
    if not log:
        print("  no log lines on this host (a worker on another machine logs there)")
    for event in log:
        print(f"  {log_event(event)}")
    return 0


def _cancel(args: argparse.Namespace) -> int:
    from store.commands.audit import operator_name
    from store.commands.runs import request_cancel

    db = open_store()
    with db.write() as session:
        row, _run, _notes = _details(session, args.id)
        ended = row.status not in ("queued", "running")
        outcome = (
            row.status if ended else request_cancel(session, args.id, actor=operator_name("cli"))
        )
    said = {
        "cancelled": f"run {args.id} ({row.integration}) cancelled: it never starts",
        "requested": f"run {args.id} ({row.integration}) stops at its next page",
    }
    ended = ended or outcome not in said
    text = (
        f"run {args.id} ({row.integration}) had already ended ({outcome.replace('_', ' ')})"
        if ended
        else said[outcome]
    )
    result = {"action": "run.cancel", "run": args.id, "integration": row.integration}
    print_result(
        args,
        text,
        result
        | {"outcome": "already ended" if ended else outcome, "status": outcome if ended else None},
    )
    # Cancelling a run that had already finished otherwise did not do what was asked.
    return 1 if ended and outcome != "cancelled" else 0
