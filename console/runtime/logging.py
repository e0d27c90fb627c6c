"""Logging for every Dropdeck process: structlog configured once, one event, three sinks.

    structlog / stdlib record
      -> shared chain: contextvars (integration, run ids), level, logger, UTC timestamp, redact
      -> (a) JSON lines file  $DROPDECK_HOME/logs/dropdeck.jsonl (rotated)
         (b) notification table: WARNING+ and events logged with notify=True, batch-inserted
             by one writer thread so logging never waits on the database (run summaries are
             written with the run row instead: see `notification_row`)
         (c) optionally stderr, one plain line per event with its traceback, control
             characters made visible (`store.safe_text`)

Redaction runs in the shared chain *and again after tracebacks are rendered*: keys that look
secret are masked, Bearer/Basic values and secret query parameters are scrubbed from every
string, and every value passed to `register_secret()` (the runtime registers each
connection's secrets when it loads them) is replaced wherever it appears. Tracebacks never
include frame locals (`show_locals=False`).
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import queue
import re
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import structlog
from structlog.typing import EventDict, WrappedLogger

from store.commands.notify import insert_notifications
from store.db import Database
from store.safe_text import visible

MASK = "***"
SECRET_KEY = re.compile(
    r"(secret|token|passw|authorization|signature|cookie|credential|^consumer_|"
    r"api[_-]?key|(^|[_-])key$)",
    re.IGNORECASE,
)
AUTH_VALUE = re.compile(r"(?i)\b(bearer|basic|token)(\s+)[A-Za-z0-9._~+/=-]+")
QUERY_SECRET = re.compile(
    r"(?i)([?&;](?:consumer_key|consumer_secret|oauth_signature|oauth_token|oauth_consumer_key"
    r"|access_token|token|api_key|apikey|key|secret|password|signature)=)[^&\s\"'#]+"
)
# structlog's own keys are never secrets even when their names match.
_SAFE_KEYS = frozenset({"event", "level", "logger", "timestamp", "message"})

_secrets: set[str] = set()
_secrets_lock = threading.Lock()
_secret_pattern: re.Pattern[str] | None = None


def register_secret(value: str | None) -> None:
    """Scrub `value` from everything logged by this process from now on."""
    global _secret_pattern
    if not value or len(value) < 4:  # too short to replace without mangling normal text
        return
    with _secrets_lock:
        if value in _secrets:
            return
        _secrets.add(value)
        ordered = sorted(_secrets, key=len, reverse=True)
        _secret_pattern = re.compile("|".join(re.escape(s) for s in ordered))


def scrub_text(text: str) -> str:
    """A string with registered secrets, auth header values and secret query values masked."""
    pattern = _secret_pattern
    if pattern is not None:
        text = pattern.sub(MASK, text)
    text = AUTH_VALUE.sub(rf"\1\2{MASK}", text)
    return QUERY_SECRET.sub(rf"\1{MASK}", text)


def _scrub(key: Any, value: Any, depth: int = 0) -> Any:
    if isinstance(key, str) and key not in _SAFE_KEYS and SECRET_KEY.search(key):
        return MASK if value not in (None, "") else value
    if isinstance(value, str):
        return scrub_text(value)
    if depth > 6:
        return value
    if isinstance(value, Mapping):
        return {k: _scrub(k, v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(None, v, depth + 1) for v in value]
    if isinstance(value, BaseException):
        return value  # rendered (then scrubbed) by the formatter
    if value is not None and not isinstance(value, int | float | bool):
        return scrub_text(str(value))
    return value


def redact(_logger: WrappedLogger, _name: str, event_dict: EventDict) -> EventDict:
    """structlog processor: mask secrets in keys, strings, nested dicts and lists."""
    return {k: _scrub(k, v) for k, v in event_dict.items()}


# A processor that hands the event on as a dict (every one but the final renderer).
EventProcessor = Callable[[WrappedLogger, str, EventDict], EventDict]

SHARED: list[EventProcessor] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    redact,
]


def _json_formatter() -> structlog.stdlib.ProcessorFormatter:
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=SHARED,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.StackInfoRenderer(),
            structlog.processors.ExceptionRenderer(
                structlog.tracebacks.ExceptionDictTransformer(show_locals=False)
            ),
            redact,  # again: tracebacks exist only from here on
            structlog.processors.JSONRenderer(default=str),
        ],
    )


_STANDARD = frozenset(
    {"event", "level", "logger", "timestamp", "integration", "integration_id", "run_id", "run_uid"}
)
_NOTIFY_LEVELS = {"warning", "error", "critical", "info"}
_EVENT_CHAIN: list[EventProcessor] = [
    structlog.processors.ExceptionRenderer(
        structlog.tracebacks.ExceptionDictTransformer(show_locals=False)
    ),
    redact,
]


def _event_of(record: logging.LogRecord) -> EventDict:
    """The redacted event dict of a record, as the JSON file gets it, without rendering."""
    level = record.levelname.lower()
    event: EventDict
    if isinstance(record.msg, dict) and hasattr(record, "_logger"):  # structlog's own
        event = dict(record.msg)
    else:  # a stdlib logger (httpx, apscheduler, asyncio): run the shared chain first
        event = {"event": record.getMessage(), "_record": record, "_from_structlog": False}
        if record.exc_info:
            event["exc_info"] = record.exc_info
        for processor in SHARED:
            event = processor(None, level, event)
        del event["_record"], event["_from_structlog"]
    for processor in _EVENT_CHAIN:
        event = processor(None, level, event)
    return event


def _plain(value: Any) -> Any:
    """`value` as JSON types (the notification's data column), other objects as text."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return str(value)


def _row(event: Mapping[str, Any]) -> dict[str, Any]:
    level = str(event.get("level", "info")).lower()
    data = {
        k: _plain(v)
        for k, v in event.items()
        if k not in _STANDARD and k not in ("message", "notify", "stored")
    }
    run_id = event.get("run_id")
    integration_id = event.get("integration_id")
    return {
        "level": level if level in _NOTIFY_LEVELS else "error",
        "integration": event.get("integration"),
        "integration_id": integration_id if isinstance(integration_id, int) else None,
        "run_id": run_id if isinstance(run_id, int) else None,
        "event": str(event.get("event", "")),
        "message": str(event.get("message") or _sentence(str(event.get("event", "")), data)),
        "data": data,
    }


def _sentence(name: str, data: Mapping[str, Any]) -> str:
    """A message for an event logged without one, so no notification is a bare
    `worker.claim_failed`: the event with its error, exception or other fields."""
    detail = data.get("error")
    exception = data.get("exception")
    if detail is None and isinstance(exception, list) and exception:
        last = exception[-1]  # structlog's exception dicts, innermost last
        if isinstance(last, Mapping):
            detail = f"{last.get('exc_type', 'error')}: {last.get('exc_value', '')}".rstrip(": ")
    if detail is None:
        fields = [f"{k}={v}" for k, v in data.items() if not isinstance(v, dict | list)]
        detail = " ".join(fields) or None
    text = name.replace("_", " ").replace(".", ": ", 1) if detail is None else f"{name}: {detail}"
    return text[:500]


def notification_row(level: str, event: str, **fields: Any) -> dict[str, Any]:
    """The notification row the log sink would write for this event (bound context and
    redaction included), for a caller to insert in its own transaction so the row cannot be
    lost with a killed process. Log the same event with `stored=True`: the sink skips it."""
    event_dict: EventDict = {"event": event, "level": level, **fields}
    event_dict = structlog.contextvars.merge_contextvars(None, level, event_dict)
    return _row(redact(None, level, event_dict))


class NotificationHandler(logging.Handler):
    """Queues WARNING+ and notify=True events; one thread batch-inserts them."""

    def __init__(self, db: Database, *, flush_every: float = 0.25) -> None:
        super().__init__(logging.INFO)
        self.db = db
        self.flush_every = flush_every
        self._queue: queue.SimpleQueue[dict[str, Any]] = queue.SimpleQueue()
        self._stop = threading.Event()
        self._writing = threading.Lock()  # a flush waits for a batch being written
        self._thread = threading.Thread(target=self._run, name="notification-writer", daemon=True)
        self._thread.start()

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(("sqlalchemy", "store.")):
            return  # never feed the DB sink with the DB's own complaints
        try:
            fields = record.msg if isinstance(record.msg, dict) else {}
            if fields.get("stored"):
                return  # written to the table by the caller already
            if record.levelno >= logging.WARNING or fields.get("notify"):
                self._queue.put(_row(_event_of(record)))
        except Exception:
            self.handleError(record)

    def _drain(self) -> None:
        with self._writing:
            self._write_queued()

    def _write_queued(self) -> None:
        batch: list[dict[str, Any]] = []
        while True:
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                break
        if batch:
            try:
                with self.db.write() as session:
                    insert_notifications(session, batch)
            except Exception as exc:  # logging must not take the process down
                print(
                    f"dropdeck: could not write {len(batch)} "
                    f"notification{'s' if len(batch) != 1 else ''}: {exc}",
                    file=sys.stderr,
                )

    def _run(self) -> None:
        while not self._stop.wait(self.flush_every):
            self._drain()
        self._drain()

    def flush(self) -> None:
        """Write everything queued so far (from the calling thread), after any batch the
        writer thread is writing: rows keep the order they were logged in."""
        self._drain()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        super().close()


@dataclass
class LoggingSetup:
    """What `configure_logging` installed; `flush()` before reading sinks in tests."""

    log_path: Path
    handlers: list[logging.Handler]
    notifications: NotificationHandler | None

    def flush(self) -> None:
        for handler in self.handlers:
            handler.flush()

    def close(self) -> None:
        root = logging.getLogger()
        for handler in self.handlers:
            root.removeHandler(handler)
            handler.close()


_current: LoggingSetup | None = None


def configure_logging(
    home: Path,
    *,
    db: Database | None = None,
    level: int = logging.INFO,
    stderr: bool = False,
    max_bytes: int = 10_000_000,
    backups: int = 5,
) -> LoggingSetup:
    """Configure structlog and the stdlib root logger once per process (again replaces)."""
    global _current
    if _current is not None:
        _current.close()
    structlog.configure(
        processors=[*SHARED, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    log_dir = home / "logs"
    log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    log_path = log_dir / "dropdeck.jsonl"
    file_handler = _PrivateRotatingFileHandler(
        log_path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8"
    )
    file_handler.setFormatter(_json_formatter())
    handlers: list[logging.Handler] = [file_handler]
    notifications = None
    if db is not None:
        notifications = NotificationHandler(db)
        notifications.setFormatter(_json_formatter())
        handlers.append(notifications)
    if stderr:
        err = logging.StreamHandler(sys.stderr)
        err.setLevel(logging.INFO)
        err.setFormatter(_console_formatter())
        handlers.append(err)
    root = logging.getLogger()
    root.handlers[:] = handlers
    root.setLevel(level)
    # httpx logs every request URL at INFO (WooCommerce keys live in the query string).
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    _current = LoggingSetup(log_path=log_path, handlers=handlers, notifications=notifications)
    return _current


def _console_formatter() -> structlog.stdlib.ProcessorFormatter:
    """One plain line per event for stderr; a traceback follows as text. Control characters
    in the line (store data in messages) are made visible, newlines kept."""
    render = structlog.dev.ConsoleRenderer(colors=False, pad_event_to=0)

    def render_visible(logger: WrappedLogger, name: str, event_dict: EventDict) -> str:
        return visible(str(render(logger, name, event_dict)), multiline=True)

    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=SHARED,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.ExceptionRenderer(),  # a text traceback, then scrubbed
            redact,
            render_visible,
        ],
    )


class _PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """Creates the log file 0600 (it names businesses, orders and addresses); rotated files
    are renamed from it and keep that mode."""

    def _open(self) -> Any:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        return os.fdopen(fd, "a", encoding=self.encoding, errors=self.errors)


def flush_notifications() -> None:
    """Write queued notifications now (a run's end: none may wait in memory for a worker that
    could be killed, and they come before the run's summary)."""
    if _current is not None and _current.notifications is not None:
        _current.notifications.flush()


def shutdown_logging() -> None:
    """Flush and close every sink (call at process exit)."""
    global _current
    if _current is not None:
        _current.flush()
        _current.close()
        _current = None
