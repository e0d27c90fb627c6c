"""`dropdeck sandbox --json` and `dropdeck demo --headless` as scripts use them: a real
process, one JSON line, live servers, a demo business a second CLI process can read."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.runtime.helpers import ROOT, wait_for

pytestmark = pytest.mark.e2e

EXPECTED = {
    "woocommerce": {"base_url", "consumer_key", "consumer_secret"},
    "magento": {"base_url", "access_token"},
    "shipstation": {"base_url", "api_key", "api_secret"},
    "wps": {"base_url", "api_token"},
}


def _start(*args: str, home: Path) -> subprocess.Popen[str]:
    env = dict(os.environ, DROPDECK_HOME=str(home), PYTHONPATH=str(ROOT))
    env.pop("DROPDECK_DATABASE_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "console", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _first_line(proc: subprocess.Popen[str]) -> dict[str, Any]:
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line, proc.stderr.read() if proc.stderr else "no output"
    info: dict[str, Any] = json.loads(line)
    return info


def _stop(proc: subprocess.Popen[str]) -> int:
    proc.send_signal(signal.SIGTERM)
    return proc.wait(timeout=30)


def test_sandbox_json_line_names_every_peer_and_they_answer(tmp_path: Path) -> None:
    proc = _start("sandbox", "--json", "--size", "40", home=tmp_path)
    try:
        info = _first_line(proc)
        for system, fields in EXPECTED.items():
            assert fields <= set(info[system]), system
        assert info["usdirect"]["base_url"].startswith("http://127.0.0.1:")
        wps = info["wps"]
        ok = httpx.get(
            wps["base_url"] + "/items", headers={"Authorization": f"Bearer {wps['api_token']}"}
        )
        assert ok.status_code == 200 and ok.json()["data"]
        assert httpx.get(wps["base_url"] + "/items").status_code == 401
    finally:
        assert _stop(proc) == 0


def test_demo_headless_runs_the_business_for_cli_scripts(tmp_path: Path) -> None:
    demo_home = tmp_path / "demo"
    proc = _start("demo", "--headless", "--home", str(demo_home), "--size", "80", home=tmp_path)
    try:
        info = _first_line(proc)
        assert EXPECTED["woocommerce"] <= set(info["woocommerce"])

        def cli(*args: str) -> Any:
            env = dict(os.environ, DROPDECK_HOME=str(demo_home), PYTHONPATH=str(ROOT))
            env.pop("DROPDECK_DATABASE_URL", None)
            out = subprocess.run(
                [sys.executable, "-m", "console", *args],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            return json.loads(out.stdout)

        def ready() -> bool:
            notes = cli("notifications", "--json", "--limit", "200")
            return any(n["event"] == "demo.ready" for n in notes)

        wait_for(ready, 120, "the demo's first day to finish")
        orders = cli("orders", "--json")
        shipped = [o for o in orders if o["status"] in ("completed", "shipped")]
        held = [o for o in orders if o["status"] == "on_hold"]
        assert shipped and held
        assert all(r["status"] == "shipped" for o in shipped for r in o["fulfillment_requests"])
        linked = cli("listings", "--status", "linked", "--json")
        # The demo sells through WooCommerce, ShipStation and Magento; all link to WPS inventory.
        channels = {item["channel"] for item in linked}
        assert channels == {"woo-demo", "shipstation-demo", "magento-demo"}
    finally:
        assert _stop(proc) == 0
