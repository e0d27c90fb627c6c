"""The README's "Setting up your business", run as written in a fresh home against
`dropdeck sandbox --json`: its commands, with the sandbox's URLs and keys for the real ones,
take a customer's order to WPS and WPS's tracking back to WooCommerce."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
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


@pytest.fixture
def peers(tmp_path: Path) -> Any:
    env = dict(os.environ, DROPDECK_HOME=str(tmp_path / "sandbox"), PYTHONPATH=str(ROOT))
    env.pop("DROPDECK_DATABASE_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "console", "sandbox", "--json", "--size", "60"],
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


def stock_the_store(peers: dict[str, Any], count: int = 2) -> list[str]:
    """The README's store sells WPS stock: put `count` WPS items on it (their store SKUs)."""
    wps = peers["wps"]
    found = httpx.get(
        wps["base_url"] + "/items",
        params={"page[size]": "100", "include": "inventory"},
        headers={"Authorization": f"Bearer {wps['api_token']}"},
    ).json()["data"]
    items = [
        i
        for i in found
        if i["status"] not in ("NLA", "DIS")
        and (i.get("inventory") or {}).get("data", {}).get("total", 0) >= 3
    ][:count]
    woo = peers["woocommerce"]
    skus = []
    for item in items:
        sku = "WPS-" + item["sku"]
        httpx.post(
            woo["base_url"] + "/wp-json/wc/v3/products",
            auth=(woo["consumer_key"], woo["consumer_secret"]),
            json={
                "name": item["name"],
                "type": "simple",
                "sku": sku,
                "regular_price": item["list_price"],
            },
        ).raise_for_status()
        skus.append(sku)
    return skus


def test_the_readme_recipe_sends_orders_and_brings_tracking_back(
    peers: dict[str, Any], tmp_path: Path
) -> None:
    business = Business(tmp_path / "business", peers)
    set_up, first_day = recipe_blocks()
    for line in set_up:
        out = business.command(line).stdout
        if line.startswith("dropdeck channels add"):
            assert "auto-process off" in out
    skus = stock_the_store(peers)
    woo, wps = peers["woocommerce"]["base_url"], peers["wps"]["base_url"]
    placed = httpx.post(
        woo + "/_sandbox/orders",
        json={
            "line_items": [{"sku": skus[0], "quantity": 1}],
            "shipping_method_title": "Flat rate",
            "email": "buyer@example.com",
        },
    ).json()
    number = str(placed["number"])
    for line in first_day:
        if "get_shipments" in line:  # WPS ships what it was sent
            (request,) = business.json("orders")[0]["fulfillment_requests"]
            httpx.post(
                f"{wps}/_sandbox/orders/{request['po_number']}/ship",
                json={"tracking_number": "1ZREADME0000000001"},
            ).raise_for_status()
        out = business.command(line, ORDER=number).stdout
        if line.startswith("dropdeck orders send"):
            assert re.search(r"PO DD\w{5}-\d+S\d+: sent as order \d+", out), out
    (order,) = business.json("orders")
    assert order["number"] == number and order["status"] in ("shipped", "completed")
    creds = (peers["woocommerce"]["consumer_key"], peers["woocommerce"]["consumer_secret"])
    remote = httpx.get(f"{woo}/wp-json/wc/v3/orders/{placed['id']}", auth=creds).json()
    notes = httpx.get(f"{woo}/wp-json/wc/v3/orders/{placed['id']}/notes", auth=creds).json()
    assert remote["status"] == "completed"
    assert any("1ZREADME0000000001" in n["note"] for n in notes), notes


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
