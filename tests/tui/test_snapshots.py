"""How the main panes look at 80x24 and 120x40 (fixed seed data and timestamps)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from console.tui.app import DropdeckApp
from store.db import Database

from .conftest import settle
from .test_dashboard import add_runs

SIZES = [(80, 24), (120, 40)]
VIEWS = {
    "attention": ("0",),
    "sources": ("1",),
    "channels": ("2",),
    "listings": ("3",),
    "listings_paused_tab": (
        "3",
        "right_square_bracket",
        "right_square_bracket",
        "right_square_bracket",
    ),
    "listings_no_supplier_tab": ("3", *("right_square_bracket",) * 5),
    # Listings a supplier stands behind (and some it does not: WPS-0000020 on)
    "listings_suppliers": ("3", "slash", *"wps-00000", "enter", *("down",) * 6),
    "inventory": ("1", "down", "down", "down", "i"),
    "orders": ("4",),
    "shipments": ("5",),
    "jobs": ("6",),
    "help": ("question_mark",),
}


def _keys(keys: tuple[str, ...]) -> Callable[[Pilot[Any]], Any]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run_before


# Every pane at both sizes; the help screen once (it is the same dialog at 120x40).
CASES = [
    (view, size) for view in VIEWS for size in SIZES if not (view == "help" and size != (80, 24))
]


@pytest.mark.parametrize(("view", "size"), CASES, ids=[f"{v}-{w}x{h}" for v, (w, h) in CASES])
def test_pane_snapshot(
    view: str, size: tuple[int, int], make_app: Callable[..., DropdeckApp], snap_compare: Any
) -> None:
    assert snap_compare(make_app(), run_before=_keys(VIEWS[view]), terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_dashboard_snapshot(
    size: tuple[int, int],
    make_app: Callable[..., DropdeckApp],
    demo_db: Database,
    snap_compare: Any,
) -> None:
    """The demo's last day, with a few hours of runs behind some integrations."""
    add_runs(demo_db, "wps-demo/send_orders", ["succeeded"] * 14 + ["failed", "partial"] * 3)
    add_runs(demo_db, "woo-demo/get_orders", ["succeeded", "partial"] * 8 + ["running"])
    add_runs(demo_db, "usdirect-demo/send_orders", ["succeeded", "cancelled"] * 5)
    app = make_app(pane="dashboard")
    assert snap_compare(app, run_before=_keys(()), terminal_size=size)


def test_readonly_snapshot(make_app: Callable[..., DropdeckApp], snap_compare: Any) -> None:
    app = make_app(readonly=True)
    assert snap_compare(app, run_before=_keys(("3",)), terminal_size=(80, 24))


def test_resubmit_snapshot(make_app: Callable[..., DropdeckApp], snap_compare: Any) -> None:
    from console.tui.screens.resubmit import ResubmitScreen

    from .conftest import wait_until

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("down", "r")  # not settle after: the resubmit worker waits on it
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ResubmitScreen))
        await pilot.pause()

    app = make_app(pane="orders")
    assert snap_compare(app, run_before=run_before, terminal_size=(80, 24))
