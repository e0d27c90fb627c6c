"""A local stand-in for the WPS Data Depot API v4 (catalogue, inventory, carts, orders).

Follows `shared/api/shipstation_wps_usdirect.md` section 2: bearer token auth, the
`{data, meta}` envelope, cursor pages, `filter[field][op]`, `include=`, `fields[type]=`,
per-warehouse inventory capped at a ceiling, decimal-string prices, and the cart → order
flow. Where the doc marks behaviour as assumed, the choice is a switch in `WpsSettings`.

`build()` wires the modules together: `sandbox_state` (seeded catalogue, carts, POs),
`sandbox_auth` (bearer guard, error bodies), `sandbox_query` (filters, includes, cursor
envelope), `sandbox_catalogue` (catalogue routes), `sandbox_orders` (carts, orders) and
`sandbox_control` (`/_sandbox/` routes).
"""

from __future__ import annotations

from connectors.sandboxing import BuiltSandbox, assemble
from connectors.sandboxing.clock import Clock
from connectors.sandboxing.control import control_mount
from connectors.sandboxing.faults import Faults, JSONErrorProfile
from connectors.wps.sandbox_catalogue import catalogue_routes
from connectors.wps.sandbox_control import control_routes
from connectors.wps.sandbox_orders import order_routes
from connectors.wps.sandbox_state import WpsSettings, WpsState

__all__ = ["WpsSettings", "WpsState", "build"]


def build(seed: int = 1, size: int = 2000, *, clock: Clock | None = None) -> BuiltSandbox:
    """A WPS sandbox with `size` seeded items; credentials `{"api_token"}`."""
    clock = clock or Clock()
    state = WpsState(seed, size, clock)
    faults = Faults(seed=seed)
    profile = JSONErrorProfile(
        lambda status, message: {"message": message, "status_code": status}, retry_after=None
    )
    app = assemble(
        [*catalogue_routes(state), *order_routes(state)],
        control=control_mount(
            state=state,
            faults=faults,
            clock=clock,
            settings=state.settings,
            extra=control_routes(state),
        ),
        faults=faults,
        profile=profile,
    )
    return BuiltSandbox(app=app, credentials={"api_token": state.token}, state=state, faults=faults)
