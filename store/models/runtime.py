"""What the runtime leaves behind: runs, workers, notifications, the audit trail."""

# No `from __future__ import annotations` in the model modules: pydantic would compile and
# eval every field's annotation string when the class is made, on every command's start.

from datetime import datetime
from typing import Any
from uuid import uuid4

import sqlalchemy as sa
from sqlmodel import Field

from ..states import RunStatus as RunStatus
from ..states import RunTrigger as RunTrigger
from ._types import TableModel, json_field, when


def new_run_uid() -> str:
    """A run's uid, unique across databases: log lines name it, so a demo that resets its
    database (and starts run ids at 1 again) never mixes two runs' logs. (Not `*_key`: the
    log redactor masks keys ending in `key`.)"""
    return uuid4().hex


class JobRun(TableModel, table=True):
    __tablename__ = "job_run"
    __table_args__ = (
        # One queued and one running run per integration, enforced by the database.
        sa.Index(
            "uq_job_run_one_running",
            "integration_id",
            unique=True,
            sqlite_where=sa.text("status = 'running'"),
            postgresql_where=sa.text("status = 'running'"),
        ),
        sa.Index(
            "uq_job_run_one_queued",
            "integration_id",
            unique=True,
            sqlite_where=sa.text("status = 'queued'"),
            postgresql_where=sa.text("status = 'queued'"),
        ),
        sa.Index("ix_job_run_status_id", "status", "id"),
        # An integration's newest runs, read backwards (the dashboard's run strips).
        sa.Index("ix_job_run_integration_id_id", "integration_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    integration_id: int = Field(foreign_key="integration.id")
    trigger: str = RunTrigger.SCHEDULE
    status: str = RunStatus.QUEUED
    queued_at: datetime = when(default_now=True)
    started_at: datetime | None = when(nullable=True)
    finished_at: datetime | None = when(nullable=True, index=True)  # the dashboard's window
    worker_id: str | None = None
    lease_expires_at: datetime | None = when(nullable=True)
    counters: dict[str, int] = json_field()
    progress_done: int = 0
    progress_total: int | None = None
    error: str | None = None
    summary: str | None = None
    run_uid: str = Field(
        default_factory=new_run_uid,
        sa_column_kwargs={"default": new_run_uid, "server_default": ""},
    )
    started_by: str = Field(default="schedule", sa_column_kwargs={"server_default": "schedule"})
    """`schedule`, or the operator who queued it (`alice@console`)."""
    cancel_requested_by: str | None = None
    """Who asked to cancel this running run; its worker stops it at the next page."""
    request_id: int | None = None
    """A send_orders run an operator started for this one fulfillment request only."""


class Worker(TableModel, table=True):
    """A live worker process; stale heartbeats mean it is gone."""

    id: str = Field(primary_key=True)
    host: str
    pid: int
    started_at: datetime = when(default_now=True)
    heartbeat_at: datetime = when(default_now=True)
    embedded: bool = False


class Notification(TableModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = when(default_now=True)
    level: str = Field(index=True)
    integration_id: int | None = Field(default=None, index=True)
    integration: str | None = None
    run_id: int | None = Field(default=None, index=True)
    event: str
    message: str
    data: dict[str, Any] = json_field()


class AuditEvent(TableModel, table=True):
    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = when(default_now=True)
    actor: str
    action: str
    record_type: str
    record_id: str
    before: dict[str, Any] = json_field()
    after: dict[str, Any] = json_field()


class Installation(TableModel, table=True):
    """This database's one row: the installation id that makes its PO numbers its own."""

    id: int | None = Field(default=None, primary_key=True)  # always 1: one row per database
    installation_id: str = Field(unique=True)
    created_at: datetime = when(default_now=True)


class StoreChange(TableModel, table=True):
    """One row (id 1): a counter every committing write to an operator-visible table bumps
    (`store.changes`), so a console learns with one cheap read that it should re-read."""

    __tablename__ = "store_change"

    id: int = Field(primary_key=True)
    version: int = Field(default=0, sa_type=sa.BigInteger, sa_column_kwargs={"server_default": "0"})
