"""Run summaries read right: plurals agree with counts, a failed run with nothing counted
is not 'nothing to do'."""

from __future__ import annotations

from console.runtime.runs import counted, summarize
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
