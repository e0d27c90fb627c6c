"""What an operation gets to do its work: `RunContext`, built by the runtime for each run.

An operation reads its integration's settings, talks HTTP through the connection's shared
client, writes rows through `ctx.db`, and reports as it goes:

    async def sync_listings(ctx: RunContext) -> None:
        client = ctx.http_client(auth=BearerAuth(ctx.secrets["token"]))
        for n, item in enumerate(items, 1):
            try:
                ...
                ctx.count("updated")
            except MappingError as exc:
                ctx.record_error(exc.record_ref, exc.reason)   # run goes on, ends `partial`
            ctx.progress(n, len(items))

`progress`, `count` and `record_error` only touch memory (cheap in a hot loop); the worker
flushes them to the run's row with its heartbeat and at the end. Raising a `ConnectorError`
ends the run `failed` (and `AuthError`/`RetryBudgetExhausted` pause the integration).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
import structlog

from store.crypto import Secret
from store.db import Database
from store.models import Channel, Integration, Source

from .errors import FatalError, RecordError
from .http import ConnectorClient, HttpSettings, build_client
from .ratelimit import Sleep

T = TypeVar("T")


class RunCancelled(BaseException):
    """An operator cancelled the run; raised at the next page boundary (`ctx.progress`).

    A BaseException, like asyncio.CancelledError, so a flow's `except Exception` around one
    record cannot swallow it; the runtime ends the run `cancelled`."""


# Beyond this many, record errors still count and reach the log file but not the feed.
MAX_RECORD_ERROR_NOTIFICATIONS = 20
# Kept on the run for its summary screen.
MAX_KEPT_RECORD_ERRORS = 200


@dataclass(frozen=True)
class ConnectionInfo:
    """A connection with its secrets decrypted; repr never shows them."""

    id: int
    name: str
    system: str
    base_url: str
    secrets: dict[str, Secret] = field(repr=False)


class ClientPool:
    """One `ConnectorClient` per connection for the life of a worker (same event loop)."""

    def __init__(
        self,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._clients: dict[int, ConnectorClient] = {}
        self._versions: dict[int, int] = {}
        self._transport = transport
        self._sleep = sleep

    def get(
        self,
        connection: ConnectionInfo,
        *,
        auth: httpx.Auth | None,
        settings: HttpSettings | None,
    ) -> ConnectorClient:
        """The connection's client, built on first use with this auth and settings.

        Edited credentials or base URL (the fix after an auth pause) get a new client.
        """
        version = hash((connection.base_url, tuple(sorted(connection.secrets.items()))))
        if self._versions.get(connection.id, version) != version:
            self.forget(connection.id)
        self._versions[connection.id] = version
        client = self._clients.get(connection.id)
        if client is None:
            client = build_client(
                connection.base_url,
                name=connection.name,
                auth=auth,
                settings=settings,
                transport=self._transport,
                sleep=self._sleep,
            )
            self._clients[connection.id] = client
        return client

    def forget(self, connection_id: int) -> None:
        """Drop a client (its credentials changed); the next run builds a new one."""
        client = self._clients.pop(connection_id, None)
        if client is not None:
            # Closing is async; let the old one finish its in-flight requests.
            asyncio.get_running_loop().create_task(client.aclose())

    async def aclose(self) -> None:
        """Close every client."""
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.aclose()


class RunContext:
    """One run of one integration, as its operation sees it."""

    def __init__(
        self,
        *,
        db: Database,
        integration: Integration,
        run_id: int,
        run_uid: str = "",
        system: str,
        owner: Source | Channel,
        connection: ConnectionInfo | None,
        clients: ClientPool | None = None,
        on_secret: Callable[[str], None] | None = None,
        request_id: int | None = None,
    ) -> None:
        self.db = db
        # The one fulfillment request an operator asked to send now (`dropdeck orders send`).
        self.request_id = request_id
        self.integration = integration
        self.run_id = run_id
        self.run_uid = run_uid
        self.cancel_requested_by: str | None = None
        self.system = system
        self.owner = owner
        self.connection = connection
        self.clients = clients or ClientPool()
        self.counters: dict[str, int] = {}
        self.record_errors: list[dict[str, str]] = []
        self.notes: list[str] = []
        self.progress_done = 0
        self.progress_total: int | None = None
        self.dirty = False
        self.log = structlog.get_logger("connectors.run").bind(
            integration=integration.name,
            integration_id=integration.id,
            run_id=run_id,
            run_uid=run_uid,
        )
        if connection is not None and on_secret is not None:
            for value in connection.secrets.values():
                on_secret(value)

    @property
    def kind(self) -> str:
        """The integration kind (sync_listings, get_orders, ...)."""
        return self.integration.kind

    @property
    def owner_id(self) -> int:
        """The id of the source or channel this integration belongs to."""
        owner_id = self.integration.source_id or self.integration.channel_id
        if owner_id is None:
            raise FatalError(f"{self.integration.name} belongs to no source or channel")
        return owner_id

    async def write(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run the store command `fn(session, *args, **kwargs)` in its own committed
        write transaction, off the event loop (store calls are synchronous)."""

        def work() -> T:
            with self.db.write() as session:
                return fn(session, *args, **kwargs)

        return await asyncio.to_thread(work)

    @property
    def settings(self) -> dict[str, Any]:
        """The integration's settings (JSON)."""
        return self.integration.settings or {}

    @property
    def secrets(self) -> dict[str, Secret]:
        """The connection's decrypted secrets; never log them (the logger redacts them)."""
        if self.connection is None:
            raise FatalError(
                f"integration {self.integration.name} has no connection; "
                f"attach one to {self.owner.name}"
            )
        return self.connection.secrets

    @property
    def base_url(self) -> str:
        """The connection's base URL."""
        if self.connection is None:
            raise FatalError(f"{self.owner.name} has no connection; attach one")
        return self.connection.base_url

    def http_client(
        self, *, auth: httpx.Auth | None = None, settings: HttpSettings | None = None
    ) -> ConnectorClient:
        """The connection's shared client (auth/settings apply when it is first built)."""
        if self.connection is None:
            raise FatalError(f"{self.owner.name} has no connection; attach one")
        return self.clients.get(self.connection, auth=auth, settings=settings)

    def progress(self, done: int, total: int | None = None) -> None:
        """Report progress; `total` None keeps the last known total.

        Flows call it after each page is written, so it is also where a cancelled run stops
        (`check_cancelled`): the store holds whole pages only."""
        self.progress_done = done
        if total is not None:
            self.progress_total = total
        self.dirty = True
        self.check_cancelled()

    def check_cancelled(self) -> None:
        """Raise `RunCancelled` if an operator cancelled this run (the worker learns it with
        its heartbeat). Call only where the store is consistent, e.g. between pages."""
        if self.cancel_requested_by is not None:
            raise RunCancelled(self.cancel_requested_by)

    def count(self, name: str, n: int = 1) -> None:
        """Add `n` to a counter (created, updated, skipped, parents_created, ...)."""
        self.counters[name] = self.counters.get(name, 0) + n
        self.dirty = True

    def note(self, text: str) -> None:
        """A sentence for the run's summary: why a run did nothing, what waits for what."""
        if text not in self.notes:
            self.notes.append(text)
            self.log.info("run.note", message=text)

    def record_error(self, record_ref: str, message: str, *, level: str = "warning") -> None:
        """One record failed: count it as `failed`, report it, and let the run go on.

        `level="error"` for a failure the operator must see (an error notification, never
        thinned out like the warnings of a run with many failures).
        """
        self.count("failed")
        if len(self.record_errors) < MAX_KEPT_RECORD_ERRORS:
            self.record_errors.append({"record": record_ref, "error": message})
        failed = self.counters["failed"]
        if level != "error":
            level = "warning" if failed <= MAX_RECORD_ERROR_NOTIFICATIONS else "info"
        getattr(self.log, level)(
            "record.failed", record=record_ref, error=message, message=f"{record_ref}: {message}"
        )

    def record_failure(self, exc: RecordError) -> None:
        """`record_error` from a raised `RecordError`/`MappingError`."""
        self.record_error(exc.record_ref, exc.reason)
