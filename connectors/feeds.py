"""Reading a supplier's file feed: downloaded whole and checked first, then read in batches.

`downloaded_feed` spools the streamed body to a temporary file (constant memory) and only
hands it over once it is known to be whole: as many bytes as Content-Length said, a last
row that ends with a line end (outside quotes), and, when the ETag is a plain MD5 of the
body (as S3 and many file servers make it), a body with that MD5. A feed cut short (a
dropped connection, a proxy that gives up, a server fault) fails with one line and nothing
is imported, so the items it never reached keep their prices and quantities instead of a
half-applied run.

`feed_records` turns the file (CSV with a header row, or JSON lines) into batches of dicts,
never holding more than one chunk plus one batch. A CSV record may span lines (a quoted
field with a newline): a line ends a record only when the record's quotes are balanced. A
row whose column count is off is yielded as a `BadRow`, so the caller reports it and goes on.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import json
import re
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import IO, Any

import httpx

from .errors import FatalError


@dataclass(frozen=True)
class BadRow:
    """A feed line that cannot be read as a record: its line number and why."""

    line: int
    reason: str


Record = dict[str, Any] | BadRow

JSON_LINES = ("application/x-ndjson", "application/jsonl", "application/json-lines")
CHUNK = 64 * 1024
_MD5_ETAG = re.compile(r'^"?([0-9a-fA-F]{32})"?$')


class FeedCutShort(FatalError):
    """The feed's body is not whole; nothing was imported from it."""


@dataclass(frozen=True)
class Feed:
    """A downloaded, whole feed: the file and how to read it."""

    file: IO[bytes]
    size: int
    json_lines: bool


def _is_json_lines(response: httpx.Response) -> bool:
    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
    return kind in JSON_LINES


def _declared_length(response: httpx.Response) -> int | None:
    if response.headers.get("content-encoding", "identity").lower() != "identity":
        return None  # the length is of the encoded body; httpx checks that one itself
    try:
        return int(response.headers["content-length"])
    except (KeyError, ValueError):
        return None


def _md5_etag(response: httpx.Response) -> str | None:
    """The ETag when it is a strong, plain MD5 of the body (none of W/"...", "5f3a-1b2c")."""
    if response.headers.get("content-encoding", "identity").lower() != "identity":
        return None
    found = _MD5_ETAG.match(response.headers.get("etag", "").strip())
    return found.group(1).lower() if found else None


@asynccontextmanager
async def downloaded_feed(response: httpx.Response, what: str) -> AsyncIterator[Feed]:
    """The response's body in a temporary file, checked whole; `FeedCutShort` if it is not.

    `what` names the feed in the error ("US Direct primary feed").
    """
    declared = _declared_length(response)
    expected_md5 = _md5_etag(response)
    json_lines = _is_json_lines(response)
    digest = hashlib.md5(usedforsecurity=False)
    size = quotes = 0
    last = b""
    with tempfile.TemporaryFile(prefix="dropdeck-feed-") as spool:
        try:
            async for chunk in response.aiter_bytes(CHUNK):
                spool.write(chunk)
                digest.update(chunk)
                size += len(chunk)
                last = chunk[-1:] or last
                quotes += 0 if json_lines else chunk.count(b'"')
        except httpx.TransportError as exc:
            of = f" of {declared:,}" if declared is not None else ""
            got = response.num_bytes_downloaded
            raise _cut(
                what, f"the download stopped after {got:,}{of} bytes ({type(exc).__name__})"
            ) from None
        if declared is not None and size < declared:
            raise _cut(what, f"{size:,} bytes arrived, Content-Length said {declared:,}")
        if expected_md5 is not None and digest.hexdigest() != expected_md5:
            raise _cut(what, f"the {size:,} bytes that arrived do not match the feed's ETag")
        if size and last != b"\n":
            raise _cut(what, f"it ends mid-row (no line end after byte {size:,})")
        if quotes % 2:  # CSV doubles a quote inside a quoted field: a whole file has pairs
            raise _cut(what, f"it ends inside a quoted field (after byte {size:,})")
        spool.seek(0)
        yield Feed(file=spool, size=size, json_lines=json_lines)


def _cut(what: str, how: str) -> FeedCutShort:
    return FeedCutShort(
        f"{what} was cut short: {how}; nothing was imported and no price or quantity "
        "changed; run it again"
    )


async def _text_chunks(feed: Feed) -> AsyncIterator[str]:
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    while chunk := feed.file.read(CHUNK):
        yield decoder.decode(chunk)
    tail = decoder.decode(b"", final=True)
    if tail:
        yield tail


async def _records_text(chunks: AsyncIterator[str]) -> AsyncIterator[list[tuple[int, str]]]:
    """Complete records (line number, text) per chunk; quotes decide where one ends."""
    pending = ""  # an incomplete last line
    record: list[str] = []
    odd = False  # the record so far has an unbalanced quote
    line_no = 0
    start = 1
    async for chunk in chunks:
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


async def feed_records(feed: Feed) -> AsyncIterator[list[Record]]:
    """The feed's records, one batch per chunk read (CSV keyed by its header row)."""
    header: list[str] | None = None
    async for batch in _records_text(_text_chunks(feed)):
        out: list[Record] = []
        if feed.json_lines:
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
