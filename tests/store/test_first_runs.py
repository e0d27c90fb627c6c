"""A worker starting runs each new interval integration once soon (not one interval later):
`queue_first_runs` queues those that never ran, and only them."""

from __future__ import annotations

import sqlalchemy as sa

from store.commands.runs import queue_first_runs, queue_run
from store.commands.setup import ensure_integration, ensure_source
from store.db import Database
from store.models import Integration, JobRun
from store.models.runtime import RunTrigger


def test_only_new_enabled_interval_integrations_get_a_first_run(db: Database) -> None:
    with db.write() as session:
        source = ensure_source(session, name="wps", kind="wps", connection=None)
        every = {"schedule_type": "interval", "schedule_value": "300"}
        new = ensure_integration(session, source, "send_orders", **every)
        ran = ensure_integration(session, source, "get_shipments", **every)
        paused = ensure_integration(session, source, "get_pqs", **every)
        ensure_integration(session, source, "get_inventory")  # manual: never by itself
        ensure_integration(
            session, source, "get_invoice", schedule_type="cron", schedule_value="0 * * * *"
        )
        paused.paused_reason = "broken"
        queue_run(session, ran.id or 0, RunTrigger.MANUAL)
    with db.write() as session:
        assert queue_first_runs(session) == ["wps/send_orders"]
    with db.write() as session:
        assert queue_first_runs(session) == []  # it has a run now
    with db.read() as session:
        queued = session.scalars(
            sa.select(Integration.name).join(JobRun, JobRun.integration_id == Integration.id)
        ).all()
        first = session.scalars(sa.select(JobRun).where(JobRun.integration_id == new.id)).one()
    assert sorted(queued) == ["wps/get_shipments", "wps/send_orders"]
    assert (first.status, first.trigger, first.started_by) == ("queued", "schedule", "schedule")
