"""`?` names this Dropdeck and its installation id (the one in every PO it sends)."""

from __future__ import annotations

from collections.abc import Callable

from textual.widgets import Static

from console.tui.app import DropdeckApp
from console.tui.screens.help import HelpScreen
from store.db import Database
from store.installation import installation_id

from .conftest import settle, wait_until


async def test_help_shows_version_and_installation_id(
    make_app: Callable[..., DropdeckApp], demo_db: Database
) -> None:
    with demo_db.write() as session:
        made = installation_id(session)
    app = make_app(pane="orders")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        line = app.screen.query_one("#answer-keys", Static)
        await wait_until(pilot, lambda: made in str(line.render()))
        assert str(line.render()) == f"escape close · Dropdeck 0.1.0 · installation {made}"
