"""How commands print: JSON for scripts, tables for people, one-line results and errors.
Nothing here loads a database library (store.safe_text is plain Python): `console.cli` says
an error as JSON, and read commands print, without one."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from typing import Any

from store.safe_text import visible


def print_json(rows: Iterable[dict[str, Any]]) -> None:
    json.dump(list(rows), sys.stdout, default=str)
    sys.stdout.write("\n")


def counted(n: int, noun: str) -> str:
    """`1 line`, `2 lines`: a count with its noun agreeing (`noun` is the plural)."""
    return f"{n:,} {noun[:-1] if n == 1 and noun.endswith('s') else noun}"


def print_result(args: argparse.Namespace, text: str, result: dict[str, Any]) -> None:
    """What an action did: `text` for a person, or with --json one JSON object for a script."""
    if getattr(args, "json", False):
        json.dump(result, sys.stdout, default=str)
        sys.stdout.write("\n")
    elif text:
        print(text)


def print_error_json(message: str, exit_status: int) -> None:
    """A failed command run with --json: one object on stdout, as its result would have been,
    so a script reading stdout sees why (the one line on stderr stays for people)."""
    print_result(argparse.Namespace(json=True), "", {"error": message, "exit_status": exit_status})


def redacted_url(url: str) -> str:
    """A database URL as it may be shown: without its password."""
    import sqlalchemy as sa  # loaded by the commands that show one, which open the store

    return sa.make_url(url).render_as_string(hide_password=True)


def json_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="say what was done as one JSON object")


def print_table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """A plain, aligned text table (for humans; scripts use --json)."""
    # One line per row: a newline or tab in a value is shown, not obeyed (store.safe_text).
    text_rows = [["" if v is None else visible(v) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in text_rows:
        widths = [max(w, len(v)) for w, v in zip(widths, row, strict=True)]
    line = "  ".join(h.upper().ljust(w) for h, w in zip(headers, widths, strict=True))
    print(line.rstrip())
    for row in text_rows:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
