"""`y` copies the selected row's key value through OSC 52, in every pane, read-only too;
a value holding a control character is refused, and no OSC 52 is written for it."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session
from textual.pilot import Pilot

from console.tui.app import DropdeckApp
from console.tui.panes.integrations import _pane_rows
from store.db import Database
from store.models import ListingVariant
from store.queries.attention import attention
from store.queries.dashboard import dashboard
from store.queries.inventory import page_inventory
from store.queries.listings import ListingTab, page_listings
from store.queries.orders import page_orders, page_shipments
from store.queries.runs import page_runs

from .conftest import FROZEN_NOW, settle


def osc52(value: str) -> str:
    return f"\x1b]52;c;{base64.b64encode(value.encode()).decode()}\a"


def _listing_skus(s: Session) -> list[str]:
    return [r.sku for r in page_listings(s, tab=ListingTab.ALL, limit=2)]


def _shipment_keys(s: Session) -> list[str]:
    return [r.tracking_number or r.po_number for r in page_shipments(s, limit=2)]


def _attention_example(s: Session) -> list[str]:
    example = attention(s).held_example  # the demo holds orders: the first line
    assert example
    return [" ".join(example.split())]


# pane -> (keys that open it, what the toast calls the value, the first two rows' key
# values as the store gives them)
CASES: dict[str, tuple[tuple[str, ...], str, Callable[[Session], list[str]]]] = {
    "listings": (("3",), "SKU", _listing_skus),
    "orders": (("4",), "order number", lambda s: [r.number for r in page_orders(s, limit=2)]),
    "shipments": (("5",), "tracking number", _shipment_keys),
    "jobs": (("6",), "run id", lambda s: [str(r.id) for r in page_runs(s, limit=2)]),
    "sources": (
        ("1",),
        "integration name",
        lambda s: [r.name for r in _pane_rows(s, "source")[:2]],
    ),
    "channels": (
        ("2",),
        "integration name",
        lambda s: [r.name for r in _pane_rows(s, "channel")[:2]],
    ),
    "inventory": (
        ("1", "i", "escape"),
        "SKU",
        lambda s: [r.sku for r in page_inventory(s, limit=2)],
    ),
    "attention": (("0",), "held orders example", _attention_example),
    "dashboard": (
        ("7",),
        "integration name",
        lambda s: [r.name for r in dashboard(s, FROZEN_NOW).runs[:2]],
    ),
}


async def _press_copy(pilot: Pilot[Any], writes: list[str]) -> None:
    writes.clear()
    await pilot.press("y")
    await settle(pilot)


def _capture(app: DropdeckApp) -> list[str]:
    """Everything the app writes to its terminal from now on (the headless driver drops it)."""
    writes: list[str] = []
    assert app._driver is not None
    app._driver.write = writes.append  # type: ignore[method-assign]
    return writes


@pytest.mark.parametrize("readonly", [False, True], ids=["operator", "readonly"])
@pytest.mark.parametrize("pane", list(CASES))
async def test_y_copies_the_selected_rows_key(
    pane: str, readonly: bool, make_app: Callable[..., DropdeckApp], demo_db: Database
) -> None:
    keys, what, expected_of = CASES[pane]
    with demo_db.read() as session:
        expected = expected_of(session)
    app = make_app(readonly=readonly)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press(*keys)
        await settle(pilot)
        writes = _capture(app)
        await _press_copy(pilot, writes)
        assert app.clipboard == expected[0]
        assert writes == [osc52(expected[0])]
        assert [n.message for n in app._notifications][-1] == f"Copied {what} {expected[0]}"
        if len(expected) > 1:  # the selected row, not the first one
            await pilot.press("down")
            await settle(pilot)
            await _press_copy(pilot, writes)
            assert app.clipboard == expected[1]
            assert writes == [osc52(expected[1])]


async def test_a_sku_with_an_escape_is_refused_not_copied(
    make_app: Callable[..., DropdeckApp], demo_db: Database
) -> None:
    hostile = "0000-\x1b]52;c;cm0gLXJmIH4=\a"  # sorts first; would set a clipboard itself
    with demo_db.write() as session:
        first = session.scalars(sa.select(ListingVariant).order_by(ListingVariant.sku)).first()
        assert first is not None
        first.sku = hostile
    app = make_app(pane="listings")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        writes = _capture(app)
        await _press_copy(pilot, writes)
        assert app.clipboard == ""
        assert writes == []  # no OSC 52 at all, so nothing of it reaches the terminal
        messages = [n.message for n in app._notifications]
        assert messages[-1] == (
            "Not copied: SKU 0000-␛]52;c;cm0gLXJmIH4=␇ holds a control character, which "
            "would act wherever it is pasted"
        )
