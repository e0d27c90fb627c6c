"""The README's "Setting up your business", run as written in a fresh home against
`dropdeck sandbox --json`: its commands, with the sandbox's URLs and keys for the real ones,
take a customer's order to WPS and WPS's tracking back to WooCommerce (the peers run
`--live`, as the README's "try it" paragraph says)."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.runtime.helpers import ROOT, wait_for

pytestmark = pytest.mark.e2e

REAL_URLS = {"https://shop.example": "woocommerce", "https://api.wps-inc.com": "wps"}


def recipe_blocks() -> list[list[str]]:
    """The sh blocks of the README's set-up section, one command per entry."""
    text = (ROOT / "README.md").read_text()
    section = text.split("## Setting up your business", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
    assert len(blocks) == 2, "the set-up and the first day"
    return [
        [
            c
            for c in (line.strip() for line in b.replace("\\\n", " ").splitlines())
            if c and not c.startswith("#")
        ]
        for b in blocks
    ]


class Business:
    """A fresh DROPDECK_HOME whose commands run as a script would run them."""

    def __init__(self, home: Path, peers: dict[str, Any]) -> None:
        woo = peers["woocommerce"]
        self.peers = peers
        self.env = dict(
            os.environ,
            DROPDECK_HOME=str(home),
            PYTHONPATH=str(ROOT),
            WPS_TOKEN=peers["wps"]["api_token"],
            # "prompts for both fields": a script gives them in the environment instead.
            DROPDECK_SECRET_CONSUMER_KEY=woo["consumer_key"],
            DROPDECK_SECRET_CONSUMER_SECRET=woo["consumer_secret"],
        )
        self.env.pop("DROPDECK_DATABASE_URL", None)

    def command(self, line: str, **words: str) -> subprocess.CompletedProcess[str]:
        """One README line: VAR=value prefixes, `dropdeck ARGS`; real URLs -> the sandbox."""
        for real, system in REAL_URLS.items():
            line = line.replace(real, self.peers[system]["base_url"])
        tokens = shlex.split(line, comments=True)
        env = dict(self.env)
        while "=" in tokens[0] and not tokens[0].startswith("dropdeck"):
            name, _, value = tokens.pop(0).partition("=")
            env[name] = os.path.expandvars(value.replace("$WPS_TOKEN", env["WPS_TOKEN"]))
        assert tokens[0] == "dropdeck", line
        args = [words.get(t, t) for t in tokens[1:]]
        done = subprocess.run(
            [sys.executable, "-m", "console", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, (line, done.stdout, done.stderr)
        return done

    def json(self, *args: str) -> Any:
        return json.loads(self.command("dropdeck " + shlex.join([*args, "--json"])).stdout)


def serve_peers(home: Path, *flags: str) -> Iterator[Any]:
    """`dropdeck sandbox --json [flags]` in its own process: the JSON line it prints."""
    env = dict(os.environ, DROPDECK_HOME=str(home), PYTHONPATH=str(ROOT))
    env.pop("DROPDECK_DATABASE_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "console", "sandbox", "--json", "--size", "60", *flags],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line, proc.stderr.read() if proc.stderr else "no output"
        yield json.loads(line)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


@pytest.fixture
def peers(tmp_path: Path) -> Iterator[Any]:
    yield from serve_peers(tmp_path / "sandbox")


@pytest.fixture
def live_peers(tmp_path: Path) -> Iterator[Any]:
    """The peers as the README's "try it" paragraph runs them: `--live`."""
    yield from serve_peers(tmp_path / "sandbox", "--live")


def shipped_at_wps(peers: dict[str, Any], po: str) -> bool:
    wps = peers["wps"]
    record = httpx.get(
        f"{wps['base_url']}/orders/{po}",
        headers={"Authorization": f"Bearer {wps['api_token']}"},
    ).json()["data"]
    return any(d["order_status"] == "SHIPPED" for d in record["order_details"])


def test_the_readme_recipe_sends_orders_and_brings_tracking_back(
    live_peers: dict[str, Any], tmp_path: Path
) -> None:
    """As the README says: the set-up with the live peers' URLs and keys, then the first
    day on the order `--live` placed; WPS ships it by itself."""
    peers = live_peers
    business = Business(tmp_path / "business", peers)
    set_up, first_day = recipe_blocks()
    for line in set_up:
        out = business.command(line).stdout
        if line.startswith("dropdeck channels add"):
            assert "auto-process off" in out
    number = peers["live"]["order_number"]
    for line in first_day:
        if "get_shipments" in line:  # "once WPS ships"
            (order,) = [o for o in business.json("orders") if o["number"] == number]
            (request,) = order["fulfillment_requests"]
            po = request["po_number"]
            wait_for(lambda po=po: shipped_at_wps(peers, po), 30, f"WPS to ship {po}")
        out = business.command(line, ORDER=number).stdout
        if line.startswith("dropdeck orders send"):
            assert re.search(r"PO DD\w{5}-\d+S\d+: sent as order \d+", out), out
    (order,) = [o for o in business.json("orders") if o["number"] == number]
    assert order["status"] in ("shipped", "completed")
    shipments = business.json("shipments", "--order", number)
    assert shipments and all(sh["synced_at"] and sh["carrier"] for sh in shipments)
    woo = peers["woocommerce"]["base_url"]
    creds = (peers["woocommerce"]["consumer_key"], peers["woocommerce"]["consumer_secret"])
    remote_id = order["external_id"]  # the store's own order id
    remote = httpx.get(f"{woo}/wp-json/wc/v3/orders/{remote_id}", auth=creds).json()
    notes = httpx.get(f"{woo}/wp-json/wc/v3/orders/{remote_id}/notes", auth=creds).json()
    assert remote["status"] == "completed"
    for shipment in shipments:  # each WPS box's number reached the store, once
        assert sum(shipment["tracking_number"] in n["note"] for n in notes) == 1, notes


def test_the_worker_runs_new_interval_integrations_soon(
    peers: dict[str, Any], tmp_path: Path
) -> None:
    business = Business(tmp_path / "business", peers)
    set_up, _ = recipe_blocks()
    for line in set_up:
        business.command(line)
    worker = subprocess.Popen(
        [sys.executable, "-m", "console", "worker"],
        env=business.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert worker.stdout is not None
        first = worker.stdout.readline()
        assert first.startswith("first runs of new integrations queued: "), first
        assert "wps/get_inventory" in first and "woo-shop/import_listings" not in first

        def inventory_ran() -> bool:
            rows = business.json("integrations")
            return any(r["name"] == "wps/get_inventory" and r["last_run"] for r in rows)

        wait_for(inventory_ran, 60, "wps/get_inventory's first run")
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
