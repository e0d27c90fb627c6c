"""A local stand-in for ShipStation API v1 (ssapi.shipstation.com).

Follows `shared/api/shipstation_wps_usdirect.md` section 1: Basic key:secret auth, 40
requests per minute per key pair with `X-Rate-Limit-*` headers on every response, page
numbers with `{<collection>, total, page, pages}`, orders (filters, listbytag, assignuser,
addtag, markasshipped → a fulfillment, createorder(s) upsert), label shipments (partial,
voided) and products. Timestamps are US Pacific local time without an offset, as V1 sends.

`build()` wires the package's modules together: `records` (V1 JSON shapes, Pacific
times), `state` (seeded data), `auth` (Basic auth, error and rate-limit bodies), `query`
(paging, filters, sorts), `orders`, `shipments`, `catalogue` (products, users, tags,
stores) and `control` (`/_sandbox/`).
"""

from __future__ import annotations

from starlette.types import Scope

from connectors.sandboxing import BuiltSandbox, assemble
from connectors.sandboxing.clock import Clock
from connectors.sandboxing.control import control_mount
from connectors.sandboxing.faults import Faults
from connectors.sandboxing.ratelimit import FixedWindowLimiter, RateLimitMiddleware
from connectors.shipstation.sandbox.auth import ShipStationErrors, authed, basic_pair
from connectors.shipstation.sandbox.catalogue import catalogue_routes
from connectors.shipstation.sandbox.control import control_routes
from connectors.shipstation.sandbox.orders import order_routes
from connectors.shipstation.sandbox.shipments import shipment_routes
from connectors.shipstation.sandbox.state import ShipStationState


def build(seed: int = 1, size: int = 2000, *, clock: Clock | None = None) -> BuiltSandbox:
    """A ShipStation sandbox: `size` products; credentials `{"api_key", "api_secret"}`."""
    clock = clock or Clock()
    state = ShipStationState(seed, size, clock)
    faults = Faults(seed=seed)
    limiter = FixedWindowLimiter(state.settings.rate_limit, 60, clock)
    errors = ShipStationErrors(state, limiter)
    guard = authed(state, errors)

    def pair_key(scope: Scope) -> str | None:
        limiter.limit = state.settings.rate_limit  # follow PUT /_sandbox/settings
        pair = basic_pair(scope)
        return f"{pair[0]}:{pair[1]}" if pair == (state.api_key, state.api_secret) else None

    app = assemble(
        [
            *order_routes(state, guard),
            *shipment_routes(state, guard),
            *catalogue_routes(state, guard),
        ],
        control=control_mount(
            state=state,
            faults=faults,
            clock=clock,
            limiters=[limiter],
            settings=state.settings,
            extra=control_routes(state),
        ),
        faults=faults,
        profile=errors,
        middleware=[
            lambda inner: RateLimitMiddleware(
                inner, limiter, pair_key, errors.limited, errors.rate_headers
            )
        ],
    )
    credentials = {"api_key": state.api_key, "api_secret": state.api_secret}
    return BuiltSandbox(app=app, credentials=credentials, state=state, faults=faults)
