from __future__ import annotations

import sqlalchemy as sa

from console.runtime.demo_data import seed_demo_business, seed_listings
from store.commands.listings import ListingAction, apply_listing_action
from store.db import Database
from store.models import AuditEvent, Channel, ListingVariant
from store.queries.listings import ListingTab, count_listings, page_listings


def _channel(db: Database) -> int:
    with db.write() as s:
        ch = Channel(name="woo", kind="woocommerce")
        s.add(ch)
        s.flush()
        assert ch.id is not None
        return ch.id


def test_keyset_pages_cover_every_row_once_in_order(db: Database) -> None:
    seed_listings(db, _channel(db), 700)
    seen: list[tuple[str, int]] = []
    after = None
    with db.read() as s:
        while page := page_listings(s, after=after, limit=256):
            seen.extend(r.key for r in page)
            after = page[-1].key
    assert len(seen) == 700
    assert seen == sorted(seen)
    assert len(set(seen)) == 700


def test_paging_backward_returns_the_previous_page_in_order(db: Database) -> None:
    seed_listings(db, _channel(db), 300)
    with db.read() as s:
        first = page_listings(s, limit=100)
        second = page_listings(s, after=first[-1].key, limit=100)
        back = page_listings(s, before=second[0].key, limit=100)
    assert [r.key for r in back] == [r.key for r in first]


def test_tab_counts_match_filtered_pages(db: Database) -> None:
    seed_listings(db, _channel(db), 900)
    with db.read() as s:
        counts = count_listings(s)
        for tab, expected in counts.items():
            rows = page_listings(s, tab, limit=10_000)
            assert len(rows) == expected, tab
    assert counts[ListingTab.ALL] == 900
    assert 0 < counts[ListingTab.BROKEN_LINK] < counts[ListingTab.LINKED]


def test_sku_prefix_filter_narrows_and_counts(db: Database) -> None:
    seed_listings(db, _channel(db), 600)
    with db.read() as s:
        rows = page_listings(s, sku_prefix="WPS-000001", limit=1000)
        counts = count_listings(s, sku_prefix="WPS-000001")
    assert rows and all(r.sku.startswith("WPS-000001") for r in rows)
    assert counts[ListingTab.ALL] == len(rows) == 30


def test_pause_and_hide_change_flags_and_write_audit_rows(db: Database) -> None:
    seed_listings(db, _channel(db), 30)
    with db.read() as s:
        skus = [r.sku for r in page_listings(s, limit=30) if not r.paused and not r.hidden][:2]
    with db.write() as s:
        paused = apply_listing_action(
            s, ListingAction.PAUSE, skus=[*skus, "NOPE-1"], actor="tester@cli"
        )
    assert sorted(paused.changed) == sorted(skus)
    assert paused.unknown == ["NOPE-1"]
    with db.write() as s:
        refused = apply_listing_action(s, ListingAction.UNHIDE, skus=skus, actor="tester@cli")
        hidden = apply_listing_action(s, ListingAction.HIDE, skus=skus[:1], actor="tester@cli")
    assert set(refused.refused) == set(skus)
    assert hidden.changed == skus[:1]
    with db.read() as s:
        rows = {
            v.sku: v
            for v in s.scalars(sa.select(ListingVariant).where(ListingVariant.sku.in_(skus)))
        }
        audits = list(s.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)))
    assert all(v.paused for v in rows.values())
    assert rows[skus[0]].hidden and rows[skus[0]].pending == "hide"
    assert [a.action for a in audits] == ["listing.pause", "listing.pause", "listing.hide"]
    assert audits[0].before["paused"] is False and audits[0].after["paused"] is True
    assert audits[0].actor == "tester@cli"


def test_demo_business_has_every_listing_state_and_order_status(db: Database) -> None:
    seed_demo_business(db, listings=300, orders=27)
    with db.read() as s:
        states = set(s.scalars(sa.select(ListingVariant.link_state).distinct()))
        counts = count_listings(s)
    assert states == {"linked", "unlinked", "broken_link", "delisted"}
    assert all(n > 0 for n in counts.values())
