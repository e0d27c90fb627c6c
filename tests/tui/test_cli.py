"""`dropdeck` opens the console on the operator's store; `dropdeck demo` on its own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from console import cli
from console.commands import demo
from console.tui.app import DropdeckApp
from store.db import Database
from store.models import Connection, Integration


@pytest.fixture
def headless_run(monkeypatch: pytest.MonkeyPatch) -> list[DropdeckApp]:
    """`App.run` replaced by a headless `run_test` session that presses q."""
    opened: list[DropdeckApp] = []

    def run(self: DropdeckApp, *args: Any, **kwargs: Any) -> int | None:
        import asyncio

        async def drive() -> None:
            async with self.run_test(size=(80, 24)) as pilot:
                await pilot.pause()
                await pilot.press("q")

        opened.append(self)
        asyncio.run(drive())
        return self.return_code

    monkeypatch.setattr(DropdeckApp, "run", run)
    return opened


def test_default_handler_opens_the_console(
    sqlite_db: Database, headless_run: list[DropdeckApp]
) -> None:
    assert cli.main(["--readonly"]) == 0
    [app] = headless_run
    assert app.readonly and not app.start_worker  # read-only runs no jobs
    assert str(app.db.engine.url) == str(sqlite_db.engine.url)


def test_demo_wires_its_own_database_to_the_sandboxes_and_opens_it(
    sqlite_db: Database, headless_run: list[DropdeckApp], tmp_path: Path
) -> None:
    home = tmp_path / "demo-home"
    assert cli.main(["demo", "--home", str(home), "--size", "60"]) == 0
    assert cli.main(["demo", "--home", str(home), "--size", "60"]) == 0  # reset, not twice
    [_first, second] = headless_run
    assert str(second.db.engine.url).endswith(str(home / "dropdeck.db"))
    check = Database(demo.demo_settings(home))
    with check.read() as session:
        connections = list(session.scalars(sa.select(Connection)))
        names = set(session.scalars(sa.select(Integration.name)))
    check.dispose()
    assert {c.system for c in connections} == {
        "woocommerce",
        "magento",
        "shipstation",
        "wps",
        "usdirect",
    }
    assert all(c.base_url.startswith("http://127.0.0.1:") for c in connections)
    assert all(c.secrets and "secret" not in c.secrets for c in connections)  # sealed
    assert {"woo-demo/get_orders", "wps-demo/send_orders"} <= names
    with sqlite_db.read() as session:  # the operator's database is untouched
        assert session.scalar(sa.select(sa.func.count()).select_from(Connection)) == 0


def test_demo_home_defaults_under_dropdeck_home(_isolated_home: Path) -> None:
    settings = demo.demo_settings()
    assert settings.home == (_isolated_home / "demo").resolve()
    assert settings.is_sqlite
