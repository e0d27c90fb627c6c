"""What each external system is, and which coroutine runs an integration.

Descriptors: each `connectors/<system>/__init__.py` registers one `Descriptor` (role,
secret fields, connection URL rule, integration kinds with their settings types, shipping
codes, unsupported listing actions, connection check). The console reads systems only
from here: `descriptors()` imports every connector package, which is cheap (no HTTP
client, no store, no sandbox; settings types and checks load on first use).

Operations: connectors register them in `connectors/<system>/operations.py`:

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
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from .errors import FatalError

if TYPE_CHECKING:
    from .check import CheckResult, Probe
    from .context import RunContext
    from .settings import KindSettings, TemplateLookup, TemplateSpec

Operation = Callable[["RunContext"], Awaitable[None]]

SYSTEMS = ("woocommerce", "magento", "shipstation", "wps", "usdirect")
EXTRA_ENV = "DROPDECK_EXTRA_OPERATIONS"

_operations: dict[tuple[str, str], Operation] = {}


class UnknownOperation(FatalError):
    """No connector registered an operation for this (system, kind)."""


# -- descriptors ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """One integration kind a system runs, with its settings type."""

    name: str
    load_settings: Callable[[], type[KindSettings]]
    """Imports and returns the settings type (kept lazy: settings modules import the store)."""


def settings_type(module: str, name: str) -> Callable[[], type[KindSettings]]:
    """A `Kind.load_settings` that imports `module` and returns its `name` on first use."""

    def load() -> type[KindSettings]:
        found: type[KindSettings] = getattr(importlib.import_module(module), name)
        return found

    return load


@dataclass(frozen=True)
class Descriptor:
    """What Dropdeck knows about one external system, without importing its code."""

    system: str
    role: Literal["channel", "source"]
    display_name: str
    secrets: tuple[str, ...]
    """Required secret fields of a connection (sealed at rest, never shown)."""
    url_example: str
    """The non-secret `base_url` field as an operator gives it."""
    probe: Callable[[str, Mapping[str, str]], Probe]
    """The one request of Test Connection, from the base URL and the secrets."""
    optional_secrets: tuple[str, ...] = ()
    kinds: tuple[Kind, ...] = ()
    """Empty for a system whose connector is not built yet."""
    shipping_codes: tuple[str, ...] = ()
    """The carrier codes a source accepts (empty: free text)."""
    unsupported: Mapping[str, str] = field(default_factory=dict)
    """Listing transitions (publish, delist, ...) the channel cannot carry out -> why."""
    unsupported_kinds: Mapping[str, str] = field(default_factory=dict)
    """Integration kinds an operator may ask for that the system does not run -> why."""
    url_rule: Callable[[str], str | None] = lambda _url: None
    """A URL mistake specific to the system, as a one-line hint, or None."""

    @property
    def built(self) -> bool:
        """Whether this Dropdeck version has integrations for the system."""
        return bool(self.kinds)

    def kind(self, name: str) -> Kind | None:
        """The kind named `name`, or None."""
        return next((k for k in self.kinds if k.name == name), None)


_descriptors: dict[str, Descriptor] = {}


def register(descriptor: Descriptor) -> Descriptor:
    """Register a system's descriptor (each `connectors/<system>/__init__.py` calls it)."""
    existing = _descriptors.get(descriptor.system)
    if existing is not None and existing is not descriptor:
        raise ValueError(f"system {descriptor.system} is already registered")
    _descriptors[descriptor.system] = descriptor
    return descriptor


def descriptors() -> dict[str, Descriptor]:
    """Every system's descriptor, in `SYSTEMS` order (imports the connector packages)."""
    for system in SYSTEMS:
        if system not in _descriptors:
            importlib.import_module(f"connectors.{system}")
    return {s: _descriptors[s] for s in SYSTEMS if s in _descriptors}


def descriptor(system: str) -> Descriptor:
    """The descriptor of `system`; `UnknownSystem` names the known ones."""
    found = descriptors().get(system)
    if found is None:
        raise UnknownSystem(f"unknown system {system!r}; systems: {', '.join(descriptors())}")
    return found


class UnknownSystem(FatalError):
    """No connector registered a descriptor under this name."""


def parse_settings(
    system: str,
    kind: str,
    raw: Mapping[str, Any],
    *,
    integration: str,
    templates: TemplateLookup,
) -> object:
    """Parse `raw` with the kind's settings type, refusing keys it does not read; a
    `FatalError` names what to fix in one line."""
    found = descriptor(system).kind(kind)
    if found is None:
        raise UnknownOperation(f"{system} has no integration kind {kind!r}")
    settings = found.load_settings()
    unknown = sorted(set(raw) - set(settings.KEYS))
    if unknown:
        raise FatalError(
            f"{integration}: unknown setting {', '.join(unknown)}; "
            f"{kind} takes {', '.join(settings.KEYS)}"
        )
    return settings.parse(raw, integration=integration, kind=kind, templates=templates)


def template_kinds(system: str) -> dict[str, tuple[str, TemplateSpec]]:
    """Template target → (the first kind that reads it, what it maps) for `system`."""
    out: dict[str, tuple[str, TemplateSpec]] = {}
    for kind in descriptor(system).kinds:
        spec: TemplateSpec | None = getattr(kind.load_settings(), "TEMPLATE", None)
        if spec is not None and spec.target not in out:
            out[spec.target] = (kind.name, spec)
    return out


def unsupported_actions() -> dict[tuple[str, str], str]:
    """(system, listing transition) -> the reason the channel cannot carry it out."""
    return {
        (system, action): why
        for system, d in descriptors().items()
        for action, why in d.unsupported.items()
    }


async def check_connection(
    system: str, base_url: str, secrets: Mapping[str, str], *, timeout: float = 10.0
) -> CheckResult:
    """Test Connection: send the system's probe once and say in one line what is wrong."""
    from .check import CheckResult, Problem, run_probe  # httpx loads only when a check runs

    d = descriptor(system)
    missing = [f for f in d.secrets if not (secrets.get(f) or "").strip()]
    if missing:
        detail = f"the connection has no {', '.join(missing)}"
        return CheckResult(ok=False, system=system, problem=Problem.KEY_REFUSED, detail=detail)
    return await run_probe(
        d.system, d.display_name, base_url, d.probe(base_url, secrets), timeout=timeout
    )


# -- operations -----------------------------------------------------------------------------


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
