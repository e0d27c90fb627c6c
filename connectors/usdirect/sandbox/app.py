"""A local stand-in for US Direct, following the ALL-ASSUMED contract of section 3.3.

No US Direct API reference is public (`shared/api/shipstation_wps_usdirect.md` §3.2), so
this sandbox pins down the proposed minimal contract: a streamed CSV inventory feed at a
token-bearing URL (plus a secondary feed), orders keyed by PO (duplicate → 409), status
pending_authorization → authorized → shipped (or cancelled), shipments (partial, voided,
`since`, status, shipping code), invoices once shipped (with `X-RESELLER-TOKEN`),
`X-API-TOKEN` (or Bearer) auth and 2 requests/second. `USDirectSettings` switches the
assumed behaviour and the feed's faults (slow, malformed rows, no secondary feed);
`PUT /_sandbox/feed` dates the feed back (stale).

`build()` wires the package's modules together: `state` (seeded feeds, orders,
shipments), `api` (auth, feeds, orders, shipments, invoices) and `control` (`/_sandbox/`).
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.types import Scope

from connectors.sandboxing import BASE_URL_PLACEHOLDER, BuiltSandbox, assemble
from connectors.sandboxing.clock import Clock
from connectors.sandboxing.control import control_mount
from connectors.sandboxing.faults import Faults, JSONErrorProfile
from connectors.sandboxing.ratelimit import FixedWindowLimiter, RateLimitMiddleware, WindowStatus
from connectors.usdirect.sandbox.api import api_routes, error, token_of
from connectors.usdirect.sandbox.control import control_routes
from connectors.usdirect.sandbox.state import USDirectState


def build(seed: int = 1, size: int = 2000, *, clock: Clock | None = None) -> BuiltSandbox:
    """A US Direct sandbox; credentials `{"api_token", "reseller_token", "feed_url",
    "secondary_feed_url"}`."""
    clock = clock or Clock()
    state = USDirectState(seed, size, clock)
    faults = Faults(seed=seed)
    limiter = FixedWindowLimiter(state.settings.requests_per_second, 1, clock)
    codes = {401: "unauthorized", 429: "rate_limited"}
    profile = JSONErrorProfile(
        lambda status, message: {"error": codes.get(status, "server_error"), "message": message},
        retry_after=1,
    )

    def key(scope: Scope) -> str | None:
        limiter.limit = state.settings.requests_per_second  # follow /_sandbox/settings
        if token_of(scope) == state.token:
            return state.token
        return state.feed_token if state.feed_token in scope["path"] else None

    def limited(status: WindowStatus) -> Response:
        per_second = state.settings.requests_per_second
        return error(
            429,
            "rate_limited",
            f"{per_second} requests per second per token",
            headers={"Retry-After": str(status.reset_seconds)},
        )

    app = assemble(
        api_routes(state),
        control=control_mount(
            state=state,
            faults=faults,
            clock=clock,
            limiters=[limiter],
            settings=state.settings,
            extra=control_routes(state),
        ),
        faults=faults,
        profile=profile,
        middleware=[lambda inner: RateLimitMiddleware(inner, limiter, key, limited)],
    )
    feeds = f"{BASE_URL_PLACEHOLDER}/feeds/{state.feed_token}"
    credentials = {
        "api_token": state.token,
        "reseller_token": state.reseller_token,
        "feed_url": f"{feeds}/inventory.csv",
        "secondary_feed_url": f"{feeds}/inventory-secondary.csv",
    }
    return BuiltSandbox(app=app, credentials=credentials, state=state, faults=faults)
