"""Reading a supplier's file feed as it downloads: records in batches, constant memory.

`feed_records` turns an httpx streaming response (CSV with a header row, or JSON lines)
into batches of dicts, never holding more than one network chunk plus one batch. A CSV
record may span lines (a quoted field with a newline): a line ends a record only when the
record's quotes are balanced. A row whose column count is off is yielded as a `BadRow`, so
the caller reports it and goes on.
"""

from __future__ import annotations

import csv
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass(frozen=True)
class BadRow:
    """A feed line that cannot be read as a record: its line number and why."""

    line: int
    reason: str


Record = dict[str, Any] | BadRow

JSON_LINES = ("application/x-ndjson", "application/jsonl", "application/json-lines")


def _is_json_lines(response: httpx.Response) -> bool:
    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
    return kind in JSON_LINES


async def _records_text(response: httpx.Response) -> AsyncIterator[list[tuple[int, str]]]:
    """Complete records (line number, text) per network chunk; quotes decide where one ends."""
    pending = ""  # an incomplete last line
    record: list[str] = []
    odd = False  # the record so far has an unbalanced quote
    line_no = 0
    start = 1
    async for chunk in response.aiter_text():
        lines = (pending + chunk).split("\n")
        pending = lines.pop()
        done: list[tuple[int, str]] = []
        for line in lines:
            line_no += 1
            if not record:
                start = line_no
            record.append(line)
            odd ^= line.count('"') % 2 == 1
            if not odd:
                done.append((start, "\n".join(record)))
                record = []
        if done:
            yield done
    tail = "\n".join([*record, pending]) if record else pending
    if tail.strip():
        yield [(line_no + 1 if not record else start, tail)]


async def feed_records(response: httpx.Response) -> AsyncIterator[list[Record]]:
    """The feed's records, one batch per network chunk (CSV keyed by its header row)."""
    json_lines = _is_json_lines(response)
    header: list[str] | None = None
    async for batch in _records_text(response):
        out: list[Record] = []
        if json_lines:
            for line_no, text in batch:
                if not text.strip():
                    continue
                try:
                    value = json.loads(text)
                except ValueError:
                    out.append(BadRow(line_no, "not JSON"))
                    continue
                out.append(value if isinstance(value, dict) else BadRow(line_no, "not an object"))
            yield out
            continue
        texts = [t.rstrip("\r") for _, t in batch]
        for (line_no, _), row in zip(batch, csv.reader(texts), strict=True):
            if header is None:
                header = [h.strip() for h in row]
                continue
            if not row or row == [""]:
                continue
            if len(row) != len(header):
                out.append(BadRow(line_no, f"{len(row)} columns, the header has {len(header)}"))
                continue
            out.append(dict(zip(header, row, strict=True)))
        yield out
