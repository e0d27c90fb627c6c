"""The whole order loop under SIGKILL: real `dropdeck worker` processes against the sandboxes.

Shared by the crash tests (`test_crash_loop.py`) and the longer bench
(`bench/crash_loop.py`). The sandboxes run in this process on 127.0.0.1; the workers run
every stage of the loop on a one-second schedule (get orders -> route -> send -> get
shipments -> sync orders) while shoppers place orders on the WooCommerce sandbox and the
suppliers ship what they have; a seeded RNG picks when to SIGKILL which worker. Then a
clean worker drains the loop and `verify` checks what the sandboxes hold against the store.

With `two_sources`, US Direct is a second supplier: it carries store products WPS has none
of (a Master SKU mapping set, as the demo does), and half the orders add one of them to
WPS lines; no source fills such an order whole, so routing makes one request per source.
"""

from __future__ import annotations

import random
import signal
import subprocess
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from connectors.sandboxing.serve import RunningSandboxes, build_sandbox, serve
from connectors.sandboxing.tracking import tracking_number
from console.runtime.demo import (
    WPS_PREFIX,
    configure_demo_business,
    share_products,
    stock_demo_store,
)
from store.commands.audit import operator_name
from store.commands.fulfillment import resubmit_request
from store.commands.runs import queue_run, set_integration_paused
from store.db import Database
from store.models import (
    FulfillmentRequest,
    Integration,
    JobRun,
    Order,
    Shipment,
    Source,
    Worker,
)
from store.models.runtime import RunStatus, RunTrigger
from tests.e2e.conftest import OrderSubmissions
from tests.runtime.helpers import wait_for, worker_cmd, worker_env

# The loop's stages, each on a one-second schedule while the workers are killed.
LOOP = ("woo-demo/get_orders", "wps-demo/send_orders", "wps-demo/get_shipments")
USD_LOOP = ("usdirect-demo/send_orders", "usdirect-demo/get_shipments")
SYNC = "woo-demo/sync_orders"
CATALOGUE = (
    "wps-demo/get_inventory",
    "woo-demo/import_listings",
    "woo-demo/link_listings",
    "woo-demo/sync_listings",
)
SUPPLIER_NAMES = {"wps": "WPS", "usdirect": "US Direct"}
FINISHED = {s.value for s in (RunStatus.SUCCEEDED, RunStatus.PARTIAL, RunStatus.FAILED)}
FAULTS_OFF = {
    "error_rate": 0.0,
    "drop_connection": 0.0,
    "malformed": 0.0,
    "burst_429": 0,
    "latency_ms": 0,
}
EMAIL = "crash{n}@example.com"


@dataclass
class CrashConfig:
    """One crash run: how many kills and orders, how many workers at once, which faults."""

    seed: int
    kills: int = 20
    orders: int = 60
    workers: int = 2
    # Seconds between kills are drawn from [min_gap, max_gap].
    min_gap: float = 0.4
    max_gap: float = 2.5
    faults: dict[str, Any] = field(default_factory=dict)
    # A 429 burst of this many requests is set now and then during the fault phase.
    burst_429: int = 0
    use_shipment_tracking: bool = False
    drain_timeout: float = 120.0
    # US Direct as a second source: split orders, one request per source.
    two_sources: bool = False


@dataclass
class CrashReport:
    """What happened and what the sandboxes hold afterwards."""

    seed: int
    kills: int = 0
    killed_during: Counter[str] = field(default_factory=Counter)
    orders_placed: int = 0
    pos_accepted: int = 0
    duplicate_pos: list[str] = field(default_factory=list)
    lost_orders: list[str] = field(default_factory=list)
    not_completed: list[str] = field(default_factory=list)
    tracking_not_once: list[tuple[str, str, int]] = field(default_factory=list)
    runs_left_running: int = 0
    resubmitted: int = 0
    unpaused: int = 0
    chaos_seconds: float = 0.0
    drain_seconds: float = 0.0
    tracking_numbers: int = 0
    shipments_looked_for: int = 0
    split_orders: int = 0  # orders sent as one request per source
    duplicate_orders: list[str] = field(default_factory=list)
    not_shipped: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        """Every broken promise, one line each; empty when the loop held."""
        out = []
        if self.duplicate_pos:
            out.append(f"duplicate POs at a supplier: {self.duplicate_pos}")
        if self.duplicate_orders:
            out.append(f"duplicate orders in the store: {self.duplicate_orders}")
        if self.not_shipped:
            out.append(f"parts not shipped: {self.not_shipped}")
        if self.lost_orders:
            out.append(f"lost orders: {self.lost_orders}")
        if self.not_completed:
            out.append(f"shipped but not completed on WooCommerce: {self.not_completed}")
        if self.tracking_not_once:
            out.append(f"tracking not on its order exactly once: {self.tracking_not_once}")
        if self.runs_left_running:
            out.append(f"{self.runs_left_running} runs left running")
        return out

    def summary(self) -> str:
        stages = ", ".join(f"{k} {v}" for k, v in sorted(self.killed_during.items()))
        return (
            f"seed {self.seed}: {self.kills} SIGKILLs ({stages}); {self.orders_placed} orders "
            f"({self.split_orders} split between sources), {self.pos_accepted} POs accepted, "
            f"{len(self.duplicate_pos)} duplicate POs, {len(self.duplicate_orders)} duplicate "
            f"orders, {len(self.not_shipped)} parts not shipped, "
            f"{len(self.lost_orders)} lost orders, {len(self.not_completed)} shipped orders "
            f"not completed, {self.tracking_numbers} tracking numbers "
            f"({len(self.tracking_not_once)} not exactly once), {self.runs_left_running} runs "
            f"left running; operator: {self.resubmitted} resubmits, {self.unpaused} unpauses; "
            f"chaos {self.chaos_seconds:.0f} s, drain {self.drain_seconds:.0f} s"
        )


class CrashLoop:
    """The sandboxes, the store, the workers and the people around them (shoppers, WPS)."""

    def __init__(self, db: Database, home: Path, log: Path, config: CrashConfig) -> None:
        self.db = db
        self.home = home
        self.log = log
        self.config = config
        self.rng = random.Random(config.seed)
        self.running = RunningSandboxes()
        self.workers: list[subprocess.Popen[bytes]] = []
        self.placed: dict[int, str] = {}  # WooCommerce order id -> shopper email
        self.shipped: dict[str, list[str]] = {}  # PO -> tracking numbers it was shipped with
        self.suppliers = ("wps", "usdirect") if config.two_sources else ("wps",)
        self.systems = ("woocommerce", *self.suppliers)
        self.loop = (*LOOP, *USD_LOOP) if config.two_sources else LOOP
        # Per supplier: accepted `POST /orders` per PO (what a duplicate would be).
        self.submissions: dict[str, OrderSubmissions] = {}
        self.report = CrashReport(seed=config.seed)
        self._stop = threading.Event()
        self._lock = threading.Lock()

    # -- set-up ------------------------------------------------------------------------

    def start(self) -> None:
        """Serve the sandboxes, configure the business and import the catalogue (no kills)."""
        for system in self.systems:
            sandbox = build_sandbox(system, seed=3, size=150)
            assert sandbox is not None
            app = sandbox.app
            if system in self.suppliers:
                app = self.submissions[system] = OrderSubmissions(app)
            self.running.sandboxes[system] = sandbox
            self.running.servers[system] = serve(app)
        configure_demo_business(self.db, self.running.describe())
        stocked = stock_demo_store(self.running, count=40)
        wps = self.running.sandboxes["wps"].state
        self.skus = [  # plenty in stock, so no order is held for want of stock
            sku
            for sku in stocked
            if (item := wps.sku_index.get(sku.removeprefix(WPS_PREFIX))) is not None
            and wps.inventory(item)["total"] >= 40
        ]
        assert len(self.skus) >= 5, "the WPS sandbox has too few well-stocked products"
        self.usd_only: list[str] = []
        if self.config.two_sources:
            self.usd_only = [
                sku
                for sku in stocked
                if (item := wps.sku_index.get(sku.removeprefix(WPS_PREFIX))) is not None
                and wps.inventory(item)["total"] == 0
            ][:10]
            assert len(self.usd_only) >= 3, "the WPS sandbox has too few products out of stock"
            self.share_with_usdirect()
        # WPS documents duplicate POs as allowed: only Dropdeck itself can prevent them.
        self.control("wps", "PUT", "settings", json={"duplicate_po": "allow"})
        with self.db.write() as session:
            for integration in session.scalars(sa.select(Integration)):
                integration.schedule_type, integration.schedule_value = "manual", ""
                if integration.name == SYNC:
                    integration.settings = {
                        **integration.settings,
                        "use_shipment_tracking": self.config.use_shipment_tracking,
                    }
                session.add(integration)
        self.start_worker()
        catalogue = CATALOGUE
        if self.config.two_sources:
            catalogue = ("usdirect-demo/get_inventory", *CATALOGUE)
        for name in catalogue:
            self.run_until_clean(name)
        self.stop_workers()

    def share_with_usdirect(self) -> None:
        """US Direct carries the store products WPS has none of (the demo's Master SKU
        mapping set), plenty in stock: routing sends those lines there, the rest to WPS."""
        shared = self.usd_only
        share_products(self.db, self.running, shared)
        usd = self.running.sandboxes["usdirect"].state
        self.control("usdirect", "PUT", "settings", json={"requests_per_second": 1000})
        for sku in usd.primary[: len(shared)]:
            self.control("usdirect", "PUT", f"products/{sku}", json={"qty": 500, "price": "1.00"})

    def url(self, system: str) -> str:
        return self.running.servers[system].base_url

    def control(self, system: str, method: str, path: str, **kw: Any) -> httpx.Response:
        response = httpx.request(method, f"{self.url(system)}/_sandbox/{path}", **kw)
        response.raise_for_status()
        return response

    def set_faults(self, faults: dict[str, Any]) -> None:
        for system in self.systems:
            self.control(system, "PUT", "faults", json=faults)

    # -- workers -----------------------------------------------------------------------

    def start_worker(self, *schedule: str) -> subprocess.Popen[bytes]:
        args = ("--concurrency", "2") if schedule else ("--no-schedule", "--concurrency", "2")
        proc = subprocess.Popen(
            worker_cmd(*args),
            env=worker_env(self.db.settings.database_url, self.home),
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        self.workers.append(proc)
        return proc

    def wait_ready(self, proc: subprocess.Popen[bytes]) -> None:
        """Until the worker has registered (so a kill lands in its work, not its start-up)."""

        def registered() -> bool:
            if proc.poll() is not None:
                raise AssertionError(f"worker {proc.pid} exited at start; see {self.log}")
            with self.db.read() as session:
                return bool(session.scalar(sa.select(Worker.id).where(Worker.pid == proc.pid)))

        wait_for(registered, 180, f"worker {proc.pid} to start")

    def stop_workers(self) -> None:
        for proc in self.workers:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.workers:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.workers = []

    def alive(self) -> list[subprocess.Popen[bytes]]:
        return [p for p in self.workers if p.poll() is None]

    def schedule_loop(self, every: str | None) -> None:
        """Put the loop's stages on an interval (`every` seconds), or back to manual."""
        with self.db.write() as session:
            for integration in session.scalars(
                sa.select(Integration).where(Integration.name.in_([*self.loop, SYNC]))  # type: ignore[attr-defined]
            ):
                integration.schedule_type = "interval" if every else "manual"
                integration.schedule_value = every or ""
                session.add(integration)

    def queue(self, name: str) -> int:
        with self.db.write() as session:
            integration = session.scalars(
                sa.select(Integration).where(Integration.name == name)
            ).one()
            return queue_run(session, integration.id or 0, RunTrigger.MANUAL).id or 0

    def status(self, run_id: int) -> str:
        with self.db.read() as session:
            run = session.get(JobRun, run_id)
            assert run is not None
            return run.status

    def run_until_clean(self, name: str, attempts: int = 8) -> None:
        """What an operator does: rerun (unpausing if needed) until it succeeds."""
        for _ in range(attempts):
            run_id = self.queue(name)
            wait_for(lambda r=run_id: self.status(r) in FINISHED, 90, f"{name} to finish")
            if self.status(run_id) == RunStatus.SUCCEEDED.value:
                return
            self.unpause()
        raise AssertionError(f"{name} never succeeded in {attempts} runs; see {self.log}")

    def unpause(self) -> None:
        with self.db.write() as session:
            for integration in session.scalars(
                sa.select(Integration).where(Integration.paused_reason.is_not(None))  # type: ignore[union-attr]
            ):
                set_integration_paused(session, integration, None, actor=operator_name("test"))
                self.report.unpaused += 1

    def running_stages(self) -> list[str]:
        with self.db.read() as session:
            return list(
                session.scalars(
                    sa.select(Integration.name)
                    .join(JobRun, JobRun.integration_id == Integration.id)  # type: ignore[arg-type]
                    .where(JobRun.status == RunStatus.RUNNING.value)
                )
            )

    # -- the people around the loop ----------------------------------------------------

    def place_order(self) -> None:
        """A shopper buys one or two of one to three stocked products."""
        n = len(self.placed)
        picks = self.rng.sample(self.skus, self.rng.randint(1, 3))
        if self.usd_only and self.rng.random() < 0.5:  # a line only US Direct can fill
            picks = [*picks[:2], self.rng.choice(self.usd_only)]
        method = self.rng.choice(["Flat rate", "Free shipping", "Express"])
        response = httpx.post(
            f"{self.url('woocommerce')}/_sandbox/orders",
            json={
                "line_items": [{"sku": s, "quantity": self.rng.randint(1, 2)} for s in picks],
                "shipping_method_title": method,
                "email": EMAIL.format(n=n),
            },
        )
        response.raise_for_status()
        self.placed[int(response.json()["id"])] = EMAIL.format(n=n)

    def ship_what_suppliers_have(self) -> None:
        self.ship_what_wps_has()
        if self.config.two_sources:
            self.ship_what_usdirect_has()

    def ship_what_usdirect_has(self) -> None:
        """US Direct ships each open PO in one box, "In Transit"; every third PO's first
        item goes in a box of its own first (a partial shipment)."""
        usd = self.running.sandboxes["usdirect"].state
        for po, order in list(usd.orders.items()):
            if po not in self.submissions["usdirect"].accepted or order["status"] not in (
                "pending_authorization",
                "authorized",
            ):
                continue
            boxes = self.shipped.setdefault(po, [])
            tracking = tracking_number(order["ship_method"], f"{po}-{len(boxes)}")
            body: dict[str, Any] = {"tracking_number": tracking}
            if not boxes and len(order["items"]) > 1 and len(self.shipped) % 3 == 0:
                first = order["items"][0]
                body["items"] = [{"sku": first["sku"], "quantity": first["quantity"]}]
            response = httpx.post(f"{self.url('usdirect')}/_sandbox/orders/{po}/ship", json=body)
            if response.status_code < 300:
                boxes.append(body["tracking_number"])

    def ship_what_wps_has(self) -> None:
        """WPS ships each open order detail (one per warehouse) in its own box with its own
        tracking number; every third PO's first detail goes in two boxes (a partial
        shipment, the rest backordered and shipped next time)."""
        wps = self.running.sandboxes["wps"].state
        for po, record in list(wps.orders.items()):
            if po not in self.submissions["wps"].accepted:
                continue
            for detail in list(record["order_details"]):
                if detail["order_status"] not in ("OPEN", "BACKORDERED"):
                    continue
                lines = [
                    {"sku": line["sku"], "quantity": line["quantity"] - line["quantity_shipped"]}
                    for line in detail["items"]
                    if line["quantity"] > line["quantity_shipped"]
                ]
                boxes = self.shipped.setdefault(po, [])
                if not boxes and len(lines) > 1 and len(self.shipped) % 3 == 0:
                    lines = lines[:1]
                tracking = tracking_number(detail["ship_via"], f"{po}-{len(boxes)}")
                response = httpx.post(
                    f"{self.url('wps')}/_sandbox/orders/{po}/ship",
                    json={"tracking_number": tracking, "lines": lines},
                )
                if response.status_code < 300:
                    boxes.append(tracking)

    def _people(self) -> None:
        """Shoppers order through the chaos; suppliers ship every second or so; under faults the
        operator unpauses what the faults paused, so every stage keeps running."""
        per_tick = max(1, self.config.orders // max(1, int(self.config.kills * 1.2)))
        while not self._stop.is_set():
            with self._lock:
                if self.config.faults:
                    self.unpause()
                for _ in range(per_tick):
                    if len(self.placed) < self.config.orders:
                        self.place_order()
                self.ship_what_suppliers_have()
            self._stop.wait(1.0)

    # -- the crash run -----------------------------------------------------------------

    def chaos(self) -> None:
        """Run the loop on a one-second schedule with `workers` workers and SIGKILL one at
        random moments `kills` times (a fresh worker takes its place)."""
        config = self.config
        started = time.monotonic()
        if config.faults:
            self.set_faults({**config.faults, "seed": config.seed})
        self.schedule_loop("1")
        for _ in range(config.workers):
            self.start_worker("schedule")
        for proc in self.workers:
            self.wait_ready(proc)
        people = threading.Thread(target=self._people, daemon=True)
        people.start()
        try:
            for _ in range(config.kills):
                time.sleep(self.rng.uniform(config.min_gap, config.max_gap))
                if config.burst_429 and self.rng.random() < 0.25:
                    system = self.rng.choice(list(self.systems))
                    self.control(system, "PUT", "faults", json={"burst_429": config.burst_429})
                victim = self.rng.choice(self.alive() or self.workers)
                stages = self.running_stages()
                victim.send_signal(signal.SIGKILL)
                victim.wait(timeout=10)
                self.report.kills += 1
                for stage in stages or ["(between runs)"]:
                    self.report.killed_during[stage.split("/")[-1]] += 1
                self.workers.remove(victim)
                self.wait_ready(self.start_worker("schedule"))
            while len(self.placed) < config.orders:
                time.sleep(0.2)
        finally:
            self._stop.set()
            people.join(timeout=30)
            for proc in self.alive():  # the last ones die mid-work too
                proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=10)
            self.workers = []
            self.report.chaos_seconds = time.monotonic() - started

    def drain(self) -> None:
        """Faults off, one clean worker: the loop runs until every order is done."""
        started = time.monotonic()
        self.set_faults(FAULTS_OFF)
        self.start_worker("schedule")
        deadline = time.monotonic() + self.config.drain_timeout
        while time.monotonic() < deadline:
            self.unpause()
            self.resubmit_failed()
            self.ship_what_suppliers_have()
            if self.settled():
                break
            time.sleep(1.0)
        self.schedule_loop(None)
        # One last sync with nothing left to do proves the loop is quiet, then stop.
        self.run_until_clean(SYNC)
        self.stop_workers()
        self.report.drain_seconds = time.monotonic() - started

    def resubmit_failed(self) -> None:
        """An operator resubmits what failed under faults (the send looks the PO up first)."""
        with self.db.write() as session:
            for request in session.scalars(
                sa.select(FulfillmentRequest).where(FulfillmentRequest.status == "failed")
            ):
                resubmit_request(session, request.id or 0, actor=operator_name("test"))
                self.report.resubmitted += 1

    def settled(self) -> bool:
        """Every placed order imported and sent, everything shipped synced, and every order
        complete on WooCommerce."""
        woo = self.running.sandboxes["woocommerce"].state
        with self.db.read() as session:
            ours = set(
                session.scalars(
                    sa.select(Order.external_id).where(Order.customer_email.like("crash%"))  # type: ignore[union-attr]
                )
            )
            unsynced = session.scalar(
                sa.select(sa.func.count()).select_from(Shipment).where(Shipment.synced_at.is_(None))  # type: ignore[union-attr]
            )
            unsent = session.scalar(
                sa.select(sa.func.count())
                .select_from(FulfillmentRequest)
                .where(FulfillmentRequest.status.in_(["pending", "sending", "failed"]))  # type: ignore[attr-defined]
            )
        if {str(i) for i in self.placed} - ours or unsynced or unsent:
            return False
        return all(woo.orders[i]["status"] == "completed" for i in self.placed)

    # -- what the sandboxes hold -------------------------------------------------------

    def verify(self) -> CrashReport:
        """Compare the sandboxes with the store; fill the report."""
        report = self.report
        report.orders_placed = len(self.placed)
        for system in self.suppliers:
            accepted = self.submissions[system].accepted
            report.pos_accepted += len(accepted)
            report.duplicate_pos += sorted(
                f"{SUPPLIER_NAMES[system]} {po} x{n}" for po, n in accepted.items() if n != 1
            )
        woo = self.running.sandboxes["woocommerce"].state
        with self.db.read() as session:
            ours = list(
                session.scalars(sa.select(Order).where(Order.customer_email.like("crash%")))  # type: ignore[union-attr]
            )
            orders = {o.external_id: o for o in ours}
            report.duplicate_orders = sorted(
                f"WooCommerce order {external} x{n}"
                for external, n in Counter(o.external_id for o in ours).items()
                if n != 1
            )
            requests = list(session.scalars(sa.select(FulfillmentRequest)))
            kind_of = {i: kind for i, kind in session.execute(sa.select(Source.id, Source.kind))}
            shipments = list(session.scalars(sa.select(Shipment)))
            report.runs_left_running = (
                session.scalar(
                    sa.select(sa.func.count())
                    .select_from(JobRun)
                    .where(JobRun.status == RunStatus.RUNNING.value)
                )
                or 0
            )
        by_order: dict[int, list[FulfillmentRequest]] = {}
        for request in requests:
            by_order.setdefault(request.order_id, []).append(request)
        for woo_id in sorted(self.placed):
            order = orders.get(str(woo_id))
            if order is None:
                report.lost_orders.append(f"WooCommerce order {woo_id}: not in Dropdeck")
                continue
            mine = by_order.get(order.id or 0, [])
            if not mine:
                report.lost_orders.append(f"order {order.number}: no request ({order.status})")
            per_source = Counter(r.source_id for r in mine)
            if len(per_source) > 1:
                report.split_orders += 1
            if any(n > 1 for n in per_source.values()):
                report.duplicate_orders.append(f"order {order.number}: {len(mine)} requests")
            for request in mine:
                system = kind_of[request.source_id]
                supplier = self.running.sandboxes[system].state
                if (
                    request.po_number not in supplier.orders
                    or request.po_number not in self.submissions[system].accepted
                ):
                    report.lost_orders.append(
                        f"order {order.number}: PO {request.po_number} not at "
                        f"{SUPPLIER_NAMES[system]} ({request.status}, {request.attempts} "
                        f"attempts, {request.last_error})"
                    )
                elif request.status != "shipped":
                    report.not_shipped.append(
                        f"order {order.number}: PO {request.po_number} at "
                        f"{SUPPLIER_NAMES[system]} is {request.status}"
                    )
            if woo.orders[woo_id]["status"] != "completed":
                report.not_completed.append(
                    f"order {order.number}: {woo.orders[woo_id]['status']} on WooCommerce, "
                    f"{order.status} in Dropdeck"
                )
        # Every tracking number WPS shipped with is on its WooCommerce order exactly once.
        po_order = {r.po_number: r.order_id for r in requests}
        external = {o.id: o.external_id for o in orders.values()}
        known = {s.tracking_number for s in shipments}
        for po, numbers in self.shipped.items():
            woo_id = int(external[po_order[po]])
            record = woo.orders[woo_id]
            for number in numbers:
                report.tracking_numbers += 1
                if self.config.use_shipment_tracking:
                    times = sum(t.get("tracking_number") == number for t in record["trackings"])
                else:
                    times = sum(number in str(n.get("note", "")) for n in record["notes"])
                if times != 1 or number not in known:
                    report.tracking_not_once.append((po, number, times))
        return report

    def stop(self) -> None:
        self._stop.set()
        for proc in self.workers:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        self.running.stop()


def crash_run(db: Database, home: Path, log: Path, config: CrashConfig) -> CrashReport:
    """Set up, kill workers through the loop, drain with a clean worker, verify."""
    loop = CrashLoop(db, home, log, config)
    try:
        loop.start()
        loop.chaos()
        loop.drain()
        return loop.verify()
    finally:
        loop.stop()
