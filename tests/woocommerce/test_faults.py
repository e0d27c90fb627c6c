"""The sandbox's faults: 5xx, 429 bursts, dropped connections, malformed bodies, revoked keys."""

from __future__ import annotations

from tests.woocommerce.conftest import Shop


async def test_server_errors_and_dropped_connections_are_retried(sqlite_shop: Shop) -> None:
    shop = sqlite_shop
    shop.woo.faults(error_rate=0.3, drop_connection=0.1, seed=11)
    run = await shop.run("import_listings")
    assert run.status == "succeeded", run.error
    assert run.counters["parents_created"] == len(shop.woo.state.products)
    assert shop.sleeps, "the faults should have caused retries"


async def test_a_429_burst_waits_as_long_as_retry_after_says(sqlite_shop: Shop) -> None:
    shop = sqlite_shop
    shop.woo.faults(burst_429=3)
    run = await shop.run("import_listings")
    assert run.status == "succeeded", run.error
    assert shop.sleeps[:3] == [2.0, 2.0, 2.0]  # the sandbox's Retry-After: 2


async def test_malformed_bodies_are_fetched_again(sqlite_shop: Shop) -> None:
    shop = sqlite_shop
    shop.woo.faults(malformed=0.2, seed=3)
    run = await shop.run("import_listings")
    assert run.status == "succeeded", run.error
    assert run.counters["variants_created"] == len(shop.variants())


async def test_always_malformed_fails_the_run_with_a_clear_error(sqlite_shop: Shop) -> None:
    shop = sqlite_shop
    shop.woo.faults(malformed=1.0)
    run = await shop.run("import_listings")
    assert run.status == "failed"
    assert "the response is not JSON" in (run.error or "")
    assert shop.integration("import_listings").paused_reason is None


async def test_expired_credentials_pause_the_integration(sqlite_shop: Shop) -> None:
    shop = sqlite_shop
    shop.woo.faults(expired_credentials=True)
    run = await shop.run("get_orders")
    assert run.status == "failed"
    paused = shop.integration("get_orders").paused_reason or ""
    assert "HTTP 401" in paused and "rejected the credentials" in paused
    secrets = shop.woo.sandbox.credentials.values()
    assert not any(s in (run.error or "") or s in paused for s in secrets)


async def test_a_wrong_secret_is_an_auth_error_over_oauth(sqlite_shop: Shop) -> None:
    shop = sqlite_shop
    from store.commands.setup import save_connection
    from store.crypto import SecretBox

    with shop.db.write() as session:
        save_connection(
            session,
            SecretBox(shop.db.settings.home),
            name="woo-conn",
            system="woocommerce",
            base_url=shop.woo.url,
            secrets={
                "consumer_key": shop.woo.sandbox.credentials["consumer_key"],
                "consumer_secret": "cs_wrong",
            },
        )
    run = await shop.run("get_orders")
    assert run.status == "failed"
    assert "Invalid signature" in (run.error or "")
    assert shop.integration("get_orders").paused_reason


async def test_basic_auth_over_https_stores(sqlite_shop: Shop) -> None:
    shop = sqlite_shop
    from connectors.auth import BasicAuth, OAuth1Auth
    from connectors.woocommerce.client import woocommerce_auth

    assert isinstance(woocommerce_auth("https://shop.example", "ck", "cs"), BasicAuth)
    assert isinstance(woocommerce_auth(shop.woo.url, "ck", "cs"), OAuth1Auth)
