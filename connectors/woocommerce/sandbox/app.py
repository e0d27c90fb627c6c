"""A local stand-in for the WooCommerce REST API v3 and v2 (plus the Shipment Tracking plugin).

The same routes answer under `wc/v3` and `wc/v2`; where v2 differs it answers as v2 does
(`products.Ctx.version`): the order list's `status` is one status, not a list, and products
have no `global_unique_id`. The API key has a permission (`Settings.key_permissions`, as
WooCommerce's key settings: read, write, read_write) checked before any route runs.

`build()` returns the ASGI app, the API key it accepts and its live state. See
`docs/sandbox.md` ("WooCommerce") for what is modelled and the sources it follows.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from connectors.sandboxing import BuiltSandbox, Clock, Faults, assemble, fake_secret
from connectors.sandboxing.control import control_mount
from connectors.woocommerce.sandbox import orders, products
from connectors.woocommerce.sandbox.auth import WooAuth
from connectors.woocommerce.sandbox.control import control_routes
from connectors.woocommerce.sandbox.params import WPError, request_params, to_bool
from connectors.woocommerce.sandbox.products import Ctx
from connectors.woocommerce.sandbox.render import page_response, site_url
from connectors.woocommerce.sandbox.state import Settings, WooState

API = "/wp-json/wc/v3"
APIS = ("/wp-json/wc/v3", "/wp-json/wc/v2")
TRACKING = "/wp-json/wc-shipment-tracking/v3/orders/{oid:int}/shipment-trackings"
EDITABLE = ["POST", "PUT", "PATCH"]
PERMISSION = {
    "list": ("woocommerce_rest_cannot_view", "Sorry, you cannot list resources."),
    "view": ("woocommerce_rest_cannot_view", "Sorry, you cannot view this resource."),
    "create": ("woocommerce_rest_cannot_create", "Sorry, you are not allowed to create resources."),
    "edit": ("woocommerce_rest_cannot_edit", "Sorry, you are not allowed to edit this resource."),
    "delete": (
        "woocommerce_rest_cannot_delete",
        "Sorry, you are not allowed to delete this resource.",
    ),
    "batch": (
        "woocommerce_rest_cannot_batch",
        "Sorry, you are not allowed to batch manipulate this resource.",
    ),
}
Handler = Callable[[Ctx, Request, dict[str, Any]], Any]


class WooErrorProfile:
    """How WooCommerce hosts fail: WP's critical-error JSON, proxy HTML, JSON 429s."""

    def server_error(self, faults: Faults) -> Response:
        """A 500 from WordPress' fatal-error handler or a 502/503 page from the proxy."""
        status = faults.choice([500, 502, 503])
        if status == 500:
            return JSONResponse(
                {
                    "code": "internal_server_error",
                    "message": "<p>There has been a critical error on this website.</p>",
                    "data": {"status": 500},
                    "additional_errors": [],
                },
                500,
            )
        title = "502 Bad Gateway" if status == 502 else "503 Service Temporarily Unavailable"
        return HTMLResponse(
            f"<html><head><title>{title}</title></head><body><center><h1>"
            f"{title}</h1></center><hr><center>nginx</center></body></html>",
            status,
        )

    def too_many_requests(self) -> Response:
        """The 429 a rate-limiting host or plugin sends (WooCommerce core has none)."""
        return JSONResponse(
            {
                "code": "rate_limit_exceeded",
                "message": "Too many requests. Please wait and try again.",
                "data": {"status": 429},
            },
            429,
            headers={"Retry-After": "2"},
        )

    def unauthorized(self) -> Response:
        """A revoked key: the request is anonymous, so the permission check refuses it."""
        return WPError(*PERMISSION["list"], 401).response()


@dataclass
class WooSandbox:
    """The parts the route handlers share."""

    state: WooState
    settings: Settings
    auth: WooAuth

    def endpoint(
        self, kind: str, handler: Handler, status: int = 200
    ) -> Callable[[Request], Awaitable[Response]]:
        """Wrap `handler` in parsing, authentication and WP_Error rendering."""

        async def run(request: Request) -> Response:
            try:
                query, body = await request_params(request)
                # Like PHP's $_POST, only a form body takes part in the OAuth signature.
                form = body if "form" in request.headers.get("content-type", "") else {}
                authed = self.auth.authenticate(request, query, form, self.settings.assume_https)
                if not authed:
                    raise WPError(*PERMISSION[kind], 401)
                _check_key_permission(request.method, self.settings.key_permissions)
                params = {**query, **body, **request.path_params}
                version = "v2" if request.url.path.startswith("/wp-json/wc/v2/") else "v3"
                ctx = Ctx(self.state, self.settings, site_url(request), version)
                result = handler(ctx, request, params)
            except WPError as exc:
                return exc.response()
            if isinstance(result, Response):
                return result
            return JSONResponse(result, status_code=status)

        return run


def _check_key_permission(method: str, permissions: str) -> None:
    """WooCommerce checks the key's own permission before dispatching any request."""
    reading = method in ("GET", "HEAD")
    if method == "OPTIONS":
        return
    if reading and permissions not in ("read", "read_write"):
        raise WPError(
            "woocommerce_rest_authentication_error",
            "The API key provided does not have read permissions.",
            401,
        )
    if not reading and permissions not in ("write", "read_write"):
        raise WPError(
            "woocommerce_rest_authentication_error",
            "The API key provided does not have write permissions.",
            401,
        )


def _force(params: dict[str, Any]) -> bool:
    return bool(to_bool(params.get("force", False)))


def _routes(sb: WooSandbox) -> list[BaseRoute]:
    routes: list[BaseRoute] = []
    for api in APIS:
        routes.extend(_api_routes(sb, api))
    return [*routes, *_tracking_routes(sb)]


def _api_routes(sb: WooSandbox, api: str) -> list[BaseRoute]:
    e = sb.endpoint

    def product_list(ctx: Ctx, request: Request, p: dict[str, Any]) -> Response:
        rows, params = products.list_products(ctx, p)
        return page_response(request, rows, params, ctx.product)

    def product_get(ctx: Ctx, _: Request, p: dict[str, Any]) -> Any:
        record = ctx.state.products.get(p["pid"])
        if record is None:
            raise products.invalid_id("product")
        return ctx.product(record)

    def product_batch(ctx: Ctx, _: Request, p: dict[str, Any]) -> Any:
        return products.batch(
            p,
            lambda i: products.create_product(ctx, i),
            lambda n, i: products.update_product(ctx, n, i),
            lambda n: products.delete_product(ctx, n, True),
        )

    def variation_list(ctx: Ctx, request: Request, p: dict[str, Any]) -> Response:
        rows, params = products.list_variations(ctx, p["pid"], p)
        return page_response(request, rows, params, ctx.variation)

    def variation_batch(ctx: Ctx, _: Request, p: dict[str, Any]) -> Any:
        pid = p["pid"]
        return products.batch(
            p,
            lambda i: products.create_variation(ctx, pid, i),
            lambda n, i: products.update_variation(ctx, pid, n, i),
            lambda n: products.delete_variation(ctx, pid, n, True),
        )

    def order_list(ctx: Ctx, request: Request, p: dict[str, Any]) -> Response:
        rows, params = orders.list_orders(ctx, p)
        return page_response(request, rows, params, lambda o: orders.order_json(ctx, o))

    def notes_list(ctx: Ctx, _: Request, p: dict[str, Any]) -> Any:
        order = _order_for_notes(ctx, p["oid"])
        kind = p.get("type", "any")
        notes = [
            n
            for n in order["notes"]
            if kind == "any" or (kind == "customer") == bool(n["customer_note"])
        ]
        return [orders.note_json(ctx, order, n) for n in reversed(notes)]

    def notes_create(ctx: Ctx, _: Request, p: dict[str, Any]) -> Any:
        order = _order_for_notes(ctx, p["oid"])
        if not p.get("note"):
            raise WPError(
                "rest_missing_callback_param", "Missing parameter(s): note", 400, params=["note"]
            )
        note = orders.add_note(
            ctx,
            order,
            str(p["note"]),
            bool(to_bool(p.get("customer_note"))),
            bool(to_bool(p.get("added_by_user"))),
        )
        return orders.note_json(ctx, order, note)

    def order_one(ctx: Ctx, request: Request, p: dict[str, Any]) -> Any:
        if request.method in EDITABLE:
            return orders.update_order(ctx, p["oid"], p)
        return orders.order_json(ctx, orders.get_order(ctx, p["oid"]))

    def product_one(ctx: Ctx, request: Request, p: dict[str, Any]) -> Any:
        if request.method in EDITABLE:
            return products.update_product(ctx, p["pid"], p)
        if request.method == "DELETE":
            return products.delete_product(ctx, p["pid"], _force(p))
        return product_get(ctx, request, p)

    def variation_one(ctx: Ctx, request: Request, p: dict[str, Any]) -> Any:
        pid, vid = p["pid"], p["vid"]
        if request.method in EDITABLE:
            return products.update_variation(ctx, pid, vid, p)
        if request.method == "DELETE":
            return products.delete_variation(ctx, pid, vid, _force(p))
        return ctx.variation(products.variation_of(ctx, pid, vid))

    def by_method(view: str, write: str, handler: Handler) -> Callable[..., Any]:
        # One Starlette route per path; the permission message depends on the verb.
        async def run(request: Request) -> Response:
            kind = {"GET": view, "DELETE": "delete"}.get(request.method, write)
            status = 201 if kind == "create" else 200
            return await e(kind, handler, status)(request)

        return run

    P = f"{api}/products"
    return [
        Route(
            P,
            by_method(
                "list",
                "create",
                lambda c, r, p: (
                    product_list(c, r, p) if r.method == "GET" else products.create_product(c, p)
                ),
            ),
            methods=["GET", "POST"],
        ),
        Route(f"{P}/batch", e("batch", product_batch), methods=EDITABLE),
        Route(
            P + "/{pid:int}",
            by_method("view", "edit", product_one),
            methods=["GET", "DELETE", *EDITABLE],
        ),
        Route(
            P + "/{pid:int}/variations",
            by_method(
                "list",
                "create",
                lambda c, r, p: (
                    variation_list(c, r, p)
                    if r.method == "GET"
                    else products.create_variation(c, p["pid"], p)
                ),
            ),
            methods=["GET", "POST"],
        ),
        Route(P + "/{pid:int}/variations/batch", e("batch", variation_batch), methods=EDITABLE),
        Route(
            P + "/{pid:int}/variations/{vid:int}",
            by_method("view", "edit", variation_one),
            methods=["GET", "DELETE", *EDITABLE],
        ),
        Route(
            f"{api}/orders",
            by_method(
                "list",
                "create",
                lambda c, r, p: (
                    order_list(c, r, p) if r.method == "GET" else orders.create_order(c, p)
                ),
            ),
            methods=["GET", "POST"],
        ),
        Route(
            api + "/orders/{oid:int}",
            by_method("view", "edit", order_one),
            methods=["GET", *EDITABLE],
        ),
        Route(
            api + "/orders/{oid:int}/notes",
            by_method(
                "list",
                "create",
                lambda c, r, p: notes_list(c, r, p) if r.method == "GET" else notes_create(c, r, p),
            ),
            methods=["GET", "POST"],
        ),
    ]


def _tracking_routes(sb: WooSandbox) -> list[BaseRoute]:
    """The Shipment Tracking plugin's routes, and WordPress' answer to any other path."""
    e = sb.endpoint

    def by_method(view: str, write: str, handler: Handler) -> Callable[..., Any]:
        async def run(request: Request) -> Response:
            kind = {"GET": view, "DELETE": "delete"}.get(request.method, write)
            status = 201 if kind == "create" else 200
            return await e(kind, handler, status)(request)

        return run

    def trackings(ctx: Ctx, request: Request, p: dict[str, Any]) -> Any:
        order = _order_for_notes(ctx, p["oid"])
        if request.method == "POST":
            with ctx.state.lock:
                return orders.tracking_json(ctx, order, orders.add_tracking(ctx, order, p))
        return [orders.tracking_json(ctx, order, t) for t in order["trackings"]]

    def tracking_one(ctx: Ctx, request: Request, p: dict[str, Any]) -> Any:
        order = _order_for_notes(ctx, p["oid"])
        item = next((t for t in order["trackings"] if t["tracking_id"] == p["tid"]), None)
        if item is None:
            raise WPError(
                "woocommerce_rest_shipment_tracking_invalid_id",
                "Invalid shipment tracking ID.",
                404,
            )
        if request.method == "DELETE":
            order["trackings"].remove(item)
        return orders.tracking_json(ctx, order, item)

    return [
        Route(TRACKING, by_method("list", "create", trackings), methods=["GET", "POST"]),
        Route(
            TRACKING + "/{tid:str}",
            by_method("view", "delete", tracking_one),
            methods=["GET", "DELETE"],
        ),
        Route(
            "/wp-json/{rest:path}",
            _no_route,
            methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"],
        ),
    ]


def _order_for_notes(ctx: Ctx, oid: int) -> dict[str, Any]:
    order = ctx.state.orders.get(oid)
    if order is None:
        raise WPError("woocommerce_rest_order_invalid_id", "Invalid order ID.", 404)
    return order


async def _no_route(request: Request) -> Response:
    return WPError(
        "rest_no_route", "No route was found matching the URL and request method.", 404
    ).response()


def build(seed: int = 1, size: int = 2000, *, clock: Clock | None = None) -> BuiltSandbox:
    """Build a WooCommerce sandbox with `size` seeded products (about a quarter variable)."""
    clock = clock or Clock()
    state = WooState(seed=seed, size=size, clock=clock)
    state.reseed(seed, size)
    settings = Settings()
    credentials = {
        "consumer_key": "ck_" + fake_secret("woocommerce", seed, "consumer_key", 40),
        "consumer_secret": "cs_" + fake_secret("woocommerce", seed, "consumer_secret", 40),
    }
    auth = WooAuth(credentials["consumer_key"], credentials["consumer_secret"], clock)
    sb = WooSandbox(state, settings, auth)
    faults = Faults(seed=seed)
    control = control_mount(
        state=state,
        faults=faults,
        clock=clock,
        settings=settings,
        extra=control_routes(state, settings),
    )
    app = assemble(_routes(sb), control=control, faults=faults, profile=WooErrorProfile())
    return BuiltSandbox(app=app, credentials=credentials, state=state, faults=faults)
