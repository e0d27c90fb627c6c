"""A US Direct feed cut short changes nothing: the run fails with one line and every item
keeps its price and quantity, whether the cut shows as fewer bytes than Content-Length, a
last row without its line end, or a body whose MD5 is not the ETag's.

The sandbox's own truncation fault (`malformed`) cuts the feed in half and sets a matching
Content-Length; the other cuts are made by a middleware in front of the sandbox, as a proxy
or a flaky network would."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
import sqlalchemy as sa
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from store.db import Database
from store.models import InventoryItem
from tests.usdirect.conftest import UsDirect, serve_usdirect
from tests.wps.conftest import run_job

pytestmark = pytest.mark.e2e

Cut = Callable[[bytes], bytes]


def stock(usd: UsDirect) -> dict[str, tuple[Decimal | None, int]]:
    with usd.db.read() as session:
        rows = session.execute(
            sa.select(InventoryItem.sku, InventoryItem.cost, InventoryItem.quantity).where(
                InventoryItem.source_id == usd.source_id
            )
        )
        return {sku: (cost, qty) for sku, cost, qty in rows}


class CutFeed:
    """Middleware: the feed's body goes out cut by `cut`; with `keep_length` the original
    Content-Length is still declared (the connection then closes early), and without
    `keep_etag` the ETag is left out (so only the body itself can tell)."""

    def __init__(self, cut: Cut, *, keep_length: bool = False, keep_etag: bool = True) -> None:
        self.cut, self.keep_length, self.keep_etag = cut, keep_length, keep_etag
        self.on = False

    def __call__(self, app: ASGIApp) -> ASGIApp:
        async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http" or "/feeds/" not in scope["path"] or not self.on:
                await app(scope, receive, send)
                return
            start: dict[str, object] = {}
            body: list[bytes] = []

            async def collect(message: Message) -> None:
                if message["type"] == "http.response.start":
                    start.update(message)
                elif message["type"] == "http.response.body":
                    body.append(message.get("body", b""))

            await app(scope, receive, collect)
            whole = b"".join(body)
            cut = self.cut(whole)
            headers = []
            for key, value in start["headers"]:  # type: ignore[attr-defined]
                if key.lower() == b"content-length" and not self.keep_length:
                    value = str(len(cut)).encode()
                if key.lower() == b"etag" and not self.keep_etag:
                    continue
                headers.append((key, value))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": cut})

        return wrapped


def cut_on_row(whole: bytes) -> bytes:
    """Half the feed, ending on a row's line end: it looks whole but for its ETag."""
    return whole[: whole.rindex(b"\n", 0, len(whole) // 2) + 1]


def cut_mid_row(whole: bytes) -> bytes:
    """Half the feed and the first digits of the next row's quantity (a price or a
    quantity cut to fewer digits would still parse)."""
    end = whole.rindex(b"\n", 0, len(whole) // 2) + 1
    return whole[: whole.index(b",", end) + 3]


async def imported_then_changed(usd: UsDirect) -> dict[str, tuple[Decimal | None, int]]:
    """A first good import; then US Direct changes every price and quantity in its feed."""
    first = await run_job(usd.db, usd.integration("get_inventory"))
    assert first.status == "succeeded", first.error
    before = stock(usd)
    assert len(before) == len(usd.state.primary)
    for sku in usd.state.primary:
        product = usd.state.products[sku]
        product["qty"] = (product["qty"] or 0) + 3
        product["price"] = f"{Decimal(product['price']) + 1:.2f}"
    usd.state.feed_changed()
    return before


def assert_cut_short(usd: UsDirect, run_error: str | None, how: str) -> None:
    error = run_error or ""
    assert "\n" not in error
    assert error.startswith("the US Direct primary feed was cut short: "), error
    assert how in error
    assert error.endswith("nothing was imported and no price or quantity changed; run it again")


async def test_the_sandboxes_truncation_fault_changes_nothing(usd: UsDirect) -> None:
    before = await imported_then_changed(usd)
    usd.faults(malformed=1.0)
    run = await run_job(usd.db, usd.integration("get_inventory"))
    assert run.status == "failed"
    # Half the feed with a matching length: its MD5 is not the ETag's.
    assert_cut_short(usd, run.error, "do not match the feed's ETag")
    assert stock(usd) == before
    usd.faults(malformed=0.0)
    again = await run_job(usd.db, usd.integration("get_inventory"))
    assert again.status == "succeeded", again.error
    after = stock(usd)
    for sku in usd.state.primary:
        product = usd.state.products[sku]
        assert after[sku] == (Decimal(product["price"]), product["qty"])


@pytest.mark.parametrize(
    ("cut", "keep_length", "keep_etag", "how"),
    [
        (cut_on_row, True, True, "the download stopped after "),
        (cut_mid_row, False, False, "it ends mid-row"),
        (cut_on_row, False, True, "do not match the feed's ETag"),
    ],
    ids=["short-of-content-length", "mid-row-no-etag", "on-a-row-end-etag"],
)
async def test_a_feed_cut_short_changes_nothing(
    db: Database, cut: Cut, keep_length: bool, keep_etag: bool, how: str
) -> None:
    proxy = CutFeed(cut, keep_length=keep_length, keep_etag=keep_etag)
    served: Iterator[UsDirect] = serve_usdirect(db, wrap=proxy)
    usd = next(served)
    try:
        before = await imported_then_changed(usd)
        proxy.on = True
        run = await run_job(usd.db, usd.integration("get_inventory"))
        assert run.status == "failed"
        assert_cut_short(usd, run.error, how)
        assert stock(usd) == before
    finally:
        next(served, None)
