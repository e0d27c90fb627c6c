"""Several operators on one database: the change counter every shown write bumps, row
versions the database keeps, and actions refused when their row changed meanwhile."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from console.runtime import demo_data
from console.tui.panes.integration_actions import toggle_pause
from store.changes import store_version
from store.commands.listings import ListingAction, apply_listing_action
from store.commands.seen import RowChanged, Seen, claimed
from store.db import Database
from store.models import AuditEvent, Integration, ListingVariant, Notification, Worker


@pytest.fixture
def business(db: Database) -> Database:
    demo_data.seed_demo_business(db)
    return db


def _version(db: Database) -> int:
    with db.read() as session:
        return store_version(session)


def _integration(session: Session) -> Integration:
    found = session.scalars(sa.select(Integration).order_by(Integration.id)).first()
    assert found is not None
    return found


def test_a_shown_write_bumps_the_counter_as_it_commits(business: Database) -> None:
    before = _version(business)
    with business.write() as session:
        _integration(session).paused_reason = "by hand"
        session.flush()
        assert _version(business) == before  # not before the rows are committed
    assert _version(business) == before + 1
    with business.write() as session:  # a set-based write counts too, once per transaction
        session.execute(sa.update(ListingVariant).values(quantity=ListingVariant.quantity + 1))
        session.execute(sa.update(ListingVariant).values(quantity=ListingVariant.quantity - 1))
    assert _version(business) == before + 2


def test_unshown_writes_and_rollbacks_leave_the_counter(business: Database) -> None:
    before = _version(business)
    with business.write() as session:  # heartbeats, the audit trail, the feed
        session.add(Worker(id="w1", host="h", pid=1))
        session.add(AuditEvent(actor="a", action="x", record_type="r", record_id="1"))
        session.add(Notification(level="info", event="e", message="m"))
    with business.write() as session:  # an update that matches nothing
        session.execute(sa.update(Integration).where(Integration.id == -1).values(enabled=False))
    with pytest.raises(RuntimeError), business.write() as session:
        _integration(session).paused_reason = "rolled back"
        session.flush()
        raise RuntimeError
    assert _version(business) == before


def test_the_database_bumps_a_rows_version_when_what_operators_act_on_changes(
    business: Database,
) -> None:
    with business.read() as session:
        start = _integration(session).version
        variant = session.scalars(sa.select(ListingVariant).order_by(ListingVariant.id)).first()
    assert variant is not None
    with business.write() as session:  # through the ORM
        _integration(session).paused_reason = "x"
    with business.write() as session:  # through Core, not naming the column
        session.execute(sa.update(Integration).values(paused_reason=None))
    with business.write() as session:  # what runs keep writing does not count
        session.execute(sa.update(Integration).values(consecutive_failures=3))
        session.execute(sa.update(ListingVariant).values(quantity=7, price=1))
    with business.write() as session:
        session.execute(
            sa.update(ListingVariant).where(ListingVariant.id == variant.id).values(hidden=True)
        )
    with business.read() as session:
        assert _integration(session).version == start + 2
        now = session.get(ListingVariant, variant.id)
        assert now is not None and now.version == variant.version + 1


def test_a_stale_toggle_is_refused_not_flipped_back(business: Database) -> None:
    with business.read() as session:  # operator B looks: enabled, at this version
        seen = _integration(session)
    assert seen.id is not None and seen.paused_reason is None
    with business.write() as session:  # operator A pauses it
        toggle_pause(session, seen.id, "ann")
    # B presses p meaning "pause": without the check, the toggle would unpause A's pause.
    with pytest.raises(RowChanged) as refused, business.write() as session:
        claimed(session, Seen(Integration, {seen.id: seen.version}), toggle_pause, seen.id, "bob")
    assert str(refused.value) == f"Integration {seen.name} changed since you looked (now paused)"
    with business.read() as session:
        now = session.get(Integration, seen.id)
        assert now is not None and now.paused_reason == "paused by ann"
    with business.write() as session:  # B, looking again, acts on what is there now
        assert now.id is not None
        claimed(session, Seen(Integration, {now.id: now.version}), toggle_pause, now.id, "bob")
    with business.read() as session:
        again = session.get(Integration, seen.id)
        assert again is not None and again.paused_reason is None


def test_one_changed_listing_of_several_refuses_them_all(business: Database) -> None:
    with business.read() as session:
        rows = list(
            session.scalars(sa.select(ListingVariant).order_by(ListingVariant.sku).limit(3))
        )
    assert not all(r.paused for r in rows)  # so "none was paused" below means something
    with business.write() as session:  # another operator hides the second one
        session.execute(
            sa.update(ListingVariant).where(ListingVariant.id == rows[1].id).values(hidden=True)
        )
    seen = Seen(ListingVariant, {r.id or 0: r.version for r in rows})
    with pytest.raises(RowChanged) as refused, business.write() as session:
        claimed(
            session,
            seen,
            apply_listing_action,
            ListingAction.PAUSE,
            ids=[r.id for r in rows],
            actor="bob",
        )
    flags = ", paused" if rows[1].paused else ""
    assert str(refused.value) == (
        f"1 of 3 changed since you looked (listing {rows[1].sku} now "
        f"{rows[1].link_state.replace('_', ' ')}{flags}, hidden); nothing was done"
    )
    with business.read() as session:  # none of the three was paused: all or nothing
        for r in rows:
            now = session.get(ListingVariant, r.id)
            assert now is not None and now.paused == r.paused
