"""What ShipStation cannot do is refused with the integration guide's own reasons, wherever
an operator could ask: CLI listing actions and transitions, the console's `h` key, set-up."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from console.cli import main
from store.commands.setup import ensure_channel
from store.db import Database
from store.models import Listing, ListingVariant
from store.models.catalog import LinkState

UPDATE = "Updating product data is not currently supported."
PUBLISH = "Publishing new listings to ShipStation is not currently supported."


@pytest.fixture
def linked(sqlite_db: Database, monkeypatch: pytest.MonkeyPatch) -> Database:
    """A ShipStation channel with one linked listing."""
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    with sqlite_db.write() as session:
        channel = ensure_channel(session, name="ss", kind="shipstation", connection=None)
        listing = Listing(channel_id=channel.id or 0, master_sku="WPS-1", external_id="7")
        session.add(listing)
        session.flush()
        session.add(
            ListingVariant(
                listing_id=listing.id or 0,
                channel_id=channel.id or 0,
                sku="WPS-1",
                external_id="7",
                link_state=LinkState.LINKED.value,
            )
        )
    return sqlite_db


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out + err


@pytest.mark.parametrize(
    ("argv", "reason"),
    [
        (("listings", "hide", "WPS-1"), UPDATE),
        (("listings", "overwrite", "WPS-1"), UPDATE),
        (("listings", "delist", "WPS-1"), UPDATE),
        (("listings", "publish", "WPS-1"), PUBLISH),
    ],
)
def test_cli_refuses_listing_changes_with_the_guides_reason(
    linked: Database, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], reason: str
) -> None:
    status, out = run(capsys, *argv)
    assert status == 1
    assert f"refused WPS-1: WPS-1: {reason}" in out
    with linked.read() as session:
        variant = session.scalars(sa.select(ListingVariant)).one()
    assert (variant.hidden, variant.pending) == (False, None)


def test_pause_still_works_it_is_dropdeck_only(
    linked: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out = run(capsys, "listings", "pause", "WPS-1")
    assert status == 0 and "paused: 1" in out


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("publish_listings", PUBLISH),
        ("link_listings", "This operation runs by configuring a Sync Listings operation"),
        ("import_listings", "add sync_listings instead"),
    ],
)
def test_set_up_refuses_kinds_shipstation_does_not_run(
    linked: Database, capsys: pytest.CaptureFixture[str], kind: str, reason: str
) -> None:
    status, out = run(capsys, "integrations", "add", "ss", kind)
    assert status == 2
    assert f"{kind} is not available on ShipStation" in out
    assert reason in out


async def test_console_h_key_refuses_with_the_guides_reason(
    linked: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from console.tui.app import DropdeckApp

    app = DropdeckApp(linked, start_worker=False, live=False, pane="listings")
    notes: list[str] = []
    monkeypatch.setattr(app, "notify", lambda message, **kw: notes.append(str(message)))
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(3):
            await app.workers.wait_for_complete()
            await pilot.pause()
        await pilot.press("h")
        for _ in range(3):
            await app.workers.wait_for_complete()
            await pilot.pause()
    assert any(f"refused WPS-1: WPS-1: {UPDATE}" in n for n in notes), notes
    with linked.read() as session:
        assert session.scalars(sa.select(ListingVariant.hidden)).one() is False
