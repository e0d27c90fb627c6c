"""Keys switch panes, help opens, q quits with status 0, details and palette work."""

from __future__ import annotations

from collections.abc import Callable

from textual.widgets import ContentSwitcher

from console.tui.app import PANES, DropdeckApp
from console.tui.screens.details import DetailsScreen
from console.tui.screens.help import HelpScreen
from console.tui.widgets.tab_bar import TabBar

from .conftest import settle


async def test_number_keys_switch_panes(make_app: Callable[..., DropdeckApp]) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        for number, pane in reversed(list(enumerate(PANES))):
            await pilot.press(str(number))
            assert app.query_one("#panes", ContentSwitcher).current == pane
            assert app.query_one("#nav", TabBar).active == number
            assert app.current_pane.id == pane


async def test_help_and_quit(make_app: Callable[..., DropdeckApp]) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("q")
    assert app.return_code == 0


async def test_enter_shows_row_details(make_app: Callable[..., DropdeckApp]) -> None:
    app = make_app(pane="jobs")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailsScreen)
        assert app.screen.title_text == "Run 15"
        assert dict(app.screen.fields)["counters"] == {"created": 42, "updated": 24, "failed": 2}


async def test_palette_lists_every_pane_and_the_pane_actions(
    make_app: Callable[..., DropdeckApp],
) -> None:
    from console.tui.commands import DropdeckCommands

    app = make_app(pane="listings")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        provider = DropdeckCommands(app.screen)
        titles = [title for title, _, _ in provider._commands()]
        assert all(f"Go to {p.capitalize()}" in " ".join(titles) for p in PANES)
        assert "Listings: Pause / unpause listings" in titles
        await app.run_action("show_pane('sources')")
        titles = [title for title, _, _ in provider._commands()]
        assert "Sources: Run the integration now" in titles
