"""What can go wrong when Dropdeck talks to an external system, as one exception tree.

    ConnectorError                  root: anything a connector raises on purpose
     +-- RetriableError             transient (5xx, 429, timeout, dropped connection);
     |                              the HTTP layer retries it with backoff
     +-- FatalError                 the run cannot go on (bad config, 4xx that is not auth,
     |    |                         a response that makes no sense); the run fails
     |    +-- AuthError             401/403: credentials rejected -> the integration pauses
     |    +-- RetryBudgetExhausted  retried N times and still failing -> the integration pauses
     |         +-- RateLimitExhausted   ... because the API kept answering 429
     +-- RecordError                one bad record; counted and reported, the run goes on
          +-- MappingError          the record could not be mapped (missing/invalid field)

Messages are for operators: they name the integration, record or endpoint and say what to
fix. They never contain secrets or URLs with query strings (see `connectors.http.safe_url`).
"""

from __future__ import annotations


class ConnectorError(Exception):
    """Root of every error a connector raises on purpose."""

    #: Whether the integration should be paused when a run ends with this error.
    pauses_integration: bool = False
    #: The response body of an HTTP error (scrubbed of secrets), when there was one.
    body: str | None = None

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status

    def __str__(self) -> str:
        return self.message


class RetriableError(ConnectorError):
    """A transient failure (5xx, 429, timeout, connection error); worth trying again.

    `retry_after` is the server's requested wait in seconds, when it gave one.
    """

    def __init__(
        self, message: str, *, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message, status=status)
        self.retry_after = retry_after


class FatalError(ConnectorError):
    """The run cannot continue; retrying the same request will not help."""


class AuthError(FatalError):
    """The system rejected the credentials (401/403). Pauses the integration.

    Fix: update the connection's credentials, then unpause the integration.
    """

    pauses_integration = True


class RetryBudgetExhausted(FatalError):
    """Every retry of a request failed. Pauses the integration until an operator looks."""

    pauses_integration = True

    def __init__(self, message: str, *, status: int | None = None, attempts: int = 0) -> None:
        super().__init__(message, status=status)
        self.attempts = attempts


class RateLimitExhausted(RetryBudgetExhausted):
    """The API kept answering 429 after every retry. Pauses the integration."""


class RecordError(ConnectorError):
    """One record could not be processed; the run counts it and carries on (ends `partial`).

    `record_ref` names the record the way an operator finds it (SKU, order number, PO).
    """

    def __init__(self, record_ref: str, message: str) -> None:
        super().__init__(f"{record_ref}: {message}")
        self.record_ref = record_ref
        self.reason = message


class MappingError(RecordError):
    """A record could not be mapped, e.g. a missing required field or an unmapped value."""
