"""Setting a business up from nothing through the CLI (DESIGN §5): connections, sources,
channels, integrations and shipping mappings, with secrets sealed and never shown."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
import sqlalchemy as sa

from console.runtime.scheduler import trigger_for
from store.commands.shipping import shipping_key
from store.crypto import SecretBox
from store.db import Database
from store.models import AuditEvent, Connection, Integration

from .conftest import Run

INTEGRATION_FIELDS = {
    "name",
    "system",
    "kind",
    "owner",
    "schedule",
    "every_seconds",
    "enabled",
    "paused",
    "paused_reason",
    "last_run",
}


def set_up_business(cli: Run) -> list[str]:
    """The README's worked example; returns every stdout it printed."""
    steps = [
        # Made-up hosts: saved untested (tests/cli/test_connection_check.py runs the check).
        ("connections", "add", "woo-shop", "--system", "woocommerce",
         "--url", "https://shop.example/", "--no-check"),
        ("connections", "add", "wps", "--system", "wps", "--url", "https://api.wps-inc.com",
         "--no-check"),
        ("sources", "add", "wps", "--kind", "wps", "--connection", "wps",
         "--sku-prefix", "WPS-", "--priority", "1"),
        ("channels", "add", "woo-shop", "--kind", "woocommerce", "--connection", "woo-shop"),
        ("integrations", "add", "wps", "get_inventory", "--every", "6h"),
        ("integrations", "add", "wps", "get_pqs", "--cron", "*/15 * * * *",
         "--set", 'warehouses=["CA","TX"]'),
        ("integrations", "add", "wps", "send_orders", "--every", "5m"),
        ("integrations", "add", "wps", "get_shipments", "--every", "30m"),
        ("integrations", "add", "woo-shop", "import_listings", "--set", "new_listings_paused=true"),
        ("integrations", "add", "woo-shop", "sync_listings", "--every", "10m",
         "--settings-json", '{"markup_percent": 25, "safety_buffer": 2}'),
        ("integrations", "add", "woo-shop", "get_orders", "--every", "10m",
         "--set", "days=3", "--set", 'statuses=["processing","on-hold"]'),
        ("integrations", "add", "woo-shop", "sync_orders", "--every", "1h30m"),
        ("mappings", "shipping", "add", "--channel", "woo-shop", "Flat Rate", "ground"),
        ("mappings", "shipping", "add", "--channel", "woo-shop", "Free shipping", "ground"),
        ("mappings", "shipping", "add", "--source", "wps", "ground", "best"),
    ]  # fmt: skip
    outputs = []
    for argv in steps:
        status, out, err = cli(*argv)
        assert status == 0, f"{argv}: {err}"
        outputs.append(out)
    return outputs


def test_a_business_set_up_from_nothing_shows_in_integrations_json(
    sqlite_db: Database,
    secrets_env: dict[str, str],
    cli: Run,
    cli_json: Callable[..., list[dict[str, object]]],
) -> None:
    outputs = set_up_business(cli)

    rows = {r["name"]: r for r in cli_json("integrations", "--json")}
    assert set(rows) == {
        "wps/get_inventory",
        "wps/get_pqs",
        "wps/send_orders",
        "wps/get_shipments",
        "woo-shop/import_listings",
        "woo-shop/sync_listings",
        "woo-shop/get_orders",
        "woo-shop/sync_orders",
    }
    assert all(set(r) == INTEGRATION_FIELDS for r in rows.values())
    assert rows["wps/get_inventory"]["schedule"] == "every 6h"
    assert rows["wps/get_pqs"]["schedule"] == "cron */15 * * * *"
    assert rows["woo-shop/sync_orders"]["schedule"] == "every 1h30m"
    assert rows["woo-shop/import_listings"]["schedule"] == "manual"
    assert rows["woo-shop/get_orders"]["system"] == "woocommerce"
    assert all(r["enabled"] and not r["paused"] for r in rows.values())

    with sqlite_db.read() as session:
        settings = {i.name: i.settings for i in session.scalars(sa.select(Integration))}
        # What the scheduler will build from these rows: the CLI's schedules are usable.
        triggers = {i.name: trigger_for(i) for i in session.scalars(sa.select(Integration))}
    assert settings["woo-shop/get_orders"] == {"days": 3, "statuses": ["processing", "on-hold"]}
    assert settings["woo-shop/sync_listings"] == {"markup_percent": 25, "safety_buffer": 2}
    assert settings["wps/get_pqs"] == {"warehouses": ["CA", "TX"]}
    assert triggers["woo-shop/import_listings"] is None
    assert all(t is not None for n, t in triggers.items() if n != "woo-shop/import_listings")

    sources = cli_json("sources", "list", "--json")
    assert sources == [
        {
            "name": "wps",
            "kind": "wps",
            "connection": "wps",
            "priority": 1,
            "sku_prefix": "WPS-",
            "integrations": ["get_inventory", "get_pqs", "get_shipments", "send_orders"],
        }
    ]
    channels = cli_json("channels", "--json")
    assert channels[0]["auto_process"] is False and channels[0]["connection"] == "woo-shop"
    conns = {c["name"]: c for c in cli_json("connections", "list", "--json")}
    assert conns["woo-shop"] == {
        "name": "woo-shop",
        "system": "woocommerce",
        "base_url": "https://shop.example",
        "secrets_set": ["consumer_key", "consumer_secret"],
        "secrets_missing": [],
        "used_by": ["channel woo-shop"],
    }
    mappings = cli_json("mappings", "shipping", "list", "--json")
    assert mappings == [
        {"scope": "channel", "owner": "woo-shop", "key": "flat_rate", "value": "ground"},
        {"scope": "channel", "owner": "woo-shop", "key": "free_shipping", "value": "ground"},
        {"scope": "source", "owner": "wps", "key": "ground", "value": "BEST"},
    ]
    # Keys are made the way get_orders makes them, so an imported "Flat Rate" order maps.
    assert shipping_key("Flat Rate") == "flat_rate"

    # Secrets: sealed at rest, readable with the key, and in no output or audit row.
    with sqlite_db.read() as session:
        stored = {c.name: c.secrets for c in session.scalars(sa.select(Connection))}
        audits = session.scalars(sa.select(AuditEvent)).all()
    box = SecretBox(sqlite_db.settings.home)
    assert box.open(stored["wps"]) == {"api_token": secrets_env["DROPDECK_SECRET_API_TOKEN"]}
    audit_text = json.dumps([[a.actor, a.action, a.before, a.after] for a in audits])
    everything = "\n".join([*outputs, audit_text, *stored.values()])
    for value in secrets_env.values():
        assert value not in everything
    assert {a.action for a in audits} >= {
        "connection.add",
        "source.add",
        "channel.add",
        "integration.add",
        "shipping_mapping.set",
    }
    assert all(a.actor.endswith("@cli") for a in audits)


def test_secrets_are_typed_at_a_hidden_prompt_on_a_terminal(
    sqlite_db: Database, cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    asked: list[str] = []

    def fake_getpass(prompt: str) -> str:
        asked.append(prompt)
        return "  typed-token\n"

    monkeypatch.setattr("getpass.getpass", fake_getpass)
    status, out, err = cli(
        "connections", "add", "wps", "--system", "wps", "--url", "https://x.io", "--no-check"
    )
    assert status == 0, err
    assert asked == ["wps api_token: "]
    assert "typed-token" not in out
    with sqlite_db.read() as session:
        token = session.scalars(sa.select(Connection.secrets)).one()
    assert SecretBox(sqlite_db.settings.home).open(token) == {"api_token": "typed-token"}


def test_a_missing_secret_without_a_terminal_names_the_variable(
    sqlite_db: Database, cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DROPDECK_SECRET_CONSUMER_KEY", "ck_only")
    status, out, err = cli(
        "connections", "add", "woo", "--system", "woocommerce", "--url", "https://s.example"
    )
    assert status == 2
    assert err.count("\n") == 1
    assert "consumer_secret is missing" in err and "DROPDECK_SECRET_CONSUMER_SECRET" in err
    assert "ck_only" not in out + err
    assert cli("connections", "--json")[1].strip() == "[]"


def test_connection_changes_and_removal(
    sqlite_db: Database, secrets_env: dict[str, str], cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_up_business(cli)
    status, _, err = cli("connections", "remove", "wps")
    assert status == 1 and "used by source wps" in err and err.count("\n") == 1
    assert (
        cli("connections", "add", "wps", "--system", "wps", "--url", "https://a.b")[0] == 1
    )  # taken

    monkeypatch.setenv("DROPDECK_SECRET_API_TOKEN", "rotated-token")
    status, _, err = cli("connections", "set", "wps", "--secrets")
    assert status == 0, err
    with sqlite_db.read() as session:
        sealed = session.scalars(sa.select(Connection.secrets).where(Connection.name == "wps"))
        assert SecretBox(sqlite_db.settings.home).open(sealed.one())["api_token"] == "rotated-token"
        last = session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert last is not None and last.action == "connection.update"
    assert "rotated-token" not in json.dumps([last.before, last.after])

    monkeypatch.setenv("DROPDECK_SECRET_API_TOKEN", "spare-token")
    assert (
        cli("connections", "add", "wps2", "--system", "wps", "--url", "https://a.b", "--no-check")[
            0
        ]
        == 0
    )
    assert cli("sources", "set", "wps", "--connection", "wps2")[0] == 0
    status, _, err = cli("connections", "remove", "wps")
    assert status == 0, err
    names = [c["name"] for c in json.loads(cli("connections", "--json")[1])]
    assert names == ["woo-shop", "wps2"]


# (argv, exit status, part of the one-line error), all against the business set up above.
BAD_SET_UP: list[tuple[tuple[str, ...], int, str]] = [
    (
        ("integrations", "add", "woo-shop", "frobnicate"),
        2,
        "kinds: get_orders, import_listings",
    ),
    (("integrations", "add", "wps", "sync_listings"), 2, "kinds: get_inventory, get_invoice"),
    (("integrations", "add", "nobody", "get_orders"), 1, "no source or channel named 'nobody'"),
    (("integrations", "add", "woo-shop", "get_orders", "--every", "10x"), 2, "--every '10x'"),
    (("integrations", "add", "woo-shop", "get_orders", "--every", "0m"), 2, "more than 0"),
    (("integrations", "add", "woo-shop", "get_orders", "--every", "745h"), 2, "at most 31 days"),
    (
        ("integrations", "set", "wps/get_inventory", "--every", "10000000000h"),
        2,
        "--every '10000000000h': the interval may be at most 31 days (744h)",
    ),
    (("integrations", "set", "wps/get_inventory", "--every", "9" * 5000), 2, "at most 31 days"),
    (("integrations", "add", "woo-shop", "get_orders", "--cron", "*/5 * * *"), 2, "--cron"),
    (("integrations", "add", "woo-shop", "get_orders", "--cron", "61 * * * *"), 2, "(61)"),
    (
        (
            "integrations",
            "add",
            "woo-shop",
            "get_orders",
            "--every",
            "5m",
            "--cron",
            "* * * * *",
        ),
        2,
        "not allowed with argument",
    ),
    (
        ("integrations", "add", "woo-shop", "link_listings", "--set", "match_on=title"),
        2,
        "woo-shop/link_listings: invalid setting: match_on must be 'sku' or 'upc'",
    ),
    (
        ("integrations", "add", "woo-shop", "link_listings", "--set", "match=sku"),
        2,
        "unknown setting match; link_listings takes api_version, match_on",
    ),
    (("integrations", "add", "woo-shop", "get_orders", "--set", "days"), 2, "KEY=VALUE"),
    (("integrations", "add", "woo-shop", "get_orders", "--settings-json", "[1]"), 2, "object"),
    (
        ("integrations", "add", "wps", "get_invoice", "--set", "within_days=3651"),
        2,
        "get_invoice setting 'within_days' must be at most 3650 days (or null), not 3651",
    ),
    (
        ("integrations", "add", "wps", "get_invoice", "--set", "within_days=0"),
        2,
        "get_invoice setting 'within_days' must be a whole number of days",
    ),
    (
        ("integrations", "add", "wps", "get_inventory", "--set", "mapping_template=nope"),
        2,
        "no mapping template named 'nope'",
    ),
    (
        ("integrations", "add", "woo-shop", "import_listings", "--every", "1h"),
        2,
        "import_listings runs only by hand",
    ),
    (
        ("integrations", "set", "woo-shop/import_listings", "--cron", "0 * * * *"),
        2,
        "import_listings runs only by hand",
    ),
    (("integrations", "add", "woo-shop", "get_orders"), 1, "already exists"),
    (("integrations", "set", "woo-shop/get_orders", "--set", "days=0"), 2, "days must be"),
    (("integrations", "set", "woo-shop/get_orders"), 2, "nothing to change"),
    (("integrations", "set", "woo-shop/nope", "--disable"), 1, "no integration named"),
    (("sources", "add", "shop", "--kind", "wps", "--connection", "woo-shop"), 1, "is for wo"),
    (
        ("channels", "add", "wps", "--kind", "woocommerce", "--connection", "woo-shop"),
        1,
        "a source named 'wps' already exists",
    ),
    (
        ("channels", "add", "a/b", "--kind", "woocommerce", "--connection", "woo-shop"),
        2,
        "not valid",
    ),
    (("mappings", "shipping", "add", "--source", "wps", "express", "FDXG"), 2, "BEST"),
    (("mappings", "shipping", "add", "--channel", "nope", "Flat", "ground"), 1, "no channel"),
    (("mappings", "shipping", "remove", "--channel", "woo-shop", "Pickup"), 1, "'pickup'"),
    (("connections", "add", "x", "--system", "wps", "--url", "ftp://x"), 2, "http(s) URL"),
    (
        ("connections", "add", "x", "--system", "woocommerce", "--url", "https://s.io/wp-json"),
        2,
        "without /wp-json",
    ),
]


def test_bad_set_up_is_one_line_with_the_right_status(
    sqlite_db: Database, secrets_env: dict[str, str], cli: Run
) -> None:
    # One set-up for every case (each costs a second); the failure names the case.
    set_up_business(cli)
    with sqlite_db.read() as session:
        audited = session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    for argv, status, message in BAD_SET_UP:
        code, _, err = cli(*argv)
        assert code == status, (argv, err)
        assert err.startswith("dropdeck: error: ") and err.count("\n") == 1, (argv, err)
        assert message in err, (argv, err)
    with sqlite_db.read() as session:
        after = session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    assert after == audited, "a refused change is neither made nor audited"


def test_integrations_set_changes_schedule_settings_and_state(
    sqlite_db: Database, secrets_env: dict[str, str], cli: Run
) -> None:
    set_up_business(cli)
    status, out, err = cli(
        "integrations", "set", "woo-shop/get_orders", "--cron", "0 * * * *",
        "--set", "days=14", "--unset", "statuses", "--disable",
    )  # fmt: skip
    assert status == 0, err
    assert "cron 0 * * * *" in out and "disabled" in out
    with sqlite_db.read() as session:
        row = session.scalars(
            sa.select(Integration).where(Integration.name == "woo-shop/get_orders")
        ).one()
        last = session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (row.schedule_type, row.schedule_value, row.enabled) == ("cron", "0 * * * *", False)
    assert row.settings == {"days": 14}
    assert trigger_for(row) is None  # disabled: the scheduler drops it on its next read
    assert last is not None and last.action == "integration.update"
    assert last.before["settings"]["days"] == 3 and last.after["enabled"] is False

    assert cli("integrations", "set", "woo-shop/get_orders", "--enable", "--manual")[0] == 0
    with sqlite_db.read() as session:
        row = session.scalars(
            sa.select(Integration).where(Integration.name == "woo-shop/get_orders")
        ).one()
    assert (row.schedule_type, row.enabled) == ("manual", True)


def test_mapping_add_replaces_and_remove_normalises_the_text(
    sqlite_db: Database, secrets_env: dict[str, str], cli: Run
) -> None:
    set_up_business(cli)
    status, out, _ = cli("mappings", "shipping", "add", "--channel", "woo-shop", "flat rate", "x")
    assert status == 0 and "flat_rate -> x (was ground)" in out
    status, out, _ = cli("mappings", "shipping", "remove", "--channel", "woo-shop", " FLAT  Rate")
    assert status == 0 and "flat_rate removed" in out
    rows = json.loads(cli("mappings", "shipping", "list", "--channel", "woo-shop", "--json")[1])
    assert [r["key"] for r in rows] == ["free_shipping"]
