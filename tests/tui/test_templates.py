"""`m` in Sources: the saved mapping templates, read-only, and one template's fields."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.widgets import DataTable

from console.tui.app import DropdeckApp
from console.tui.screens.details import DetailsScreen
from console.tui.screens.templates import TemplatesScreen
from store.db import Database
from store.models import MappingTemplate

from .conftest import settle


def add_templates(db: Database) -> None:
    with db.write() as session:
        session.add(
            MappingTemplate(
                name="WPS Inventory 1",
                target="inventory",
                system="wps",
                rules={"sale_price": "field:mapp_price", "upc": "none"},
            )
        )
        session.add(MappingTemplate(name="[red]x\x1b[2J", target="order", system="wps", rules={}))


async def test_m_in_sources_lists_templates_and_enter_shows_fields(
    make_app: Callable[..., DropdeckApp], demo_db: Database
) -> None:
    add_templates(demo_db)
    app = make_app(pane="sources", readonly=True)  # a read-only operator may look too
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, TemplatesScreen)
        table = app.screen.query_one(DataTable)
        cells = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        # Hostile names are shown, never obeyed: controls made visible, markup literal.
        assert cells[0][0] == "WPS Inventory 1" and cells[0][1:4] == ["WPS", "inventory", "2"]
        assert cells[1][0].startswith("[red]x") and "\x1b" not in cells[1][0]
        assert all(isinstance(c, Text) for c in table.get_row_at(1))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailsScreen)
        fields = dict(app.screen.fields)
        assert fields["Sale Price"] == ("field:mapp_price → Discounted Price · Enabled (template)")
        assert fields["UPC"] == "Disable → UPC · Disabled (template)"
        assert fields["Inventory Level"] == ("field:quantity → Quantity · Required (default)")
        assert fields["Variant Sale Price"] == (
            "— → Variant Discounted Price · Enabled (follows Sale Price)"
        )
        await pilot.press("escape")
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, TemplatesScreen)


async def test_palette_offers_the_templates_view(make_app: Callable[..., DropdeckApp]) -> None:
    from console.tui.commands import DropdeckCommands

    app = make_app(pane="sources")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        titles = [title for title, _, _ in DropdeckCommands(app.screen)._commands()]
        assert "Sources: Mapping templates (m)" in titles
        await app.run_action("pane_action('templates')")
        await settle(pilot)
        assert isinstance(app.screen, TemplatesScreen)
        assert "No mapping templates yet" in str(app.screen.query_one("#templates-empty").render())
