"""Set-up says plainly that auto-process is off and what that means (requests wait as
pending until an operator sends them), where an operator following the README looks."""

from __future__ import annotations

from store.db import Database

from .conftest import Run


def test_channel_and_send_orders_set_up_say_auto_process_is_off(
    sqlite_db: Database, cli: Run, secrets_env: dict[str, str]
) -> None:
    for argv in (
        (
            "connections",
            "add",
            "woo-shop",
            "--system",
            "woocommerce",
            "--url",
            "https://shop.example/",
            "--no-check",
        ),
        (
            "connections",
            "add",
            "wps",
            "--system",
            "wps",
            "--url",
            "https://api.wps-inc.com",
            "--no-check",
        ),
        ("sources", "add", "wps", "--kind", "wps", "--connection", "wps"),
    ):
        status, _, err = cli(*argv)
        assert status == 0, err
    status, out, err = cli(
        "channels", "add", "woo-shop", "--kind", "woocommerce", "--connection", "woo-shop"
    )
    assert status == 0, err
    assert "auto-process off: its orders' fulfillment requests wait as pending" in out
    assert "'dropdeck orders send ORDER'" in out
    assert "'dropdeck channels set woo-shop --auto-process'" in out
    status, out, err = cli("integrations", "add", "wps", "send_orders", "--every", "5m")
    assert status == 0, err
    assert (
        "channel woo-shop: auto-process off, so send_orders leaves its orders pending; send "
        "each with 'dropdeck orders send ORDER', or 'dropdeck channels set woo-shop "
        "--auto-process'"
    ) in out
    status, out, _ = cli("channels", "set", "woo-shop", "--auto-process")
    assert status == 0 and "auto-process ON" in out
