"""The console filter in SQL: words across shown columns, wildcards taken literally."""

from __future__ import annotations

import sqlalchemy as sa

from store.commands.runs import queue_run
from store.db import Database
from store.models import Channel, Integration
from store.models.runtime import RunTrigger
from store.queries.runs import page_runs


def _runs(db: Database, *names: str) -> None:
    with db.write() as session:
        channel = Channel(name="shop", kind="woocommerce")
        session.add(channel)
        session.flush()
        for name in names:
            integration = Integration(
                name=name, kind="get_orders", channel_id=channel.id, schedule_type="manual"
            )
            session.add(integration)
            session.flush()
            queue_run(session, integration.id or 0, RunTrigger.MANUAL, started_by="ann@cli")


def test_underscore_and_percent_are_literal(db: Database) -> None:
    _runs(db, "shop/send_orders", "shop/sendXorders", "shop/100%_sync", "shop/1000_sync")
    with db.read() as session:

        def names(text: str) -> list[str]:
            return sorted(r.integration for r in page_runs(session, text=text))

        assert names("send_orders") == ["shop/send_orders"]
        assert names("100%") == ["shop/100%_sync"]
        assert names("SEND_ORDERS") == ["shop/send_orders"]  # any case
        assert names("queued shop/send") == ["shop/sendXorders", "shop/send_orders"]
        assert names("failed shop/send") == []  # every word must match
        assert names("ann@cli 1000") == ["shop/1000_sync"]  # who started it
        assert names("\\") == []
        assert len(names("  ")) == 4  # blank: no filter


def test_status_matches_as_shown(db: Database) -> None:
    _runs(db, "shop/a")
    with db.write() as session:
        session.execute(sa.text("UPDATE job_run SET status = 'on_hold'"))
    with db.read() as session:
        assert [r.integration for r in page_runs(session, text="on hold")] == ["shop/a"]
