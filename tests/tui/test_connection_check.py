"""`t` on Sources/Channels tests the selected owner's connection against a sandbox peer and
says the result in a notification; it is in the footer, the help and the palette."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from textual.widgets import DataTable

from connectors.sandboxing.serve import RunningServer, build_sandbox, serve
from console.tui.app import DropdeckApp
from console.tui.commands import DropdeckCommands
from console.tui.panes.sources import SourcesPane
from store.commands.setup import save_connection
from store.crypto import SecretBox
from store.db import Database
from store.models import Source

from .conftest import settle

pytestmark = pytest.mark.e2e


@pytest.fixture
def wps_peer() -> Iterator[tuple[RunningServer, dict[str, str]]]:
    sandbox = build_sandbox("wps", seed=1, size=20)
    assert sandbox is not None
    server = serve(sandbox.app)
    yield server, dict(sandbox.credentials)
    server.stop()


def _connect(db: Database, base_url: str, secrets: dict[str, str]) -> None:
    """Every WPS source of the demo runs on a connection to the served sandbox."""
    with db.write() as session:
        conn = save_connection(
            session,
            SecretBox(db.settings.home),
            name="wps-live",
            system="wps",
            base_url=base_url,
            secrets=secrets,
        )
        sources = session.scalars(sa.select(Source).where(Source.kind == "wps")).all()
        assert sources
        for source in sources:
            source.connection_id = conn.id
            session.add(source)


async def test_t_tests_the_selected_sources_connection(
    make_app: Callable[..., DropdeckApp],
    demo_db: Database,
    wps_peer: tuple[RunningServer, dict[str, str]],
) -> None:
    server, secrets = wps_peer
    _connect(demo_db, server.base_url, secrets)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        pane = app.query_one(SourcesPane)
        at = next(i for i, r in enumerate(pane.rows) if r.owner == "Western Power Sports")
        pane.query_one(DataTable).move_cursor(row=at)
        await pilot.press("t")
        await settle(pilot)
        messages = [n.message for n in app._notifications]
        assert f"wps-live: ok — WPS answered at {server.base_url}" in messages

        _connect(demo_db, server.base_url, {"api_token": "revoked-token"})
        app.clear_notifications()
        await pilot.press("t")
        await settle(pilot)
        failed = [n for n in app._notifications if n.severity == "error"]
        assert len(failed) == 1
        assert failed[0].message == "WPS refused the credentials (HTTP 401: Unauthenticated.)"
        assert failed[0].title == "Test connection wps-live failed"

        titles = [title for title, _, _ in DropdeckCommands(app.screen)._commands()]
        assert "Sources: Test the connection of the selected source or channel" in titles
