"""The demo business: the sandbox peers on 127.0.0.1, a store wired to them, and a first
round of runs, so every pane shows data that came over HTTP.

The runs go in the order an operator's first day would: WPS inventory; listings on the
WooCommerce store from it (`dropdeck listings add --channel woo-demo --source wps-demo`),
published to the store at the listing rule's price; US Direct inventory (it carries some of
the store's products too); sync, customer orders placed on the store, get orders (routing
between the two sources), send to each, they ship, shipments back, US Direct invoices,
tracking to Woo.
The business also sells through ShipStation: its products (the same WPS SKUs) are linked
by sync_listings, its orders come in through get_orders and go back marked shipped.
The Magento sandbox sells some of the same WPS items: import, orders and shipments there
run alongside. After that the scheduler keeps the business moving on short intervals.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from typing import Any

import httpx
import sqlalchemy as sa
import structlog
from sqlmodel import col

from connectors.sandboxing.serve import RunningSandboxes
from connectors.sandboxing.tracking import tracking_number
from store.commands.listing_add import add_listings_from_inventory
from store.commands.runs import queue_run
from store.commands.setup import (
    ensure_channel,
    ensure_integration,
    ensure_source,
    save_connection,
)
from store.commands.shipping import shipping_key
from store.crypto import SecretBox
from store.db import Database
from store.models import (
    Channel,
    FulfillmentLine,
    FulfillmentRequest,
    Integration,
    JobRun,
    ListingVariant,
    ShippingMapping,
    Source,
)
from store.models.runtime import RunStatus, RunTrigger

log = structlog.get_logger("dropdeck.demo")

WPS_PREFIX = "WPS-"
USD_PREFIX = "USD-"
SHARED_PRODUCTS = 40  # demo store SKUs US Direct carries too (routing picks between them)
DEMO_PRODUCTS = 120  # WPS products stocked on the demo store
ORDER_SPACING = 7_200 + 1_380  # the demo store's orders came in every 2 h 23 min today
FINISHED = {RunStatus.SUCCEEDED, RunStatus.PARTIAL, RunStatus.FAILED, RunStatus.CANCELLED}

# (owner, kind, schedule seconds or 0 for manual, settings)
INTEGRATIONS: tuple[tuple[str, str, int, dict[str, Any]], ...] = (
    ("wps-demo", "get_inventory", 600, {}),
    ("wps-demo", "get_pqs", 120, {}),
    ("wps-demo", "send_orders", 30, {}),
    ("wps-demo", "get_shipments", 60, {}),
    ("usdirect-demo", "get_inventory", 600, {}),
    ("usdirect-demo", "send_orders", 30, {}),
    ("usdirect-demo", "get_shipments", 60, {}),
    ("usdirect-demo", "get_invoice", 0, {}),  # the guide: run it by hand first
    ("woo-demo", "import_listings", 0, {"mode": "create_and_overwrite"}),
    ("woo-demo", "link_listings", 300, {"match_on": "sku"}),
    ("woo-demo", "sync_listings", 60, {"price_from": "cost", "markup_percent": 35}),
    ("woo-demo", "publish_listings", 0, {"price_from": "cost", "markup_percent": 35}),
    ("woo-demo", "get_orders", 30, {"statuses": ["processing"], "days": 30}),
    ("woo-demo", "sync_orders", 60, {}),
    ("shipstation-demo", "sync_listings", 300, {}),
    ("shipstation-demo", "get_orders", 30, {"statuses": ["awaiting_shipment"], "days": 30}),
    # WPS names its "best way" method BEST; the operator maps it to the account's UPS.
    ("shipstation-demo", "sync_orders", 60, {"carrier_codes": {"BEST": "ups"}}),
    # Magento sells too; its runs are started by the bootstrap (manual, like an operator).
    ("magento-demo", "import_listings", 0, {"mode": "create_and_update"}),
    ("magento-demo", "get_orders", 0, {"days": 30, "use_parent_item_id": True}),
    ("magento-demo", "sync_orders", 0, {"notify_customer": True, "append_comment": True}),
)
MAGENTO_SHIPPING = "Flat Rate - Fixed"  # the sandbox's shipping description
SHIPSTATION_PRODUCTS = 40  # of the stocked SKUs, also in the ShipStation account


def configure_demo_business(db: Database, described: dict[str, dict[str, str]]) -> None:
    """Connections (sealed), sources, channels, integrations and shipping mappings."""
    box = SecretBox(db.settings.home)
    with db.write() as session:
        conns = {
            system: save_connection(
                session,
                box,
                name=f"{system}-sandbox",
                system=system,
                base_url=fields["base_url"],
                secrets={k: v for k, v in fields.items() if k != "base_url"},
            )
            for system, fields in described.items()
        }
        owners: dict[str, Source | Channel] = {
            "wps-demo": ensure_source(
                session,
                name="wps-demo",
                kind="wps",
                connection=conns.get("wps"),
                sku_prefix=WPS_PREFIX,
                priority=1,
            ),
            "usdirect-demo": ensure_source(
                session,
                name="usdirect-demo",
                kind="usdirect",
                connection=conns.get("usdirect"),
                sku_prefix=USD_PREFIX,
                priority=2,
            ),
            "woo-demo": ensure_channel(
                session,
                name="woo-demo",
                kind="woocommerce",
                connection=conns.get("woocommerce"),
                auto_process=True,
            ),
            "magento-demo": ensure_channel(
                session,
                name="magento-demo",
                kind="magento",
                connection=conns.get("magento"),
                auto_process=True,
            ),
            "shipstation-demo": ensure_channel(
                session,
                name="shipstation-demo",
                kind="shipstation",
                connection=conns.get("shipstation"),
                auto_process=True,
            ),
        }
        for owner, kind, seconds, settings in INTEGRATIONS:
            ensure_integration(
                session,
                owners[owner],
                kind,
                settings=settings,
                schedule_type="interval" if seconds else "manual",
                schedule_value=str(seconds) if seconds else "",
            )
        woo, wps = owners["woo-demo"].id or 0, owners["wps-demo"].id or 0
        ship = owners["shipstation-demo"].id or 0
        mag = owners["magento-demo"].id or 0
        mag_key = shipping_key(MAGENTO_SHIPPING)
        session.add(ShippingMapping(scope="channel", owner_id=mag, key=mag_key, value="ground"))
        usd = owners["usdirect-demo"].id or 0
        # "Local pickup" stays unmapped on purpose: that order is held with the reason.
        session.add_all(
            [
                ShippingMapping(scope="channel", owner_id=woo, key="flat_rate", value="ground"),
                ShippingMapping(scope="channel", owner_id=woo, key="free_shipping", value="ground"),
                ShippingMapping(scope="channel", owner_id=woo, key="express", value="express"),
                # ShipStation's "Will Call" stays unmapped: held with the reason.
                ShippingMapping(scope="channel", owner_id=ship, key="standard", value="ground"),
                ShippingMapping(
                    scope="channel", owner_id=ship, key="next_day_air", value="express"
                ),
                ShippingMapping(scope="source", owner_id=wps, key="ground", value="BEST"),
                ShippingMapping(scope="source", owner_id=wps, key="express", value="FE2D"),
                ShippingMapping(scope="source", owner_id=usd, key="ground", value="UPS-GND"),
                ShippingMapping(scope="source", owner_id=usd, key="express", value="FEDEX-EXP"),
            ]
        )


def stock_demo_store(running: RunningSandboxes, count: int = DEMO_PRODUCTS) -> list[str]:
    """Put `count` WPS products on the WooCommerce sandbox (REST batch API); their SKUs."""
    wps = running.sandboxes["wps"].state
    woo = running.describe()["woocommerce"]
    products = []
    for product_id in list(wps.product_items)[:count]:
        items = [wps.items[i] for i in wps.product_items[product_id]]
        name = wps.products[product_id]["name"]
        if len(items) == 1:
            products.append(_simple_product(name, items[0]))
        else:
            products.append(_variable_product(name, product_id, items))
    auth = (woo["consumer_key"], woo["consumer_secret"])
    skus: list[str] = []
    with httpx.Client(base_url=woo["base_url"] + "/wp-json/wc/v3", auth=auth) as client:
        for batch in _chunks(products, 50):
            parents = [{k: v for k, v in p.items() if k != "_variations"} for p in batch]
            created = client.post("/products/batch", json={"create": parents}).json()["create"]
            for product, answer in zip(batch, created, strict=True):
                variations = product.get("_variations", [])
                if variations:
                    client.post(
                        f"/products/{answer['id']}/variations/batch", json={"create": variations}
                    ).raise_for_status()
                    skus.extend(v["sku"] for v in variations)
                else:
                    skus.append(product["sku"])
    return skus


def list_wps_on_store(db: Database) -> list[tuple[str, str]]:
    """The store's listings come from WPS inventory, as `dropdeck listings add --channel
    woo-demo --source wps-demo` makes them (publish creates the products); (store SKU,
    master SKU) of each."""
    with db.write() as session:
        woo = session.scalars(sa.select(Channel).where(col(Channel.name) == "woo-demo")).one()
        wps = session.scalars(sa.select(Source).where(col(Source.name) == "wps-demo")).one()
        add_listings_from_inventory(session, woo.id or 0, wps.id or 0)
        rows = session.execute(
            sa.select(col(ListingVariant.sku), col(ListingVariant.master_sku))
            .where(col(ListingVariant.channel_id) == woo.id)
            .order_by(col(ListingVariant.id))
        ).all()
    return [(sku, master) for sku, master in rows if master]


def stock_demo_magento(running: RunningSandboxes, skus: list[str], count: int = 30) -> list[str]:
    """Put the first `count` of the WPS SKUs on the Magento sandbox as simple products."""
    if "magento" not in running.sandboxes:
        return []
    wps = running.sandboxes["wps"].state
    mag = running.describe()["magento"]
    headers = {"Authorization": f"Bearer {mag['access_token']}"}
    placed = []
    with httpx.Client(base_url=mag["base_url"] + "/rest/all/V1", headers=headers) as client:
        for sku in skus[:count]:
            item_id = wps.sku_index.get(sku.removeprefix(WPS_PREFIX))
            if item_id is None:
                continue
            item = wps.items[item_id]
            product = {
                "sku": sku,
                "name": f"{item.get('name') or sku} ({sku})",
                "price": item["list_price"],
                "type_id": "simple",
                "extension_attributes": {"stock_item": {"qty": 0}},
            }
            client.post("/products", json={"product": product}).raise_for_status()
            placed.append(sku)
    return placed


def place_magento_orders(running: RunningSandboxes, skus: list[str], count: int = 4) -> None:
    """Magento customers buy what the supplier has in stock."""
    if "magento" not in running.sandboxes or not skus:
        return
    wps = running.sandboxes["wps"].state
    in_stock = [
        sku
        for sku in skus
        if (item_id := wps.sku_index.get(sku.removeprefix(WPS_PREFIX))) is not None
        and wps.inventory(item_id)["total"] >= 2
    ] or skus
    base = running.describe()["magento"]["base_url"]
    with httpx.Client(base_url=base) as client:
        for n in range(count):
            client.post(
                "/_sandbox/orders",
                json={
                    "items": [{"sku": in_stock[n % len(in_stock)], "qty": 1}],
                    "email": f"mage{n}@example.com",
                    "shipping_description": MAGENTO_SHIPPING,
                },
            ).raise_for_status()


def _simple_product(name: str, item: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "type": "simple",
        "sku": WPS_PREFIX + item["sku"],
        "regular_price": item["list_price"],
        "manage_stock": True,
        "stock_quantity": 0,
    }


def _variable_product(name: str, product_id: int, items: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "name": name,
        "type": "variable",
        "sku": f"{WPS_PREFIX}P{product_id}",
        "attributes": [{"name": "Option", "variation": True, "options": [i["sku"] for i in items]}],
        "_variations": [
            {
                "sku": WPS_PREFIX + i["sku"],
                "regular_price": i["list_price"],
                "manage_stock": True,
                "stock_quantity": 0,
                "attributes": [{"name": "Option", "option": i["sku"]}],
            }
            for i in items
        ],
    }


def _chunks(items: list[dict[str, Any]], size: int) -> Iterable[list[dict[str, Any]]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def place_customer_orders(running: RunningSandboxes, skus: list[str], count: int = 10) -> None:
    """Customers buy what the supplier has in stock; one in five picks up locally (a
    shipping method with no mapping, so that order is held with the reason). They ordered
    over the last day (the newest just now), so the Dashboard's orders-in line has a shape."""
    wps = running.sandboxes["wps"].state
    in_stock = [
        sku
        for sku in skus
        if (item_id := wps.sku_index.get(sku.removeprefix(WPS_PREFIX))) is not None
        and wps.inventory(item_id)["total"] >= 2
    ]
    woo = running.describe()["woocommerce"]["base_url"]
    methods = ["Flat rate", "Flat rate", "Free shipping", "Express", "Local pickup"]
    with httpx.Client(base_url=woo) as client:
        for n in range(count):
            client.post(
                "/_sandbox/orders",
                json={
                    "line_items": [{"sku": in_stock[n % len(in_stock)], "quantity": 1 + n % 2}],
                    "shipping_method_title": methods[n % len(methods)],
                    "email": f"customer{n}@example.com",
                    "seconds_ago": (count - 1 - n) * ORDER_SPACING,
                },
            ).raise_for_status()


def stock_shipstation(running: RunningSandboxes, skus: list[str]) -> None:
    """The ShipStation account lists the first of the store's SKUs as products."""
    if "shipstation" not in running.servers:
        return
    url = running.describe()["shipstation"]["base_url"]
    with httpx.Client(base_url=url) as client:
        for sku in skus[:SHIPSTATION_PRODUCTS]:
            client.post("/_sandbox/products", json={"sku": sku}).raise_for_status()


def place_shipstation_orders(running: RunningSandboxes, skus: list[str], count: int = 6) -> None:
    """Orders a store put into ShipStation; one asks for "Will Call" (no mapping: held)."""
    if "shipstation" not in running.servers:
        return
    wps = running.sandboxes["wps"].state
    in_stock = [
        sku
        for sku in skus[:SHIPSTATION_PRODUCTS]
        if (item_id := wps.sku_index.get(sku.removeprefix(WPS_PREFIX))) is not None
        and wps.inventory(item_id)["total"] >= 2
    ]
    url = running.describe()["shipstation"]["base_url"]
    services = ["Standard", "Standard", "Next Day Air", "Standard", "Will Call", "Standard"]
    with httpx.Client(base_url=url) as client:
        for n in range(min(count, len(in_stock))):
            client.post(
                "/_sandbox/orders",
                json={
                    "items": [{"sku": in_stock[-1 - n], "quantity": 1}],
                    "requestedShippingService": services[n % len(services)],
                    "customerEmail": f"shipper{n}@example.com",
                },
            ).raise_for_status()


def ship_sent_orders(db: Database, running: RunningSandboxes) -> None:
    """The supplier ships what was sent: every PO in full, but one unit short on the first
    PO that has more than one (a partial shipment; the rest is backordered)."""
    with db.read() as session:
        rows = session.execute(
            sa.select(
                col(Source.kind),
                col(FulfillmentRequest.po_number),
                col(FulfillmentRequest.shipping_method),
                col(FulfillmentLine.sku),
                col(FulfillmentLine.quantity),
            )
            .join(FulfillmentLine, col(FulfillmentLine.request_id) == col(FulfillmentRequest.id))
            .join(Source, col(Source.id) == col(FulfillmentRequest.source_id))
            .where(col(FulfillmentRequest.status) == "sent")
            .order_by(col(FulfillmentRequest.id))
        ).all()
    lines: dict[tuple[str, str], list[tuple[str, int]]] = {}
    methods: dict[str, str | None] = {}
    for kind, po, method, sku, quantity in rows:
        lines.setdefault((kind, po), []).append((sku, quantity))
        methods[po] = method
    partial_done = False
    described = running.describe()
    for (kind, po), po_lines in lines.items():
        if kind not in described:
            continue
        # In the shape of the carrier the PO's shipping code names (a channel checks it).
        body: dict[str, Any] = {"tracking_number": tracking_number(methods[po] or "", po)}
        sku, quantity = po_lines[0]
        if kind == "wps" and not partial_done and quantity > 1:
            body["lines"] = [{"sku": sku, "quantity": quantity - 1}]
            partial_done = True
        with httpx.Client(base_url=described[kind]["base_url"]) as client:
            client.post(f"/_sandbox/orders/{po}/ship", json=body)


def share_products(db: Database, running: RunningSandboxes, skus: list[str]) -> None:
    """US Direct carries some of the store's products too: its get_inventory maps those
    SKUs' Master SKU to the store's (a mapping set), so a listing is backed by both."""
    if "usdirect" not in running.sandboxes:
        return
    usd = running.sandboxes["usdirect"].state
    masters = dict(zip(usd.primary, skus[:SHARED_PRODUCTS], strict=False))
    template = {"rules": {"Master SKU": "set:masters:sku"}, "mapping_sets": {"masters": masters}}
    with db.write() as session:
        integration = session.scalars(
            sa.select(Integration).where(col(Integration.name) == "usdirect-demo/get_inventory")
        ).first()
        if integration is not None:
            integration.settings = {**integration.settings, "mapping_template": template}
            session.add(integration)


def run_and_wait(db: Database, names: list[str], timeout: float = 300.0) -> None:
    """Queue the named integrations' runs and wait for the worker to finish them."""
    with db.write() as session:
        ids = []
        for name in names:
            integration = session.scalars(
                sa.select(Integration).where(col(Integration.name) == name)
            ).one()
            ids.append(queue_run(session, integration.id or 0, RunTrigger.MANUAL).id)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with db.read() as session:
            statuses = set(
                session.scalars(sa.select(col(JobRun.status)).where(col(JobRun.id).in_(ids)))
            )
        if statuses <= {s.value for s in FINISHED}:
            return
        time.sleep(0.3)
    log.warning("demo.stage_timeout", message=f"demo runs {', '.join(names)} still running")


def bootstrap_demo(db: Database, running: RunningSandboxes) -> None:
    """The operator's first day, run by whichever worker is alive."""
    try:
        run_and_wait(db, ["wps-demo/get_inventory"])
        listed = list_wps_on_store(db)
        store_skus = [sku for sku, _ in listed]
        skus = [master for _, master in listed]  # other stores carry the master SKUs
        mag_skus = stock_demo_magento(running, skus)
        share_products(db, running, skus)
        run_and_wait(db, ["usdirect-demo/get_inventory", "woo-demo/publish_listings"])
        if mag_skus:
            run_and_wait(db, ["magento-demo/import_listings"])
        stock_shipstation(running, skus)
        run_and_wait(db, ["woo-demo/sync_listings", "shipstation-demo/sync_listings"])
        place_customer_orders(running, store_skus)
        place_shipstation_orders(running, skus)
        place_magento_orders(running, mag_skus)
        magento = ["magento-demo/get_orders"] if mag_skus else []
        run_and_wait(db, ["woo-demo/get_orders", "shipstation-demo/get_orders", *magento])
        run_and_wait(db, ["wps-demo/send_orders", "usdirect-demo/send_orders"])
        ship_sent_orders(db, running)
        run_and_wait(db, ["wps-demo/get_shipments", "usdirect-demo/get_shipments"])
        run_and_wait(db, ["usdirect-demo/get_invoice"])
        magento = ["magento-demo/sync_orders"] if mag_skus else []
        run_and_wait(db, ["woo-demo/sync_orders", "shipstation-demo/sync_orders", *magento])
        log.info("demo.ready", notify=True, message="demo business ready: every pane has data")
    except Exception as exc:  # the demo goes on; the operator sees why in the feed
        log.error("demo.bootstrap_failed", message=f"demo set-up stopped: {exc}")


def start_bootstrap(db: Database, running: RunningSandboxes) -> threading.Thread:
    thread = threading.Thread(
        target=bootstrap_demo, args=(db, running), name="demo-bootstrap", daemon=True
    )
    thread.start()
    return thread
