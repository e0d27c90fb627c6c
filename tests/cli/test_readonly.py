"""A read-only operator changes nothing: DROPDECK_ROLE or the config file makes every
changing command refuse with one line (exit 1), and on PostgreSQL a role with only SELECT
can read through the CLI and the console while the database refuses its writes."""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from console.context import open_store
from console.runtime.demo_data import seed_demo_business
from console.tui.app import DropdeckApp
from store.db import Database, open_database
from store.models import AuditEvent, JobRun, ListingVariant, Notification, Worker
from store.settings import StoreSettings

from .conftest import Run

READS = (
    ("orders",),
    ("listings", "--json"),
    ("integrations", "list"),
    ("sources",),
    ("channels", "list"),
    ("connections",),
    ("mappings",),
    ("notifications",),
)


def changes(sku: str) -> tuple[tuple[str, ...], ...]:
    return (
        ("integrations", "pause", "wps-demo/send_orders"),
        ("integrations", "set", "wps-demo/send_orders", "--every", "1h"),
        ("listings", "pause", sku),
        ("orders", "resubmit", "1"),
        ("connections", "add", "x", "--system", "wps", "--url", "https://api.wps-inc.com"),
        ("sources", "set", "wps-demo", "--priority", "3"),
        ("mappings", "shipping", "add", "--channel", "woo-demo", "Pickup", "ground"),
        ("run", "wps-demo/send_orders"),
        ("worker",),
        ("db", "upgrade"),
        ("demo",),
    )


def footprint(db: Database) -> tuple[int | None, ...]:
    """Counts every change would move: audit, runs, notifications, workers, paused."""
    with db.read() as session:
        return tuple(
            session.scalar(stmt)
            for stmt in (
                sa.select(sa.func.count()).select_from(AuditEvent),
                sa.select(sa.func.count()).select_from(JobRun),
                sa.select(sa.func.count()).select_from(Notification),
                sa.select(sa.func.count()).select_from(Worker),
                sa.select(sa.func.count()).where(ListingVariant.paused.is_(True)),
            )
        )


def a_sku(db: Database) -> str:
    with db.read() as session:
        return str(session.scalars(sa.select(ListingVariant.sku)).first())


@pytest.mark.parametrize("how", ["env", "config"])
def test_a_read_only_operator_reads_and_every_change_is_refused(
    sqlite_db: Database,
    cli: Run,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    how: str,
) -> None:
    seed_demo_business(sqlite_db, listings=40, orders=6)
    if how == "env":
        monkeypatch.setenv("DROPDECK_ROLE", "readonly")
        where = "DROPDECK_ROLE=readonly"
    else:
        config = tmp_path / "config.toml"
        config.write_text('role = "readonly"\n')
        where = f"role in {config}"
    before = footprint(sqlite_db)
    for argv in READS:
        status, out, err = cli(*argv)
        assert status == 0 and out, (argv, err)
    for argv in changes(a_sku(sqlite_db)):
        status, _, err = cli(*argv)
        assert status == 1, (argv, err)
        assert err.count("\n") == 1 and "Traceback" not in err, (argv, err)
        assert f"changes the store and this operator is read-only ({where})" in err, (argv, err)
    assert footprint(sqlite_db) == before
    # A backup is a read: the export file is written, the store is not.
    status, out, err = cli("db", "export", str(tmp_path / "backup.jsonl"))
    assert status == 0 and "exported" in out, err
    assert footprint(sqlite_db) == before


def test_an_unknown_role_is_a_usage_error(
    sqlite_db: Database, cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DROPDECK_ROLE", "admin")
    status, _, err = cli("orders")
    assert status == 2 and "role 'admin' is not one of operator, readonly" in err


def test_the_read_only_console_on_an_empty_home_creates_no_database(
    _isolated_home: Path, cli: Run
) -> None:
    status, _, err = cli("--readonly")
    assert status == 1 and err.count("\n") == 1
    assert "there is no Dropdeck database at" in err and "'dropdeck db upgrade'" in err
    assert not (_isolated_home / "dropdeck.db").exists()


@pytest.fixture
def select_only_url(postgres_url: str) -> Iterator[str]:
    """The test schema, seeded, reached as a fresh role that may only SELECT in it."""
    settings = StoreSettings(home=Path("/nonexistent"), database_url=postgres_url)
    owner = open_database(settings)
    seed_demo_business(owner, listings=40, orders=6)
    schema = owner.engine.url.query["options"].split("=", 1)[1]
    owner.dispose()
    role = f"dd_reader_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(postgres_url.split("?")[0], isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE ROLE "{role}" LOGIN'))
        conn.execute(sa.text(f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"'))
        conn.execute(sa.text(f'GRANT SELECT ON ALL TABLES IN SCHEMA "{schema}" TO "{role}"'))
    try:
        yield sa.make_url(postgres_url).set(username=role).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP OWNED BY "{role}"'))
            conn.execute(sa.text(f'DROP ROLE "{role}"'))
        admin.dispose()


async def test_a_select_only_postgresql_role_reads_and_its_writes_are_refused(
    select_only_url: str, cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DROPDECK_DATABASE_URL", select_only_url)
    for argv in READS:
        status, out, err = cli(*argv)
        assert status == 0 and out, (argv, err)
    # No DROPDECK_ROLE: the CLI tries, and the database refuses, in one line.
    status, _, err = cli("integrations", "pause", "wps-demo/send_orders")
    assert status == 1 and err.count("\n") == 1 and "Traceback" not in err
    assert "may not make this change (permission denied" in err
    db = open_store(readonly=True)  # what `dropdeck --readonly` opens
    try:
        app = DropdeckApp(db, readonly=True, live=False, pane="listings")
        async with app.run_test(size=(80, 24)) as pilot:
            for _ in range(3):
                await pilot.app.workers.wait_for_complete()
                await pilot.pause()
            screen = app.export_screenshot()
        text = html.unescape(" ".join(re.findall(r">([^<]*)</text>", screen))).replace("\xa0", " ")
        assert "READ-ONLY" in text and "Listings  ·  1 of 40" in text
    finally:
        db.dispose()
    # An operator console on the same user: the database refuses, the console says why.
    db = open_store(readonly=False)
    try:
        app = DropdeckApp(db, live=False, pane="listings", start_worker=False)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            for _ in range(3):
                await pilot.app.workers.wait_for_complete()
                await pilot.pause()
            await pilot.press("p")
            for _ in range(3):
                await pilot.app.workers.wait_for_complete()
                await pilot.pause()
            messages = [n.message for n in app._notifications]
        assert any("may not make this change (permission denied" in m for m in messages), messages
    finally:
        db.dispose()
