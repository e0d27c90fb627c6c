"""The whole business loop against the WooCommerce and WPS sandboxes, with real workers.

Sandboxes run in this process on 127.0.0.1; `dropdeck worker` runs as subprocesses (so
one can be killed with SIGKILL); the test drives the loop like an operator would, by
queueing runs and placing customer orders on the sandbox store.
"""

from __future__ import annotations

import json
import signal
import subprocess
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from connectors.sandboxing.serve import RunningSandboxes, build_sandbox, serve
from console.runtime.demo import configure_demo_business
from store.commands.audit import operator_name
from store.commands.runs import queue_run, set_integration_paused
from store.db import Database
from store.models import Integration, JobRun
from store.models.runtime import RunStatus, RunTrigger
from tests.runtime.helpers import wait_for, worker_cmd, worker_env

FINISHED = {s.value for s in (RunStatus.SUCCEEDED, RunStatus.PARTIAL, RunStatus.FAILED)}


class OrderSubmissions:
    """ASGI middleware counting accepted `POST /orders` per PO: what a duplicate would be."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.accepted: Counter[str] = Counter()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != "/orders":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        status: list[int] = []

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
            await send(message)

        try:
            await self.app(scope, replay, watch)
        finally:
            # Counted even when sending the answer fails (a truncated-body fault can make the
            # server's own send raise): the order was accepted all the same.
            if status and status[0] < 300:
                try:
                    po = json.loads(body or b"{}").get("po_number", "?")
                except ValueError:
                    po = "?"
                self.accepted[str(po)] += 1


@dataclass
class Loop:
    db: Database
    home: Path
    running: RunningSandboxes
    submissions: OrderSubmissions
    log: Path
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def url(self, system: str) -> str:
        return self.running.servers[system].base_url

    def control(self, system: str, method: str, path: str, **kw: Any) -> httpx.Response:
        response = httpx.request(method, self.url(system) + "/_sandbox/" + path, **kw)
        response.raise_for_status()
        return response

    def start_worker(self) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(
            worker_cmd("--no-schedule", "--concurrency", "2"),
            env=worker_env(self.db.settings.database_url, self.home),
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        self.workers.append(proc)
        return proc

    def queue(self, name: str) -> int:
        with self.db.write() as session:
            integration = session.scalars(
                sa.select(Integration).where(Integration.name == name)
            ).one()
            return queue_run(session, integration.id or 0, RunTrigger.MANUAL).id or 0

    def status(self, run_id: int) -> str:
        with self.db.read() as session:
            run = session.get(JobRun, run_id)
            assert run is not None
            return run.status

    def run(self, name: str, timeout: float = 60.0) -> str:
        run_id = self.queue(name)
        wait_for(lambda: self.status(run_id) in FINISHED, timeout, f"{name} to finish")
        return self.status(run_id)

    def run_until_clean(self, name: str, attempts: int = 8) -> None:
        """What an operator does under faults: rerun (unpausing if needed) until it succeeds."""
        for _ in range(attempts):
            if self.run(name) == RunStatus.SUCCEEDED.value:
                return
            with self.db.write() as session:
                integration = session.scalars(
                    sa.select(Integration).where(Integration.name == name)
                ).one()
                if integration.paused_reason:
                    set_integration_paused(session, integration, None, actor=operator_name("test"))
        raise AssertionError(f"{name} never succeeded in {attempts} runs; see {self.log}")

    def stop_workers(self) -> None:
        for proc in self.workers:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.workers:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture
def loop(sqlite_db: Database, tmp_path: Path) -> Iterator[Loop]:
    running = RunningSandboxes()
    submissions: OrderSubmissions | None = None
    try:
        for system in ("woocommerce", "wps"):
            sandbox = build_sandbox(system, seed=3, size=150)
            assert sandbox is not None
            app = sandbox.app
            if system == "wps":
                app = submissions = OrderSubmissions(app)
            running.sandboxes[system] = sandbox
            running.servers[system] = serve(app)
        assert submissions is not None
        configure_demo_business(sqlite_db, running.describe())
        harness = Loop(
            db=sqlite_db,
            home=sqlite_db.settings.home,
            running=running,
            submissions=submissions,
            log=tmp_path / "workers.log",
        )
        yield harness
        harness.stop_workers()
    finally:
        running.stop()
