"""Which coroutine runs an integration: a registry keyed by (system, kind).

Connectors register their operations in `connectors/<system>/operations.py`:

    @operation("woocommerce", "sync_listings")
    async def sync_listings(ctx: RunContext) -> None: ...

The worker calls `load_operations()` once, which imports `connectors.<system>.operations`
for every system that has one (missing modules are skipped), plus the modules named in
`DROPDECK_EXTRA_OPERATIONS` (comma-separated; tests use it to register fake operations
in worker subprocesses).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING

from .errors import FatalError

if TYPE_CHECKING:
    from .context import RunContext

Operation = Callable[["RunContext"], Awaitable[None]]

SYSTEMS = ("woocommerce", "magento", "shipstation", "wps", "usdirect")
EXTRA_ENV = "DROPDECK_EXTRA_OPERATIONS"

_operations: dict[tuple[str, str], Operation] = {}


class UnknownOperation(FatalError):
    """No connector registered an operation for this (system, kind)."""


def operation(system: str, kind: str) -> Callable[[Operation], Operation]:
    """Register the decorated coroutine as the operation for (system, kind)."""

    def register(fn: Operation) -> Operation:
        existing = _operations.get((system, kind))
        if existing is not None and existing is not fn:
            name = f"{existing.__module__}.{existing.__qualname__}"
            raise ValueError(f"operation ({system}, {kind}) is already registered by {name}")
        _operations[(system, kind)] = fn
        return fn

    return register


def get_operation(system: str, kind: str) -> Operation:
    """The registered operation, or `UnknownOperation` naming what is missing."""
    try:
        return _operations[(system, kind)]
    except KeyError:
        raise UnknownOperation(
            f"no '{kind}' operation exists for {system}; this Dropdeck version cannot run "
            "it. Disable the integration or upgrade"
        ) from None


def registered() -> list[tuple[str, str]]:
    """All registered (system, kind) pairs, sorted."""
    return sorted(_operations)


def load_operations(
    systems: Iterable[str] = SYSTEMS, extra: Iterable[str] | None = None
) -> list[str]:
    """Import every connector's operations module; returns the modules imported."""
    names = [f"connectors.{system}.operations" for system in systems]
    if extra is None:
        extra = [m.strip() for m in os.environ.get(EXTRA_ENV, "").split(",") if m.strip()]
    loaded = []
    for name in names:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            # Only a missing operations module (or connector package) is skipped; a broken
            # import inside an existing module is a real error.
            if exc.name not in (name, name.rsplit(".", 1)[0]):
                raise
            continue
        loaded.append(name)
    for name in extra:
        importlib.import_module(name)
        loaded.append(name)
    return loaded


def unregister(system: str, kind: str) -> None:
    """Remove a registration (tests only)."""
    _operations.pop((system, kind), None)
