"""Small helpers every subcommand shares: JSON output, tables, URL redaction."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa


def redacted_url(url: str) -> str:
    return sa.make_url(url).render_as_string(hide_password=True)


def print_json(rows: Iterable[dict[str, Any]]) -> None:
    json.dump(list(rows), sys.stdout, default=str)
    sys.stdout.write("\n")


def print_table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """A plain, aligned text table (for humans; scripts use --json)."""
    text_rows = [["" if v is None else str(v) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in text_rows:
        widths = [max(w, len(v)) for w, v in zip(widths, row, strict=True)]
    line = "  ".join(h.upper().ljust(w) for h, w in zip(headers, widths, strict=True))
    print(line.rstrip())
    for row in text_rows:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
