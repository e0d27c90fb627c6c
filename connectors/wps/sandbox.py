"""A local stand-in for the WPS Data Depot API v4 (catalogue, inventory, carts, orders).

Follows `shared/api/shipstation_wps_usdirect.md` section 2: bearer token auth, the
`{data, meta}` envelope, cursor pages, `filter[field][op]`, `include=`, `fields[type]=`,
per-warehouse inventory capped at a ceiling, decimal-string prices, and the cart → order
flow. Where the doc marks behaviour as assumed, the choice is a switch in `WpsSettings`.
"""

from __future__ import annotations

import bisect
import itertools
import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from connectors.sandboxing import BuiltSandbox, assemble, fake_secret
from connectors.sandboxing.clock import Clock
from connectors.sandboxing.control import ControlError, control_endpoint, control_mount, json_object
from connectors.sandboxing.faults import Faults, JSONErrorProfile
from connectors.sandboxing.paging import InvalidCursor, cursor_page
from connectors.sandboxing.seeding import paused_gc

WAREHOUSES = ("ca", "ga", "id", "in", "pa", "pa2", "tx")
CART_WAREHOUSES = ("CA", "GA", "ID", "IN", "PA", "TX")
SHIP_VIA = ("AH2D", "BEST", "FE1D", "FE2D", "UP1D", "UP2D", "US1C", "US4C", "FDXG")
STATUSES = ("STK", "NEW", "DIR", "SPEC", "CLO", "PRE", "NA", "NLA", "DSC")
STATUS_WEIGHTS = (70, 8, 5, 3, 4, 2, 3, 3, 2)
UNORDERABLE = frozenset({"NA", "NLA", "DSC"})
SIZES = ("XS", "S", "M", "L", "XL", "2XL")
COLOURS = ("Black", "Red", "Blue", "White", "Hi-Vis Yellow")
NOUNS = ("Jersey", "Glove", "Helmet", "Boot", "Pant", "Jacket", "Brake Pad", "Chain", "Filter")
BRANDS = ("Fly Racing", "EBC", "Hiflofiltro", "Tusk", "Answer", "Moose", "Pro Taper", "DID")
PRICE_FIELDS = frozenset({"list_price", "standard_dealer_price", "mapp_price", "drop_ship_fee"})
CART_LIMITS = {
    "ship_name": 30,
    "ship_address1": 30,
    "ship_address2": 30,
    "ship_address3": 30,
    "ship_city": 17,
    "ship_state": 2,
    "ship_zip": 15,
    "ship_phone": 15,
    "email": 50,
    "comment1": 50,
    "comment2": 50,
    "description": 50,
    "ship_to": 7,
}
CART_BOOLS = ("allow_backorder", "hold_order", "multiple_warehouse", "proof_of_delivery")
TS = "%Y-%m-%d %H:%M:%S"


@dataclass
class WpsSettings:
    """Switches for behaviour the contract marks as assumed or conflicting."""

    duplicate_po: str = "reject"  # "reject": any reuse of a PO is a 422; "allow": WPS's doc
    inventory_cap: int = 25  # the doc says 9, a 2026 client says 25
    default_page_size: int = 10
    max_page_size: int = 10000


@dataclass
class Cart:
    """An open cart, keyed by PO number."""

    po_number: str
    cart_number: str
    fields: dict[str, Any]
    lines: dict[str, int] = field(default_factory=dict)  # sku -> quantity


class WpsState:
    """Seeded catalogue plus carts and POs, with the indexes the endpoints page through."""

    def __init__(self, seed: int, size: int, clock: Clock) -> None:
        self.clock = clock
        self.settings = WpsSettings()
        # Tokens come from the build seed and survive /_sandbox/seed, so a connection made
        # from describe() keeps working after a test reseeds the catalogue.
        self.token = fake_secret("wps", seed, "token", 40)
        # Valid but without order-processing permission: the doc's 403 case.
        self.restricted_token = fake_secret("wps", seed, "restricted", 40)
        self.reseed(seed, size)

    def reseed(self, seed: int, size: int) -> None:
        """Regenerate everything from `seed`: `size` items grouped into products."""
        self.seed, self.size = seed, size
        self.items: dict[int, dict[str, Any]] = {}
        self.item_ids: list[int] = []
        self.sku_index: dict[str, int] = {}
        self.item_attrs: dict[int, tuple[int, ...]] = {}
        self.products: dict[int, dict[str, Any]] = {}
        self.product_ids: list[int] = []
        self.product_items: dict[int, list[int]] = {}
        self.stock: dict[int, list[int]] = {}
        self.inventory_updated: dict[int, str] = {}
        self.carts: dict[str, Cart] = {}
        self.orders: dict[str, dict[str, Any]] = {}
        self.order_seq = 0
        self.brands = {
            i + 1: {"id": i + 1, "name": name, "created_at": None, "updated_at": None}
            for i, name in enumerate(BRANDS)
        }
        self.attributekeys = {
            1: {"id": 1, "name": "Size"},
            2: {"id": 2, "name": "Color"},
        }
        self.attributevalues: dict[int, dict[str, Any]] = {}
        for key_id, names in ((1, SIZES), (2, COLOURS)):
            for sort, name in enumerate(names):
                value_id = len(self.attributevalues) + 1
                self.attributevalues[value_id] = {
                    "id": value_id,
                    "attributekey_id": key_id,
                    "name": name,
                    "sort": sort,
                }
        with paused_gc():
            _generate(self, random.Random(seed), size)

    # -- stock -------------------------------------------------------------------------

    def inventory(self, item_id: int) -> dict[str, Any]:
        """The inventory record as the API shows it: capped per warehouse."""
        cap = self.settings.inventory_cap
        item = self.items[item_id]
        record: dict[str, Any] = {"id": item_id, "item_id": item_id, "sku": item["sku"]}
        total = 0
        for code, qty in zip(WAREHOUSES, self.stock[item_id], strict=True):
            shown = min(qty, cap)
            record[f"{code}_warehouse"] = shown
            total += shown
        record["total"] = total
        record["created_at"] = item["created_at"]
        record["updated_at"] = self.inventory_updated[item_id]
        return record

    def touch(self, item_id: int, *, stock: bool = False) -> None:
        """Stamp a change so `filter[updated_at][gt]` finds it."""
        now = self.clock.now().strftime(TS)
        self.items[item_id]["updated_at"] = now
        if stock:
            self.inventory_updated[item_id] = now

    def delete_item(self, item_id: int) -> None:
        """Remove an item everywhere (ids stay in the ordered list; pages skip them)."""
        item = self.items.pop(item_id)
        del self.sku_index[item["sku"]]
        self.product_items[item["product_id"]].remove(item_id)

    def next_order_number(self) -> str:
        """WPS order numbers are numeric strings."""
        self.order_seq += 1
        return str(5_000_000 + self.order_seq)


def _generate(state: WpsState, rng: random.Random, size: int) -> None:
    """Seed `size` items: ~40% stand-alone, the rest size/colour variants of a product.

    Written for speed (100k items in about a second): one `random()` per decision and
    timestamps formatted once per product.
    """
    r = rng.random
    status_cdf = list(itertools.accumulate(STATUS_WEIGHTS))
    status_total = status_cdf[-1]
    labels = {v: (a["name"], a["name"][:2].upper()) for v, a in state.attributevalues.items()}
    base = state.clock.now()
    item_id = 0
    product_id = 0
    while item_id < size:
        product_id += 1
        brand_id = 1 + int(r() * len(BRANDS))
        noun = NOUNS[int(r() * len(NOUNS))]
        name = f"{BRANDS[brand_id - 1]} {noun} {product_id}"
        created_at = base - timedelta(days=30 + int(r() * 870), seconds=int(r() * 86400))
        created = created_at.strftime(TS)
        updated = (created_at + timedelta(days=int(r() * 30))).strftime(TS)
        if r() < 0.4:
            combos: list[tuple[int, ...]] = [()]
        else:
            sizes = sorted(rng.sample(range(1, len(SIZES) + 1), 2 + int(r() * 3)))
            colours = rng.sample(range(7, 7 + len(COLOURS)), 1 + int(r() * 2))
            combos = [(s, c) for c in colours for s in sizes]
        combos = combos[: size - item_id]
        state.products[product_id] = {
            "id": product_id,
            "designation_id": None,
            "name": name,
            "alternate_name": None,
            "care_instructions": None,
            "description": f"{name}. Seeded sandbox product.",
            "sort": 0,
            "image_360_id": None,
            "image_360_preview_id": None,
            "size_chart_id": None,
            "created_at": created,
            "updated_at": updated,
        }
        state.product_ids.append(product_id)
        members = state.product_items[product_id] = []
        cents = 999 + int(r() * 49000)
        list_price = f"{cents / 100:.2f}"
        dealer = f"{cents * 0.68 / 100:.2f}"
        mapp = f"{cents * 0.95 / 100:.2f}"
        # Fields shared by the product's variants; each item copies and fills the rest.
        template = {
            "id": 0,
            "brand_id": brand_id,
            "country_id": None,
            "product_id": product_id,
            "sku": "",
            "name": name,
            "list_price": list_price,
            "standard_dealer_price": dealer,
            "mapp_price": "0.00",
            "has_map_policy": False,
            "supplier_product_id": "",
            "length": 0,
            "width": 0,
            "height": 0,
            "weight": 0.0,
            "upc": None,
            "superseded_sku": None,
            "status_id": "STK",
            "status": "STK",
            "unit_of_measurement_id": 12,
            "sort": 0,
            "product_type": noun,
            "carb": None,
            "propd1": None,
            "propd2": None,
            "prop_65_code": None,
            "prop_65_detail": None,
            "drop_ship_fee": "0.00",
            "drop_ship_eligible": True,
            "created_at": created,
            "updated_at": updated,
            "published_at": created,
        }
        for combo in combos:
            item_id += 1
            sku = f"{10 + brand_id}-{item_id:06d}" + "".join(labels[v][1] for v in combo)
            status = STATUSES[bisect.bisect_right(status_cdf, r() * status_total)]
            item = dict(template)
            item["id"] = item_id
            item["sku"] = sku
            if combo:
                item["name"] = f"{name} " + " ".join(labels[v][0] for v in combo)
            if r() < 0.3:
                item["has_map_policy"] = True
                item["mapp_price"] = mapp
            item["supplier_product_id"] = f"SP{item_id:07d}"
            item["country_id"] = 1 if r() < 0.7 else None
            item["length"] = 2 + int(r() * 28)
            item["width"] = 2 + int(r() * 18)
            item["height"] = 1 + int(r() * 11)
            item["weight"] = round(0.1 + r() * 15, 2)
            if r() < 0.9:
                item["upc"] = str(100_000_000_000 + int(r() * 899_999_999_999))
            item["status_id"] = item["status"] = status
            if r() >= 0.8:
                item["drop_ship_fee"] = "5.00"
            item["drop_ship_eligible"] = r() < 0.9
            state.items[item_id] = item
            state.item_ids.append(item_id)
            state.sku_index[sku] = item_id
            state.item_attrs[item_id] = combo
            members.append(item_id)
            if status not in UNORDERABLE and r() < 0.85:
                state.stock[item_id] = [int(r() * 41) if r() < 0.5 else 0 for _ in WAREHOUSES]
            else:
                state.stock[item_id] = [0] * len(WAREHOUSES)
            state.inventory_updated[item_id] = updated


# -- errors and auth ---------------------------------------------------------------------


def error(status: int, message: str, errors: dict[str, list[str]] | None = None) -> JSONResponse:
    """The Laravel/Dingo-style error body the doc assumes: `{message, status_code[, errors]}`."""
    body: dict[str, Any] = {"message": message, "status_code": status}
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status)


def invalid(errors: dict[str, list[str]]) -> JSONResponse:
    """A 422 validation failure with per-field messages."""
    return error(422, "The given data was invalid.", errors)


Handler = Callable[[Request], Any]


def guarded(state: WpsState, *, orders: bool = False) -> Callable[[Handler], Handler]:
    """Require the bearer token; order processing also refuses the restricted token (403)."""

    def wrap(fn: Handler) -> Handler:
        async def endpoint(request: Request) -> Response:
            header = request.headers.get("authorization", "")
            token = header[len("Bearer ") :] if header.startswith("Bearer ") else None
            if token not in (state.token, state.restricted_token):
                return error(401, "Unauthenticated.")
            if orders and token == state.restricted_token:
                return error(403, "This action is unauthorized.")
            try:
                result: Response = await fn(request)
            except QueryError as exc:
                return error(400, str(exc))
            return result

        return endpoint

    return wrap


class QueryError(Exception):
    """A bad query parameter; answered with 400."""


# -- filters, includes, sparse fields ------------------------------------------------------

FILTER_KEY = re.compile(r"filter\[(\w+)\](?:\[(\w+)\])?")
OPS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
    "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "ge": lambda a, b: a >= b,
}

Filter = tuple[str, str, str]  # field, op, raw value


def parse_filters(request: Request, known: Iterable[str]) -> list[Filter]:
    """`filter[field]=v` and `filter[field][op]=v`; unknown fields or ops are a 400."""
    names = set(known)
    out: list[Filter] = []
    for key, value in request.query_params.multi_items():
        if not key.startswith("filter["):
            continue
        match = FILTER_KEY.fullmatch(key)
        if match is None:
            raise QueryError(f"Malformed filter {key!r}.")
        name, op = match.group(1), match.group(2) or "eq"
        if name not in names:
            raise QueryError(f"Unknown filter field {name!r}.")
        if op not in OPS and op != "pre":
            raise QueryError(f"Unknown filter operator {op!r}.")
        out.append((name, op, value))
    return out


def _coerce(name: str, sample: Any, raw: str) -> Any:
    """Read `raw` as the type of the field it is compared with."""
    try:
        if isinstance(sample, bool):
            return raw.lower() in ("1", "true", "yes")
        if isinstance(sample, int | float):
            return float(raw)
        if name in PRICE_FIELDS:
            return Decimal(raw)
    except (ValueError, InvalidOperation) as exc:
        raise QueryError(f"Filter value {raw!r} for {name!r} is not a number.") from exc
    if name.endswith("_at") and len(raw) == 10:
        return raw + " 00:00:00"  # a bare date means its midnight
    return raw


def matcher(filters: list[Filter]) -> Callable[[dict[str, Any]], bool]:
    """A predicate applying every filter to one record."""

    def matches(record: dict[str, Any]) -> bool:
        for name, op, raw in filters:
            value = record.get(name)
            if op == "pre":
                if value is None or not str(value).startswith(raw):
                    return False
                continue
            if value is None:
                if not (op == "eq" and raw in ("", "null")) and op != "ne":
                    return False
                continue
            wanted = _coerce(name, value, raw)
            if name in PRICE_FIELDS:
                value = Decimal(value)
            if not OPS[op](value, wanted):
                return False
        return True

    return matches


def includes(request: Request) -> set[str]:
    """`include=a,b.c` as a set of dotted paths."""
    raw = request.query_params.get("include", "")
    paths: set[str] = set()
    for part in raw.split(","):
        steps = part.strip().split(".")
        # `items.inventory` implies `items`, as in Fractal.
        paths.update(".".join(steps[: i + 1]) for i in range(len(steps)) if steps[i])
    return paths


def nested(paths: set[str], prefix: str) -> set[str]:
    """The include paths under `prefix.` (e.g. `items.images` → `images` for items)."""
    cut = len(prefix) + 1
    return {p[cut:] for p in paths if p.startswith(prefix + ".")}


def sparse(request: Request, kind: str, record: dict[str, Any]) -> dict[str, Any]:
    """Apply `fields[kind]=a,b` to a rendered record (includes are kept)."""
    raw = request.query_params.get(f"fields[{kind}]")
    if not raw:
        return record
    keep = {f.strip() for f in raw.split(",")}
    return {k: v for k, v in record.items() if k in keep or isinstance(v, dict)}


def page_size(request: Request, settings: WpsSettings) -> int:
    """`page[size]`, defaulting to 10 and clamped to the configured maximum."""
    raw = request.query_params.get("page[size]")
    if raw is None:
        return settings.default_page_size
    if not raw.isdigit() or int(raw) < 1:
        raise QueryError("page[size] must be a positive whole number.")
    return min(int(raw), settings.max_page_size)


# -- rendering -----------------------------------------------------------------------------


class Renderer:
    """Builds API JSON for items, products and inventory with nested includes."""

    def __init__(self, state: WpsState, request: Request) -> None:
        self.state = state
        self.request = request

    def image(self, item_id: int) -> dict[str, Any]:
        sku = self.state.items[item_id]["sku"]
        return {
            "id": item_id,
            "domain": "cdn.wpsstatic.com",
            "path": f"images/{item_id % 97:02d}/",
            "filename": f"{sku}.jpg",
            "alt": None,
            "mime": "image/jpeg",
            "width": 1000,
            "height": 1000,
            "size": 48213,
            "signature": f"{item_id:040x}",
            "created_at": self.state.items[item_id]["created_at"],
            "updated_at": self.state.items[item_id]["created_at"],
        }

    def item(self, item_id: int, paths: set[str]) -> dict[str, Any]:
        state = self.state
        record = sparse(self.request, "items", dict(state.items[item_id]))
        if "inventory" in paths:
            record["inventory"] = {"data": state.inventory(item_id)}
        if "images" in paths:
            record["images"] = {"data": [self.image(item_id)]}
        if "attributevalues" in paths:
            values = [state.attributevalues[v] for v in state.item_attrs[item_id]]
            record["attributevalues"] = {"data": values}
        if "product" in paths:
            product_id = state.items[item_id]["product_id"]
            record["product"] = {"data": self.product(product_id, nested(paths, "product"))}
        if "brand" in paths:
            record["brand"] = {"data": state.brands[state.items[item_id]["brand_id"]]}
        return record

    def product(self, product_id: int, paths: set[str]) -> dict[str, Any]:
        state = self.state
        record = sparse(self.request, "products", dict(state.products[product_id]))
        item_ids = state.product_items[product_id]
        if "items" in paths:
            sub = nested(paths, "items")
            record["items"] = {"data": [self.item(i, sub) for i in item_ids]}
        if "images" in paths:
            record["images"] = {"data": [self.image(i) for i in item_ids[:1]]}
        if "attributekeys" in paths:
            keys = sorted(
                {
                    state.attributevalues[v]["attributekey_id"]
                    for i in item_ids
                    for v in state.item_attrs[i]
                }
            )
            record["attributekeys"] = {"data": [state.attributekeys[k] for k in keys]}
        return record

    def inventory(self, item_id: int, paths: set[str]) -> dict[str, Any]:
        record = sparse(self.request, "inventory", self.state.inventory(item_id))
        if "item" in paths:
            record["item"] = {"data": self.item(item_id, nested(paths, "item"))}
        return record


def parse_ids(raw: str) -> list[int] | None:
    """`12` or `12,13,14` as ids, or None when it is not an id list."""
    parts = raw.split(",")
    if not all(p.isdigit() for p in parts):
        return None
    return [int(p) for p in parts]


def envelope_page(
    request: Request,
    state: WpsState,
    resource: str,
    ids: list[int],
    record_of: Callable[[int], dict[str, Any] | None],
    render: Callable[[int], dict[str, Any]],
    narrow: Callable[[list[Filter]], list[int] | None] | None = None,
) -> Response:
    """A cursor page of `{data, meta: {cursor}}` over ascending `ids`.

    `record_of` returns the filterable record (None for a deleted id); `narrow` may swap
    the id list for an index hit so an `eq` lookup never scans the catalogue.
    """
    sample = record_of(ids[0]) if ids else None
    filters = parse_filters(request, sample.keys() if sample else ())
    match_filters = matcher(filters)
    if narrow is not None:
        narrowed = narrow(filters)
        ids = ids if narrowed is None else narrowed

    def matches(record_id: int) -> bool:
        record = record_of(record_id)
        return record is not None and match_filters(record)

    try:
        page = cursor_page(
            resource,
            ids,
            matches,
            page_size(request, state.settings),
            request.query_params.get("page[cursor]") or None,
        )
    except InvalidCursor:
        return error(400, "The cursor is invalid.")
    cursor = {"current": page.current, "prev": page.prev, "next": page.next, "count": len(page.ids)}
    return JSONResponse({"data": [render(i) for i in page.ids], "meta": {"cursor": cursor}})


def one_or_many(
    raw: str, records: dict[int, Any], render: Callable[[int], dict[str, Any]], noun: str
) -> Response:
    """`/x/{id}` → `{data: {...}}` (404 if missing); `/x/1,2,3` → `{data: [...]}` of found ids."""
    ids = parse_ids(raw)
    if ids is None:
        return error(404, f"{noun} not found.")
    if len(ids) == 1:
        if ids[0] not in records:
            return error(404, f"{noun} not found.")
        return JSONResponse({"data": render(ids[0])})
    return JSONResponse({"data": [render(i) for i in ids if i in records]})


# -- catalogue endpoints ---------------------------------------------------------------------


def narrow_items(state: WpsState, filters: list[Filter]) -> list[int] | None:
    """Use an index instead of a scan when an `eq` filter pins sku, id or product."""
    for name, op, raw in filters:
        if op != "eq":
            continue
        if name == "sku":
            found = state.sku_index.get(raw)
            return [] if found is None else [found]
        if name in ("id", "item_id") and raw.isdigit():
            return [int(raw)]
        if name == "product_id" and raw.isdigit():
            return list(state.product_items.get(int(raw), []))
    return None


def catalogue_routes(state: WpsState) -> list[BaseRoute]:
    """Items, products, inventory, brands and attributes."""

    def narrow(filters: list[Filter]) -> list[int] | None:
        return narrow_items(state, filters)

    def inventory_of(item_id: int) -> dict[str, Any] | None:
        return state.inventory(item_id) if item_id in state.items else None

    @guarded(state)
    async def list_items(request: Request) -> Response:
        r, paths = Renderer(state, request), includes(request)
        return envelope_page(
            request,
            state,
            "items",
            state.item_ids,
            state.items.get,
            lambda i: r.item(i, paths),
            narrow,
        )

    @guarded(state)
    async def list_products(request: Request) -> Response:
        r, paths = Renderer(state, request), includes(request)
        return envelope_page(
            request,
            state,
            "products",
            state.product_ids,
            state.products.get,
            lambda i: r.product(i, paths),
        )

    @guarded(state)
    async def list_inventory(request: Request) -> Response:
        r, paths = Renderer(state, request), includes(request)
        return envelope_page(
            request,
            state,
            "inventory",
            state.item_ids,
            inventory_of,
            lambda i: r.inventory(i, paths),
            narrow,
        )

    def small_table(resource: str) -> Handler:
        @guarded(state)
        async def handler(request: Request) -> Response:
            table: dict[int, dict[str, Any]] = getattr(state, resource)  # replaced on reseed
            return envelope_page(request, state, resource, sorted(table), table.get, table.get)

        return handler

    @guarded(state)
    async def one_item(request: Request) -> Response:
        r, paths = Renderer(state, request), includes(request)
        return one_or_many(
            request.path_params["ids"], state.items, lambda i: r.item(i, paths), "Item"
        )

    @guarded(state)
    async def one_product(request: Request) -> Response:
        r, paths = Renderer(state, request), includes(request)
        return one_or_many(
            request.path_params["ids"], state.products, lambda i: r.product(i, paths), "Product"
        )

    @guarded(state)
    async def one_inventory(request: Request) -> Response:
        r, paths = Renderer(state, request), includes(request)
        return one_or_many(
            request.path_params["ids"], state.items, lambda i: r.inventory(i, paths), "Inventory"
        )

    @guarded(state)
    async def one_brand(request: Request) -> Response:
        return one_or_many(
            request.path_params["ids"], state.brands, state.brands.__getitem__, "Brand"
        )

    @guarded(state)
    async def item_sub(request: Request) -> Response:
        item_id = request.path_params["id"]
        if item_id not in state.items:
            return error(404, "Item not found.")
        renderer = Renderer(state, request)
        sub = request.path_params["sub"]
        if sub == "images":
            return JSONResponse({"data": [renderer.image(item_id)]})
        if sub == "attributevalues":
            values = [state.attributevalues[v] for v in state.item_attrs[item_id]]
            return JSONResponse({"data": values})
        if sub == "inventory":
            return JSONResponse({"data": state.inventory(item_id)})
        if sub == "product":
            product_id = state.items[item_id]["product_id"]
            return JSONResponse({"data": renderer.product(product_id, includes(request))})
        return error(404, "Not found.")

    @guarded(state)
    async def product_items(request: Request) -> Response:
        product_id = request.path_params["id"]
        if product_id not in state.products:
            return error(404, "Product not found.")
        r, paths = Renderer(state, request), includes(request)
        return envelope_page(
            request,
            state,
            "items",
            state.product_items[product_id],
            state.items.get,
            lambda i: r.item(i, paths),
        )

    return [
        Route("/items", list_items),
        Route("/items/{id:int}/{sub:str}", item_sub),
        Route("/items/{ids}", one_item),
        Route("/products", list_products),
        Route("/products/{id:int}/items", product_items),
        Route("/products/{ids}", one_product),
        Route("/inventory", list_inventory),
        Route("/inventory/{ids}", one_inventory),
        Route("/brands", small_table("brands")),
        Route("/brands/{ids}", one_brand),
        Route("/attributekeys", small_table("attributekeys")),
        Route("/attributevalues", small_table("attributevalues")),
    ]


# -- carts and orders ------------------------------------------------------------------------


def validate_cart(body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Check a POST /carts body against the documented limits; returns (fields, errors)."""
    errors: dict[str, list[str]] = {}
    po = body.get("po_number")
    if not isinstance(po, str) or not po.strip():
        errors["po_number"] = ["The po number field is required."]
    for name, limit in CART_LIMITS.items():
        value = body.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            errors[name] = [f"The {name.replace('_', ' ')} must be a string."]
        elif len(value) > limit:
            label = name.replace("_", " ")
            errors[name] = [f"The {label} may not be greater than {limit} characters."]
    for name in ("ship_via", "cross_ship_via"):
        if name in body and body[name] not in SHIP_VIA:
            errors[name] = [f"The selected {name.replace('_', ' ')} is invalid."]
    if "default_warehouse" in body and body["default_warehouse"] not in CART_WAREHOUSES:
        errors["default_warehouse"] = ["The selected default warehouse is invalid."]
    if "pay_type" in body and body["pay_type"] not in ("CC", "OO"):
        errors["pay_type"] = ["The selected pay type is invalid."]
    for name in CART_BOOLS:
        if name in body and not isinstance(body[name], bool):
            errors[name] = [f"The {name.replace('_', ' ')} field must be true or false."]
    return body, errors


async def request_json(request: Request) -> dict[str, Any] | None:
    """The JSON object body, or None when it is missing or not an object."""
    try:
        body = await request.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def allocate(state: WpsState, cart: Cart) -> list[dict[str, Any]]:
    """Turn a cart into order details: one per warehouse used, plus one for backorders."""
    fields = cart.fields
    default = fields.get("default_warehouse") or "CA"
    order = [default] + [w for w in CART_WAREHOUSES if w != default]
    if not fields.get("multiple_warehouse"):
        order = order[:1]
    per_wh: dict[str, list[dict[str, Any]]] = {}
    backordered: list[dict[str, Any]] = []
    for sku, quantity in cart.lines.items():
        item_id = state.sku_index.get(sku)
        price = state.items[item_id]["standard_dealer_price"] if item_id else "0.00"
        remaining = quantity
        for wh in order:
            if item_id is None or remaining == 0:
                break
            slot = WAREHOUSES.index(wh.lower())
            take = min(remaining, state.stock[item_id][slot])
            if take:
                state.stock[item_id][slot] -= take
                state.touch(item_id, stock=True)
                per_wh.setdefault(wh, []).append(_line(sku, take, 0, price))
                remaining -= take
        if remaining:
            backordered.append(_line(sku, remaining, remaining, price))
    today = state.clock.now().strftime("%Y-%m-%d")
    ship_via = fields.get("ship_via", "BEST")
    details = [_detail(state, wh, lines, "OPEN", today, ship_via) for wh, lines in per_wh.items()]
    if backordered:
        details.append(_detail(state, default, backordered, "BACKORDERED", today, ship_via))
    return details


def _line(sku: str, quantity: int, backordered: int, price: str) -> dict[str, Any]:
    return {
        "sku": sku,
        "quantity": quantity,
        "quantity_shipped": 0,
        "quantity_backordered": backordered,
        "price": price,
    }


def _detail(
    state: WpsState, warehouse: str, lines: list[dict[str, Any]], status: str, day: str, via: str
) -> dict[str, Any]:
    total = sum(Decimal(line["price"]) * line["quantity"] for line in lines)
    return {
        "order_number": state.next_order_number(),
        "order_status": status,
        "invoice_number": None,
        "freight": 0.0,
        "misc_charges": 0.0,
        "order_total": float(total),
        "warehouse": warehouse,
        "order_date": day,
        "ship_date": None,
        "invoice_date": None,
        "ship_via": via,
        "tracking_numbers": [],
        "items": lines,
    }


def order_routes(state: WpsState) -> list[BaseRoute]:
    """Carts, cart items, order submission and PO status."""

    @guarded(state, orders=True)
    async def create_cart(request: Request) -> Response:
        body = await request_json(request)
        if body is None:
            return invalid({"po_number": ["The po number field is required."]})
        fields, errors = validate_cart(body)
        po = fields.get("po_number")
        if not errors and (
            po in state.carts or (po in state.orders and state.settings.duplicate_po == "reject")
        ):
            errors["po_number"] = ["The po number has already been taken."]
        if errors:
            return invalid(errors)
        cart = Cart(
            po_number=po,
            cart_number=f"C{len(state.carts) + state.order_seq + 1:07d}",
            fields=fields,
        )
        state.carts[po] = cart
        return JSONResponse({"data": cart_json(cart)})

    @guarded(state, orders=True)
    async def show_cart(request: Request) -> Response:
        cart = state.carts.get(request.path_params["po"])
        if cart is None:
            return error(404, "Cart not found.")
        return JSONResponse({"data": cart_json(cart)})

    @guarded(state, orders=True)
    async def delete_cart(request: Request) -> Response:
        if state.carts.pop(request.path_params["po"], None) is None:
            return error(404, "Cart not found.")
        return Response(status_code=204)

    @guarded(state, orders=True)
    async def add_cart_item(request: Request) -> Response:
        cart = state.carts.get(request.path_params["po"])
        if cart is None:
            return error(404, "Cart not found.")
        body = await request_json(request) or {}
        sku = body.get("item_sku")
        if sku is None and isinstance(body.get("item_id"), int) and body["item_id"] in state.items:
            sku = state.items[body["item_id"]]["sku"]
        quantity = body.get("quantity")
        errors: dict[str, list[str]] = {}
        item_id = state.sku_index.get(sku) if isinstance(sku, str) else None
        if item_id is None:
            errors["item_sku"] = ["The selected item sku is invalid."]
        elif state.items[item_id]["status"] in UNORDERABLE:
            errors["item_sku"] = ["The item is not available for order."]
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            errors["quantity"] = ["The quantity must be at least 1."]
        elif item_id is not None and not errors:
            wanted = cart.lines.get(sku, 0) + quantity
            available = _available(state, cart, item_id)
            if wanted > available and not cart.fields.get("allow_backorder"):
                errors["quantity"] = [f"Only {available} available; backorders are not allowed."]
        if errors:
            return invalid(errors)
        cart.lines[sku] = cart.lines.get(sku, 0) + quantity
        return JSONResponse({"data": {"item_sku": sku, "quantity": cart.lines[sku]}})

    @guarded(state, orders=True)
    async def submit_order(request: Request) -> Response:
        body = await request_json(request) or {}
        po = body.get("po_number")
        if not isinstance(po, str) or not po:
            return invalid({"po_number": ["The po number field is required."]})
        cart = state.carts.get(po)
        if cart is None:
            return error(404, "Cart not found.")
        if not cart.lines:
            return invalid({"po_number": ["The cart has no items."]})
        details = allocate(state, cart)
        del state.carts[po]
        record = state.orders.get(po)
        if record is None:
            f = cart.fields
            record = {
                "po_number": po,
                "ship_name": f.get("ship_name"),
                "ship_address": f.get("ship_address1"),
                "ship_city": f.get("ship_city"),
                "ship_state": f.get("ship_state"),
                "ship_zip": f.get("ship_zip"),
                "order_details": [],
            }
            state.orders[po] = record
        record["order_details"].extend(details)  # "allow" mode: a reused PO grows
        return JSONResponse({"order_number": details[0]["order_number"]})

    @guarded(state, orders=True)
    async def show_order(request: Request) -> Response:
        record = state.orders.get(request.path_params["po"])
        if record is None:
            return error(404, "Order not found.")
        return JSONResponse({"data": record})

    @guarded(state, orders=True)
    async def list_orders(request: Request) -> Response:
        q = request.query_params
        errors = {
            name: [f"The {name.replace('_', ' ')} field is required (YYYYMMDD)."]
            for name in ("from_date", "to_date")
            if not re.fullmatch(r"\d{8}", q.get(name, ""))
        }
        if errors:
            return invalid(errors)
        low, high = q["from_date"], q["to_date"]
        found = [
            record
            for record in state.orders.values()
            if any(low <= d["order_date"].replace("-", "") <= high for d in record["order_details"])
        ]
        return JSONResponse({"data": found})

    return [
        Route("/carts", create_cart, methods=["POST"]),
        Route("/carts/{po}", show_cart, methods=["GET"]),
        Route("/carts/{po}", delete_cart, methods=["DELETE"]),
        Route("/carts/{po}/items", add_cart_item, methods=["POST"]),
        Route("/orders", submit_order, methods=["POST"]),
        Route("/orders", list_orders, methods=["GET"]),
        Route("/orders/{po}", show_order, methods=["GET"]),
    ]


def _available(state: WpsState, cart: Cart, item_id: int) -> int:
    """Stock the cart could draw on: its default warehouse, or all of them if allowed."""
    stock = state.stock[item_id]
    if cart.fields.get("multiple_warehouse"):
        return sum(stock)
    default = (cart.fields.get("default_warehouse") or "CA").lower()
    return stock[WAREHOUSES.index(default)]


def cart_json(cart: Cart) -> dict[str, Any]:
    """The cart as POST/GET /carts shows it."""
    return {
        "cart_number": cart.cart_number,
        "po_number": cart.po_number,
        "shipment_type": "drop_ship" if cart.fields.get("ship_name") else "dealer",
        **{k: v for k, v in cart.fields.items() if k != "po_number"},
        "items": [{"item_sku": sku, "quantity": qty} for sku, qty in cart.lines.items()],
    }


# -- control surface ---------------------------------------------------------------------------


def ship(
    state: WpsState,
    po: str,
    lines: dict[str, int] | None,
    tracking: str | None,
) -> list[str]:
    """Ship open quantities of a PO; a partial ship splits the rest into a backorder detail."""
    record = state.orders.get(po)
    if record is None:
        raise ControlError(f"no PO {po!r}", 404)
    open_details = [
        d for d in record["order_details"] if d["order_status"] in ("OPEN", "BACKORDERED")
    ]
    if not open_details:
        raise ControlError(f"PO {po!r} has nothing left to ship", 409)
    wanted = dict(lines) if lines is not None else None
    if wanted is not None:
        open_skus = {line["sku"] for d in open_details for line in d["items"]}
        unknown = set(wanted) - open_skus
        if unknown:
            raise ControlError(f"PO {po!r} has no open line for {sorted(unknown)}")
    day = state.clock.now().strftime("%Y-%m-%d")
    shipped: list[str] = []
    for detail in open_details:
        ship_lines, rest = [], []
        for line in detail["items"]:
            open_qty = line["quantity"] - line["quantity_shipped"]
            take = open_qty if wanted is None else min(open_qty, wanted.get(line["sku"], 0))
            if wanted is not None and take:
                wanted[line["sku"]] -= take
            if take:
                ship_lines.append(
                    {**line, "quantity": take, "quantity_shipped": take, "quantity_backordered": 0}
                )
            if open_qty - take:
                rest.append(
                    {
                        **line,
                        "quantity": open_qty - take,
                        "quantity_shipped": 0,
                        "quantity_backordered": open_qty - take,
                    }
                )
        if not ship_lines:
            continue
        detail["items"] = ship_lines
        detail["order_status"] = "SHIPPED"
        detail["ship_date"] = day
        detail["invoice_date"] = day
        detail["invoice_number"] = 90_000_000 + int(detail["order_number"]) % 10_000_000
        detail["order_total"] = float(sum(Decimal(x["price"]) * x["quantity"] for x in ship_lines))
        if tracking:
            detail["tracking_numbers"].append(tracking)
        shipped.append(detail["order_number"])
        if rest:
            record["order_details"].append(
                _detail(
                    state,
                    detail["warehouse"],
                    rest,
                    "BACKORDERED",
                    detail["order_date"],
                    detail["ship_via"],
                )
            )
    if wanted is not None and any(qty > 0 for qty in wanted.values()):
        raise ControlError("asked to ship more than is open on the PO")
    return shipped


def control_routes(state: WpsState) -> list[BaseRoute]:
    """WPS-specific `/_sandbox/` routes: stock/prices/status, delete item, ship/cancel PO."""

    def item_or_404(sku: str) -> int:
        item_id = state.sku_index.get(sku)
        if item_id is None:
            raise ControlError(f"no item with sku {sku!r}", 404)
        return item_id

    @control_endpoint
    async def change_item(request: Request) -> Response:
        item_id = item_or_404(request.path_params["sku"])
        body = await json_object(request)
        item = state.items[item_id]
        stock = body.pop("stock", None)
        if stock is not None:
            if not isinstance(stock, dict) or any(
                k.lower() not in WAREHOUSES or not isinstance(v, int) or v < 0
                for k, v in stock.items()
            ):
                raise ControlError("stock must map warehouse codes (CA, GA, ...) to counts >= 0")
            for code, qty in stock.items():
                state.stock[item_id][WAREHOUSES.index(code.lower())] = qty
        for name, value in body.items():
            if name in PRICE_FIELDS:
                try:
                    item[name] = f"{Decimal(str(value)):.2f}"
                except InvalidOperation as exc:
                    raise ControlError(f"{name} must be a decimal") from exc
            elif name == "status" and value in STATUSES:
                item["status"] = item["status_id"] = value
            elif name == "name" and isinstance(value, str):
                item["name"] = value
            else:
                raise ControlError(f"cannot set {name!r} to {value!r}")
        state.touch(item_id, stock=stock is not None)
        return JSONResponse({"item": item, "inventory": state.inventory(item_id)})

    @control_endpoint
    async def delete_item(request: Request) -> Response:
        state.delete_item(item_or_404(request.path_params["sku"]))
        return Response(status_code=204)

    @control_endpoint
    async def ship_po(request: Request) -> Response:
        body = await json_object(request)
        lines = body.get("lines")
        parsed: dict[str, int] | None = None
        if lines is not None:
            if not isinstance(lines, list) or not all(
                isinstance(x, dict)
                and isinstance(x.get("sku"), str)
                and isinstance(x.get("quantity"), int)
                and x["quantity"] > 0
                for x in lines
            ):
                raise ControlError("lines must be [{sku, quantity > 0}]")
            parsed = {}
            for x in lines:
                parsed[x["sku"]] = parsed.get(x["sku"], 0) + x["quantity"]
        tracking = body.get("tracking_number")
        if tracking is not None and not isinstance(tracking, str):
            raise ControlError("tracking_number must be a string")
        shipped = ship(state, request.path_params["po"], parsed, tracking)
        return JSONResponse({"shipped": shipped, "po": state.orders[request.path_params["po"]]})

    @control_endpoint
    async def add_tracking(request: Request) -> Response:
        body = await json_object(request)
        record = state.orders.get(request.path_params["po"])
        tracking = body.get("tracking_number")
        if record is None:
            raise ControlError("no such PO", 404)
        if not isinstance(tracking, str):
            raise ControlError("tracking_number is required")
        shipped = [d for d in record["order_details"] if d["order_status"] == "SHIPPED"]
        target = [d for d in shipped if d["order_number"] == body.get("order_number")] or [
            d for d in shipped if not d["tracking_numbers"]
        ]
        if not target:
            raise ControlError("no shipped order detail without tracking", 409)
        target[0]["tracking_numbers"].append(tracking)
        return JSONResponse({"po": record})

    @control_endpoint
    async def cancel_po(request: Request) -> Response:
        record = state.orders.get(request.path_params["po"])
        if record is None:
            raise ControlError("no such PO", 404)
        cancelled = 0
        for detail in record["order_details"]:
            if detail["order_status"] in ("OPEN", "BACKORDERED"):
                detail["order_status"] = "CANCELLED"
                cancelled += 1
        if not cancelled:
            raise ControlError("nothing open to cancel", 409)
        return JSONResponse({"po": record})

    return [
        Route("/items/{sku}", change_item, methods=["PUT"]),
        Route("/items/{sku}", delete_item, methods=["DELETE"]),
        Route("/orders/{po}/ship", ship_po, methods=["POST"]),
        Route("/orders/{po}/tracking", add_tracking, methods=["POST"]),
        Route("/orders/{po}/cancel", cancel_po, methods=["POST"]),
    ]


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
