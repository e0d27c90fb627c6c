"""A local stand-in for the WPS Data Depot API v4 (catalogue, inventory, carts, orders).

Follows `shared/api/shipstation_wps_usdirect.md` section 2: bearer token auth, the
`{data, meta}` envelope, cursor pages, `filter[field][op]`, `include=`, `fields[type]=`,
per-warehouse inventory capped at a ceiling, decimal-string prices, and the cart → order
flow. Where the doc marks behaviour as assumed, the choice is a switch in `WpsSettings`.

`build()` wires the package's modules together: `state` (seeded catalogue, carts, POs),
`auth` (bearer guard, error bodies), `query` (filters, includes, cursor envelope),
`catalogue` (catalogue routes), `orders` (carts, orders) and `control` (`/_sandbox/`
routes).
"""

from __future__ import annotations

from connectors.sandboxing import BuiltSandbox, assemble
from connectors.sandboxing.clock import Clock
from connectors.sandboxing.control import control_mount
from connectors.sandboxing.faults import Faults, JSONErrorProfile
from connectors.wps.sandbox.catalogue import catalogue_routes
from connectors.wps.sandbox.control import control_routes
from connectors.wps.sandbox.orders import order_routes
from connectors.wps.sandbox.state import WpsState


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
