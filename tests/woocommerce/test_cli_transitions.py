"""`dropdeck listings delist|publish|overwrite` record pending transitions with audit rows."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from console.cli import main
from store.db import Database
from store.models import AuditEvent, Channel, Listing, ListingVariant


def _seed(db: Database) -> None:
    with db.write() as session:
        channel = Channel(name="woo-demo", kind="woocommerce")
        session.add(channel)
        session.flush()
        listing = Listing(channel_id=channel.id or 0, master_sku="P-1")
        session.add(listing)
        session.flush()
        for sku, state in (("A-1", "linked"), ("A-2", "linked"), ("A-3", "unlinked")):
            session.add(
                ListingVariant(
                    listing_id=listing.id or 0,
                    channel_id=channel.id or 0,
                    sku=sku,
                    link_state=state,
                    external_id="7" if state == "linked" else None,
                )
            )


def _pending(db: Database) -> dict[str, str | None]:
    with db.read() as session:
        return {v.sku: v.pending for v in session.scalars(sa.select(ListingVariant))}


def test_cli_delist_publish_overwrite_record_pending_and_audit(
    sqlite_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    _seed(sqlite_db)
    assert main(["listings", "delist", "A-1", "A-2"]) == 1
    assert "repeat with --yes" in capsys.readouterr().err
    assert _pending(sqlite_db) == {"A-1": None, "A-2": None, "A-3": None}
    assert main(["listings", "delist", "A-1", "A-2", "--yes"]) == 0
    assert main(["listings", "publish", "A-3"]) == 0
    assert main(["listings", "overwrite", "A-3"]) == 1  # not on the channel yet
    assert "publish it first" in capsys.readouterr().out
    assert _pending(sqlite_db) == {"A-1": "delist", "A-2": "delist", "A-3": "publish"}
    with sqlite_db.read() as session:
        audits = session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(a.action, a.after["sku"], a.after["pending"]) for a in audits] == [
        ("listing.delist", "A-1", "delist"),
        ("listing.delist", "A-2", "delist"),
        ("listing.publish", "A-3", "publish"),
    ]
    assert all(a.actor.endswith("@cli") and a.before["pending"] is None for a in audits)


def test_cli_unlink_forgets_the_channel_product_and_is_audited(
    sqlite_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    _seed(sqlite_db)
    with sqlite_db.write() as session:
        session.execute(
            sa.update(ListingVariant)
            .where(ListingVariant.sku == "A-1")
            .values(link_state="broken_link", needs_attention="the product no longer exists")
        )
    assert main(["listings", "unlink", "A-1", "A-3"]) == 0
    out = capsys.readouterr().out
    assert "unlinked: 1, already so: 1" in out and "link_listings" in out
    with sqlite_db.read() as session:
        rows = {v.sku: v for v in session.scalars(sa.select(ListingVariant))}
        audit = session.scalars(sa.select(AuditEvent)).one()
    assert (rows["A-1"].link_state, rows["A-1"].external_id) == ("unlinked", None)
    assert rows["A-1"].needs_attention is None and rows["A-2"].link_state == "linked"
    assert (audit.action, audit.before["external_id"]) == ("listing.unlink", "7")
    assert main(["listings", "unlink", "NOPE"]) == 1
    assert "no listing with SKU NOPE" in capsys.readouterr().err


def test_cli_listings_add_from_a_sources_inventory(
    sqlite_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    from store.models import InventoryItem, Source

    _seed(sqlite_db)
    with sqlite_db.write() as session:
        source = Source(name="wps", kind="wps")
        session.add(source)
        session.flush()
        for sku in ("WPS-1", "WPS-2", "X-1"):
            session.add(
                InventoryItem(source_id=source.id or 0, sku=sku, master_sku=sku, parent_sku=sku)
            )
    argv = ["listings", "add", "--channel", "woo-demo", "--source", "wps", "--sku", "WPS-"]
    assert main(argv) == 0
    assert "2 parents, 2 variants" in capsys.readouterr().out
    with sqlite_db.read() as session:
        rows = {v.sku: v.link_state for v in session.scalars(sa.select(ListingVariant))}
    assert rows["WPS-1"] == "unlinked" and "X-1" not in rows
    assert main([*argv[:5], "nope"]) == 1
    assert "no source 'nope'" in capsys.readouterr().err
