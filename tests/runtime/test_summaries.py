"""Run summaries read right: plurals agree with counts, a failed run with nothing counted
is not 'nothing to do'."""

from __future__ import annotations

import sqlalchemy as sa
import structlog

from console.runtime.logging import LoggingSetup
from console.runtime.runs import counted, summarize
from store.db import Database
from store.models import Notification
from store.models.runtime import RunStatus


def test_counts_agree_with_their_nouns() -> None:
    assert counted(1, "orders_created") == "1 order created"
    assert counted(2, "orders_created") == "2 orders created"
    assert counted(1, "write_requests") == "1 write request"
    assert counted(1, "sent") == "1 sent"
    assert counted(1_200, "variants_updated") == "1,200 variants updated"


def test_a_failed_run_that_counted_nothing_says_only_that_it_failed() -> None:
    assert summarize("get_pqs", RunStatus.FAILED, {}) == "get_pqs failed"
    assert summarize("get_pqs", RunStatus.CANCELLED, {}) == "get_pqs cancelled"
    assert summarize("sync_listings", RunStatus.SUCCEEDED, {}) == (
        "sync_listings succeeded: nothing to do"
    )
    assert summarize("get_orders", RunStatus.PARTIAL, {"orders_created": 1, "failed": 1}) == (
        "get_orders partial: 1 order created, 1 failed"
    )


def test_a_warning_logged_without_a_message_is_not_a_bare_event_name(
    db: Database, logs: LoggingSetup
) -> None:
    log = structlog.get_logger("dropdeck.test")
    try:
        {}["missing-key"]
    except KeyError:
        log.exception("worker.claim_failed")
    log.error("run.error", error="HTTP 503 from the supplier")
    log.warning("scheduler.tick_failed")
    logs.flush()
    with db.read() as session:
        messages = list(session.scalars(sa.select(Notification.message).order_by(Notification.id)))
    assert messages == [
        "worker.claim_failed: KeyError: 'missing-key'",
        "run.error: HTTP 503 from the supplier",
        "scheduler: tick failed",
    ]
