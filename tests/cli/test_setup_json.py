"""`--json` on every set-up command (connections, sources, channels, shipping mappings,
mapping templates): one JSON object saying what was done, never a secret value; a refused
command prints one JSON object with the error and exits non-zero."""

from __future__ import annotations

import json
from typing import Any

import pytest

from store.db import Database

from .conftest import SECRETS, Run


def said(cli: Run, *argv: str) -> dict[str, Any]:
    """Run a command with --json that succeeds; its one JSON object."""
    status, out, err = cli(*argv, "--json")
    assert status == 0, err
    assert len(out.splitlines()) == 1, out  # one object, no text beside it
    result = json.loads(out)
    assert isinstance(result, dict)
    for secret in SECRETS.values():
        assert secret not in out
    return result


def refused(cli: Run, *argv: str) -> tuple[int, dict[str, Any], str]:
    """Run a command with --json that fails: (exit status, its JSON object, stderr)."""
    status, out, err = cli(*argv, "--json")
    assert status != 0
    assert len(out.splitlines()) == 1, out
    return status, json.loads(out), err


def test_set_up_commands_say_what_they_did_as_json(
    sqlite_db: Database, secrets_env: dict[str, str], cli: Run
) -> None:
    conn = said(
        cli, "connections", "add", "wps", "--system", "wps",
        "--url", "https://api.wps-inc.com", "--no-check",
    )  # fmt: skip
    assert conn["action"] == "connection.add"
    assert conn["connection"] == "wps"
    assert conn["secrets_set"] == ["api_token"]
    said(cli, "connections", "add", "woo", "--system", "woocommerce",
         "--url", "https://shop.example", "--no-check")  # fmt: skip

    changed = said(cli, "connections", "set", "wps", "--url", "https://api2.wps-inc.com")
    assert changed["action"] == "connection.update"
    assert changed["before"]["base_url"] == "https://api.wps-inc.com"
    assert changed["after"]["base_url"] == "https://api2.wps-inc.com"

    source = said(cli, "sources", "add", "wps", "--kind", "wps", "--connection", "wps",
                  "--sku-prefix", "WPS-")  # fmt: skip
    assert source == {
        "action": "source.add",
        "source": "wps",
        "kind": "wps",
        "connection": "wps",
        "priority": 100,
        "sku_prefix": "WPS-",
    }
    source = said(cli, "sources", "set", "wps", "--priority", "3")
    assert (source["before"]["priority"], source["after"]["priority"]) == (100, 3)

    channel = said(cli, "channels", "add", "woo", "--kind", "woocommerce", "--connection", "woo")
    assert channel["action"] == "channel.add"
    assert channel["auto_process"] is False
    channel = said(cli, "channels", "set", "woo", "--auto-process")
    assert (channel["before"]["auto_process"], channel["after"]["auto_process"]) == (False, True)

    mapping = said(cli, "mappings", "shipping", "add", "--channel", "woo", "Flat Rate", "ground")
    assert mapping == {
        "action": "shipping_mapping.set",
        "scope": "channel",
        "owner": "woo",
        "key": "flat_rate",
        "value": "ground",
        "was": None,
        "changed": True,
    }
    again = said(cli, "mappings", "shipping", "add", "--channel", "woo", "Flat Rate", "ground")
    assert again["changed"] is False
    gone = said(cli, "mappings", "shipping", "remove", "--channel", "woo", "Flat Rate")
    assert gone["action"] == "shipping_mapping.remove"
    assert gone["value"] == "ground"

    template = said(
        cli, "mappings", "templates", "add", "WPS Inventory 1", "--system", "wps",
        "--target", "inventory", "--map", "Sale Price=field:mapp_price",
    )  # fmt: skip
    assert template["action"] == "mapping_template.add"
    assert template["after"]["rules"] == {"sale_price": "field:mapp_price"}
    template = said(cli, "mappings", "templates", "set", "WPS Inventory 1", "--disable", "UPC")
    assert template["changed"] is True
    assert template["after"]["rules"] == {"sale_price": "field:mapp_price", "upc": "none"}
    template = said(cli, "mappings", "templates", "remove", "WPS Inventory 1")
    assert template == {
        "action": "mapping_template.remove",
        "template": "WPS Inventory 1",
        "before": template["before"],
    }

    # A connection in use is refused; once free it goes.
    said(cli, "connections", "add", "spare", "--system", "wps",
         "--url", "https://api.wps-inc.com", "--no-check")  # fmt: skip
    assert said(cli, "connections", "remove", "spare")["action"] == "connection.remove"


@pytest.mark.parametrize(
    ("argv", "status", "words"),
    [
        (("connections", "remove", "nobody"), 1, "no connection named 'nobody'"),
        (("sources", "set", "nobody", "--priority", "1"), 1, "no source named 'nobody'"),
        (("channels", "set", "nobody", "--auto-process"), 1, "no channel named 'nobody'"),
        (("sources", "set", "wps"), 2, "nothing to change"),
        (("connections", "add", "bad name", "--system", "wps", "--url", "https://x.example"),
         2, "connection name 'bad name' is not valid"),
        (("mappings", "shipping", "remove", "--source", "wps", "ground"), 1,
         "source wps has no shipping mapping 'ground'"),
        (("mappings", "templates", "remove", "nothing"), 1, "no mapping template named"),
        (("sources", "add", "x", "--kind", "nonsense", "--connection", "wps"), 2,
         "argument --kind: invalid choice"),
    ],
)  # fmt: skip
def test_a_refused_set_up_command_says_why_as_json_and_exits_non_zero(
    sqlite_db: Database,
    secrets_env: dict[str, str],
    cli: Run,
    argv: tuple[str, ...],
    status: int,
    words: str,
) -> None:
    said(cli, "connections", "add", "wps", "--system", "wps",
         "--url", "https://api.wps-inc.com", "--no-check")  # fmt: skip
    said(cli, "sources", "add", "wps", "--kind", "wps", "--connection", "wps")
    got, result, err = refused(cli, *argv)
    assert got == status
    assert result["exit_status"] == status
    assert words in result["error"]
    assert f"dropdeck: error: {result['error']}" in err  # the same line for a person


def test_connection_in_use_is_refused_as_json(
    sqlite_db: Database, secrets_env: dict[str, str], cli: Run
) -> None:
    said(cli, "connections", "add", "wps", "--system", "wps",
         "--url", "https://api.wps-inc.com", "--no-check")  # fmt: skip
    said(cli, "sources", "add", "wps", "--kind", "wps", "--connection", "wps")
    status, result, _ = refused(cli, "connections", "remove", "wps")
    assert status == 1
    assert result["error"].startswith("connection wps is used by source wps;")


def test_an_action_that_printed_its_object_is_not_followed_by_a_second(
    sqlite_db: Database, cli: Run
) -> None:
    # Listing actions print their own object, which names the unknown SKUs.
    status, result, _ = refused(cli, "listings", "pause", "NO-SUCH-SKU")
    assert status == 1
    assert result["unknown"] == ["NO-SUCH-SKU"]
    assert "error" not in result


def test_without_json_an_error_is_only_the_line_on_stderr(sqlite_db: Database, cli: Run) -> None:
    status, out, err = cli("connections", "remove", "nobody")
    assert (status, out) == (1, "")
    assert err.startswith("dropdeck: error: no connection named 'nobody'")
