"""`dropdeck connections add` tests a connection before saving it (unless --no-check), and
`dropdeck connections test NAME [--json]` says in one line what is wrong, against sandbox
peers on 127.0.0.1. Systems whose connector is not built keep refusing integrations."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator

import httpx
import pytest

from connectors import registry
from connectors.sandboxing.serve import serve_all
from store.db import Database

from .conftest import Run

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def peers() -> Iterator[dict[str, dict[str, str]]]:
    with serve_all(seed=1, size=20) as running:
        yield running.describe()


def _secrets(monkeypatch: pytest.MonkeyPatch, peer: dict[str, str]) -> None:
    for field, value in peer.items():
        if field != "base_url":
            monkeypatch.setenv(f"DROPDECK_SECRET_{field.upper()}", value)


def test_add_checks_first_and_test_reports_ok_then_the_refused_key(
    sqlite_db: Database,
    cli: Run,
    monkeypatch: pytest.MonkeyPatch,
    peers: dict[str, dict[str, str]],
) -> None:
    wps = peers["wps"]
    _secrets(monkeypatch, wps)
    status, out, err = cli("connections", "add", "wps", "--system", "wps", "--url", wps["base_url"])
    assert status == 0, err
    status, out, err = cli("connections", "test", "wps")
    assert status == 0 and out == f"connection wps: ok (WPS answered at {wps['base_url']})\n"
    assert json.loads(cli("connections", "test", "wps", "--json")[1]) == {
        "ok": True,
        "system": "wps",
        "problem": None,
        "detail": f"WPS answered at {wps['base_url']}",
    }

    monkeypatch.setenv("DROPDECK_SECRET_API_TOKEN", "revoked-token")
    assert cli("connections", "set", "wps", "--secrets")[0] == 0
    status, out, err = cli("connections", "test", "wps")
    assert status == 1 and err.count("\n") == 1
    assert "WPS refused the credentials (HTTP 401: Unauthenticated.)" in err
    assert "dropdeck connections set wps --secrets" in err and "revoked-token" not in err
    status, out, err = cli("connections", "test", "wps", "--json")
    assert status == 1
    report = json.loads(out)
    assert report["ok"] is False and report["problem"] == "key_refused"
    assert report["system"] == "wps" and "Unauthenticated." in report["detail"]


def test_add_refuses_what_fails_the_check_unless_no_check(
    sqlite_db: Database,
    cli: Run,
    monkeypatch: pytest.MonkeyPatch,
    peers: dict[str, dict[str, str]],
) -> None:
    woo = peers["woocommerce"]
    _secrets(monkeypatch, woo)
    monkeypatch.setenv("DROPDECK_SECRET_CONSUMER_SECRET", "cs_wrong")
    argv = ("connections", "add", "woo", "--system", "woocommerce", "--url", woo["base_url"])
    status, _, err = cli(*argv)
    assert status == 1 and err.count("\n") == 1
    assert "connection woo not added: WooCommerce refused the credentials (HTTP 401" in err
    assert "--no-check" in err and "cs_wrong" not in err
    assert cli("connections", "--json")[1].strip() == "[]"

    status, _, err = cli(*argv[:-1], f"{woo['base_url']}/shop")
    assert status == 1 and "is not the WooCommerce API" in err

    status, _, err = cli(*argv, "--no-check")
    assert status == 0, err
    status, _, err = cli("connections", "test", "woo")
    assert status == 1 and "refused the credentials" in err


def test_a_connector_not_built_yet_refuses_integrations_from_the_registry(
    sqlite_db: Database,
    cli: Run,
    monkeypatch: pytest.MonkeyPatch,
    peers: dict[str, dict[str, str]],
) -> None:
    # Every system has a connector now: stand in one without kinds (Magento's, emptied).
    unbuilt = dataclasses.replace(registry.descriptor("magento"), kinds=())
    monkeypatch.setitem(registry._descriptors, "magento", unbuilt)
    magento = peers["magento"]
    _secrets(monkeypatch, magento)
    url = magento["base_url"]
    assert cli("connections", "add", "m", "--system", "magento", "--url", url)[0] == 0
    assert cli("channels", "add", "mag", "--kind", "magento", "--connection", "m")[0] == 0
    status, _, err = cli("integrations", "add", "mag", "get_orders")
    assert status == 1 and err.count("\n") == 1
    assert "the Magento connector is not built yet" in err
    assert "dropdeck integrations add" not in err


def test_magento_takes_integrations_and_names_the_bearer_setting_when_refused(
    sqlite_db: Database,
    cli: Run,
    monkeypatch: pytest.MonkeyPatch,
    peers: dict[str, dict[str, str]],
) -> None:
    magento = peers["magento"]
    _secrets(monkeypatch, magento)
    url = magento["base_url"]
    assert cli("connections", "add", "m", "--system", "magento", "--url", url)[0] == 0
    assert cli("channels", "add", "mag", "--kind", "magento", "--connection", "m")[0] == 0
    status, _, err = cli("integrations", "add", "mag", "get_orders")
    assert status == 0, err
    httpx.put(f"{url}/_sandbox/settings", json={"integration_as_bearer": False})
    try:
        status, _, err = cli("connections", "test", "m")
    finally:
        httpx.put(f"{url}/_sandbox/settings", json={"integration_as_bearer": True})
    assert status == 1 and err.count("\n") == 1
    assert "Magento refused the credentials (HTTP 401" in err
    assert (
        "Stores > Configuration > Services > OAuth > Consumer Settings > "
        "Allow OAuth Access Tokens to be used as standalone Bearer tokens" in err
    )
