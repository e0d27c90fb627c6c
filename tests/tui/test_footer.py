"""The footer fits its width: at 80 columns every pane's footer shows `? Help` and `q Quit`
whole, left of `^p palette`, and leaves spare keys out (they still work); at 120 it shows
them all."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot
from textual.widgets._footer import FooterKey

from console.tui.app import PANES, DropdeckApp
from console.tui.widgets.footer import FittingFooter

from .conftest import settle, wait_until

# Every pane: the eight on the nav bar (their number key) and Inventory (`i` in Sources).
ROUTES = {pane: (str(n),) for n, pane in enumerate(PANES)} | {"inventory": ("1", "i")}


def _keys(app: DropdeckApp) -> tuple[list[FooterKey], FooterKey]:
    footer = app.query_one(FittingFooter)
    keys = list(footer.query(FooterKey))
    palette = next(k for k in keys if k.has_class("-command-palette"))
    return [k for k in keys if k is not palette], palette


async def _open(app: DropdeckApp, pilot: Pilot[Any], keys: tuple[str, ...], pane: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)
    assert app.current_pane.id == pane
    # The footer recomposes after the pane's bindings change.
    await wait_until(pilot, lambda: "help" in [k.action for k in _keys(app)[0]])
    await settle(pilot)


async def test_every_pane_footer_at_80_fits_and_shows_help(
    make_app: Callable[..., DropdeckApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for pane, keys in ROUTES.items():
            await _open(app, pilot, keys, pane)
            shown, palette = _keys(app)
            actions = [k.action for k in shown]
            assert "help" in actions and "quit" in actions, (pane, actions)
            # Every key whole, left of the palette key, which ends within the screen.
            assert palette.region.right <= 80, pane
            for key in shown:
                assert key.region.width == len(key.key_display) + 1 + len(key.description)
                assert key.region.right <= palette.region.x, (pane, key.description)
            content = sum(k.outer_size.width for k in shown) + palette.outer_size.width
            assert content <= 80, (pane, content)


async def test_listings_at_80_leaves_out_spare_keys_which_still_work(
    make_app: Callable[..., DropdeckApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await _open(app, pilot, ("3",), "listings")
        actions = [k.action for k in _keys(app)[0]]
        assert actions == ["filter", "pause", "hide", "unlink", "link", "help", "quit"]
        level = app.notifications.min_level
        await pilot.press("l")  # not in the footer, still bound
        assert app.notifications.min_level != level


async def test_listings_at_120_shows_every_key(make_app: Callable[..., DropdeckApp]) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await _open(app, pilot, ("3",), "listings")
        actions = [k.action for k in _keys(app)[0]]
        assert actions == [
            "choose",
            "filter",
            "pause",
            "hide",
            "unlink",
            "link",
            "follow",
            "notification_level",
            "help",
            "quit",
        ]
