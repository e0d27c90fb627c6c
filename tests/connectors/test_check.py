"""Test Connection against each system's sandbox peer on 127.0.0.1: it passes with the
sandbox's credentials and names each failure in one line (wrong key, wrong path, a port
nobody answers on, https to a plain-http port)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest

from connectors.check import Probe, run_probe
from connectors.registry import SYSTEMS, check_connection
from connectors.sandboxing.serve import RunningSandboxes, serve_all

pytestmark = pytest.mark.e2e

# What each sandbox says when the key is wrong: the API's own words must reach the operator.
REFUSALS = {
    "woocommerce": "Consumer key is invalid.",
    "magento": "The consumer isn't authorized to access %resources.",
    "shipstation": "Invalid API credentials",
    "wps": "Unauthenticated.",
    "usdirect": "unauthorized",
}


@pytest.fixture(scope="module")
def peers() -> Iterator[dict[str, dict[str, str]]]:
    with serve_all(seed=1, size=20) as running:
        assert isinstance(running, RunningSandboxes)
        yield running.describe()


@pytest.fixture(scope="module")
def closed_port() -> Iterator[int]:
    """A port bound but not listening: connecting is refused, and no one else can take it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    yield sock.getsockname()[1]
    sock.close()


def _split(peer: dict[str, str]) -> tuple[str, dict[str, str]]:
    secrets = dict(peer)
    return secrets.pop("base_url"), secrets


@pytest.mark.parametrize("system", SYSTEMS)
async def test_the_sandbox_credentials_pass(system: str, peers: dict[str, dict[str, str]]) -> None:
    base, secrets = _split(peers[system])
    result = await check_connection(system, base, secrets)
    assert result.as_json() == {
        "ok": True,
        "system": system,
        "problem": None,
        "detail": result.detail,
    }
    assert base in result.detail


@pytest.mark.parametrize("system", SYSTEMS)
async def test_a_wrong_key_is_refused_with_the_apis_message(
    system: str, peers: dict[str, dict[str, str]]
) -> None:
    base, secrets = _split(peers[system])
    wrong = {k: f"{v}-wrong" for k, v in secrets.items()}
    result = await check_connection(system, base, wrong)
    assert not result.ok and result.problem == "key_refused"
    assert "HTTP 401" in result.detail and REFUSALS[system] in result.detail
    assert not any(v in result.detail for v in wrong.values())
    assert "\n" not in result.detail


@pytest.mark.parametrize("system", SYSTEMS)
async def test_a_wrong_path_is_not_the_api(system: str, peers: dict[str, dict[str, str]]) -> None:
    base, secrets = _split(peers[system])
    result = await check_connection(system, f"{base}/shop", secrets)
    assert not result.ok and result.problem == "not_the_api"
    assert f"{base}/shop" in result.detail and "is not the" in result.detail


async def test_woocommerce_names_a_missing_wp_json_and_a_missing_rest_route(
    peers: dict[str, dict[str, str]],
) -> None:
    base, secrets = _split(peers["woocommerce"])
    no_wordpress = await check_connection("woocommerce", f"{base}/shop", secrets)
    assert "no WordPress REST API at /wp-json" in no_wordpress.detail
    # WordPress answers under /wp-json, but wc/v3 is not one of its routes there.
    no_route = await check_connection("woocommerce", f"{base}/wp-json", secrets)
    assert no_route.problem == "not_the_api"
    assert "not a WooCommerce REST route" in no_route.detail


@pytest.mark.parametrize("system", SYSTEMS)
async def test_a_closed_port_does_not_answer(
    system: str, peers: dict[str, dict[str, str]], closed_port: int
) -> None:
    _, secrets = _split(peers[system])
    result = await check_connection(system, f"http://127.0.0.1:{closed_port}", secrets)
    assert not result.ok and result.problem == "no_answer"
    assert result.detail.startswith(f"127.0.0.1:{closed_port} does not answer (")


@pytest.mark.parametrize("system", SYSTEMS)
async def test_https_to_a_plain_http_port_is_a_tls_failure(
    system: str, peers: dict[str, dict[str, str]]
) -> None:
    base, secrets = _split(peers[system])
    result = await check_connection(system, base.replace("http://", "https://"), secrets)
    assert not result.ok and result.problem == "tls_failed"
    assert result.detail.startswith("TLS with 127.0.0.1:")


async def test_a_missing_secret_is_named_without_sending_anything() -> None:
    result = await check_connection("wps", "http://127.0.0.1:9", {"api_token": "  "})
    assert result.problem == "key_refused" and result.detail == "the connection has no api_token"


async def test_a_redirect_names_where_it_goes() -> None:
    """A shop on http that redirects to https: runs never follow redirects, so say where."""

    def redirect(request: httpx.Request) -> httpx.Response:
        return httpx.Response(301, headers={"location": "https://shop.example/wp-json/wc/v3/"})

    probe = Probe(path="/wp-json/wc/v3/products", not_the_api=lambda r, b: None)
    result = await run_probe(
        "woocommerce",
        "WooCommerce",
        "http://shop.example",
        probe,
        transport=httpx.MockTransport(redirect),
    )
    assert result.problem == "not_the_api"
    assert result.detail == (
        "http://shop.example/wp-json/wc/v3/products redirects (HTTP 301) to "
        "https://shop.example/wp-json/wc/v3/; give the URL it redirects to"
    )


async def test_the_apis_words_reach_the_operator_on_one_line_without_control_characters() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"message": "Bad\nkey \x1b[31mred\x1b[0m\tplease"})

    probe = Probe(path="/items", not_the_api=lambda r, b: None)
    result = await run_probe(
        "wps", "WPS", "http://wps.example", probe, transport=httpx.MockTransport(refuse)
    )
    assert result.detail == "WPS refused the credentials (HTTP 401: Bad key [31mred[0m please)"
