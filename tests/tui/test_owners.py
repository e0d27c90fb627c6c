"""Sources/Channels show every owner, and the Integration column holds the longest kind."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from textual.widgets import DataTable, Static

from connectors import registry
from console.tui.app import DropdeckApp
from console.tui.panes.channels import ChannelsPane
from console.tui.panes.integrations import NO_INTEGRATIONS, NoIntegrations
from store.commands.setup import ensure_integration
from store.db import Database
from store.models import Channel

from .conftest import settle


async def test_channel_without_integrations_gets_a_row(
    make_app: Callable[..., DropdeckApp], demo_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every system has a connector now: stand in one without kinds (Magento's, emptied).
    unbuilt = dataclasses.replace(registry.descriptor("magento"), kinds=())
    monkeypatch.setitem(registry._descriptors, "magento", unbuilt)
    with demo_db.write() as session:
        session.add(Channel(name="bare-shop", kind="woocommerce"))
        session.add(Channel(name="bare-mag", kind="magento"))
        woo = session.scalars(sa.select(Channel).where(Channel.name == "woo-demo")).one()
        ensure_integration(session, woo, "publish_listings")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        pane = app.query_one(ChannelsPane)
        table = pane.query_one(DataTable)
        at = [r.owner for r in pane.rows].index("bare-shop")
        assert isinstance(pane.rows[at], NoIntegrations)
        cells = [str(c) for c in table.get_row_at(at)]
        assert cells[0] == "bare-shop" and "".join(cells[1:]) == NO_INTEGRATIONS
        # The title counts integrations only; the empty owner is a row, not an integration.
        assert "10 integrations" in str(pane.query_one(".pane-title", Static).render())
        publish = [r.name for r in pane.rows].index("woo-demo/publish_listings")
        assert str(table.get_row_at(publish)[1]) == "publish_listings"
        width = table.ordered_columns[1].width
        assert width > len("publish_listings")  # a space before the Schedule column
        assert sum(c.width for c in table.ordered_columns) <= 79  # beside the scrollbar
        table.move_cursor(row=at)
        await pilot.press("x")
        await settle(pilot)
        assert any("bare-shop has no integrations" in n.message for n in app._notifications)
        # A system whose connector is not built says so, rather than how to add integrations.
        mag = [r.owner for r in pane.rows].index("bare-mag")
        cells = [str(c) for c in table.get_row_at(mag)]
        assert "".join(cells[1:]) == "Magento connector not built yet — no integrations"
        table.move_cursor(row=mag)
        await pilot.press("x")
        await settle(pilot)
        hint = "bare-mag: the Magento connector is not built yet"
        assert any(n.message == hint for n in app._notifications)
