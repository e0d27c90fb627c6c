"""`dropdeck mappings templates`: saved mapping templates, checked the way a run reads them."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from store.db import Database
from store.models import AuditEvent, Integration, MappingTemplate

from .conftest import Run

JsonRun = Callable[..., list[dict[str, object]]]


def set_up(cli: Run) -> None:
    for argv in (
        ("connections", "add", "wps", "--system", "wps", "--url", "https://api.wps-inc.com",
         "--no-check"),
        ("sources", "add", "wps", "--kind", "wps", "--connection", "wps", "--sku-prefix", "WPS-"),
    ):  # fmt: skip
        status, _, err = cli(*argv)
        assert status == 0, err


def test_add_show_list_set_remove(
    sqlite_db: Database, secrets_env: dict[str, str], cli: Run, cli_json: JsonRun
) -> None:
    set_up(cli)
    status, out, err = cli(
        "mappings", "templates", "add", "WPS Inventory 1", "--system", "wps",
        "--target", "inventory", "--map", "Sale Price=field:mapp_price", "--disable", "UPC",
    )  # fmt: skip
    assert status == 0, err
    assert out == "mapping template 'WPS Inventory 1' added (WPS inventory)\n"
    with sqlite_db.read() as session:
        saved = session.scalars(sa.select(MappingTemplate)).one()
    # Stored by key, whatever words the operator used.
    assert (saved.system, saved.target) == ("wps", "inventory")
    assert saved.rules == {"sale_price": "field:mapp_price", "upc": "none"}

    # An integration names it; its runs read the stored object.
    status, _, err = cli(
        "integrations", "add", "wps", "get_inventory", "--set", "mapping_template=WPS Inventory 1"
    )
    assert status == 0, err
    rows = cli_json("mappings", "templates", "list", "--json")
    assert rows == [
        {
            "name": "WPS Inventory 1",
            "system": "wps",
            "target": "inventory",
            "rules": {"sale_price": "field:mapp_price", "upc": "none"},
            "mapping_sets": {},
            "used_by": ["wps/get_inventory"],
        }
    ]
    [shown] = cli_json("mappings", "templates", "show", "WPS Inventory 1", "--json")
    fields = {f["field"]: f for f in shown["fields"]}  # type: ignore[union-attr]
    assert fields["Sale Price"]["rule"] == "field:mapp_price"
    assert fields["Sale Price"]["maps_to"] == "Discounted Price"
    assert fields["UPC"]["enabled"] is False
    assert fields["Inventory Level"] == {
        "field": "Inventory Level",
        "key": "inventory_level",
        "maps_to": "Quantity",
        "rule": "field:quantity",
        "from": "default",
        "required": True,
        "enabled": True,
    }
    assert fields["Variant Sale Price"]["from"] == "follows Sale Price"
    status, out, _ = cli("mappings", "templates", "show", "WPS Inventory 1")
    assert status == 0
    assert "used by: wps/get_inventory" in out
    assert any(
        line.split()[:2] == ["UPC", "UPC"] and "Disabled" in line for line in out.splitlines()
    )

    # set: enable UPC again (its default), map Availability Date.
    status, out, err = cli(
        "mappings", "templates", "set", "WPS Inventory 1", "--default", "UPC",
        "--map", "Availability Date=field:published_at",
    )  # fmt: skip
    assert status == 0, err
    assert "used by wps/get_inventory" in out
    with sqlite_db.read() as session:
        saved = session.scalars(sa.select(MappingTemplate)).one()
        actions = session.scalars(sa.select(AuditEvent.action)).all()
    assert saved.rules == {
        "sale_price": "field:mapp_price",
        "availability_date": "field:published_at",
    }
    assert "mapping_template.add" in actions and "mapping_template.update" in actions

    # remove: refused while an integration names it, then done.
    status, _, err = cli("mappings", "templates", "remove", "WPS Inventory 1")
    assert status == 1
    assert err.strip() == (
        "dropdeck: error: mapping template 'WPS Inventory 1' is used by wps/get_inventory; "
        "point them elsewhere first (e.g. 'dropdeck integrations set wps/get_inventory --unset "
        "mapping_template')"
    )
    assert cli("integrations", "set", "wps/get_inventory", "--unset", "mapping_template")[0] == 0
    status, out, err = cli("mappings", "templates", "remove", "WPS Inventory 1")
    assert status == 0, err
    assert cli_json("mappings", "templates", "list", "--json") == []


def test_bad_templates_are_refused_before_they_are_saved(
    sqlite_db: Database, secrets_env: dict[str, str], cli: Run
) -> None:
    set_up(cli)

    def refused(*argv: str) -> str:
        status, out, err = cli("mappings", "templates", *argv)
        assert status != 0 and not out
        return err.strip()

    wps = ("--system", "wps", "--target", "inventory")
    assert refused("add", "t", *wps, "--disable", "Inventory Level") == (
        "dropdeck: error: template 't': Invalid request: Missing required field "
        "'inventory_level' for inventory sync"
    )
    assert refused("add", "t", *wps, "--map", "Colour=field:x").startswith(
        "dropdeck: error: template 't': get_inventory setting 'mapping_template': cannot map "
        "Colour; targets are sku, inventory_level, "
    )
    assert refused("add", "t", *wps, "--map", "UPC=bogus:x") == (
        "dropdeck: error: template 't': get_inventory setting 'mapping_template': unknown "
        "mapping rule 'bogus': use one of none, empty, field, value, set"
    )
    assert "--map 'UPC': give FIELD=RULE, e.g. 'UPC=field:upc'" in refused(
        "add", "t", *wps, "--map", "UPC"
    )
    assert refused("add", "t", "--system", "woocommerce", "--target", "inventory") == (
        "dropdeck: error: WooCommerce has no 'inventory' mapping template; its templates map: none"
    )
    assert "its templates map: inventory, order, shipment, invoice" in refused(
        "add", "t", "--system", "usdirect", "--target", "listing"
    )
    assert "is not valid" in refused("add", " x\x1b[31m", *wps)
    assert refused("show", "nope") == (
        "dropdeck: error: no mapping template named 'nope' (see 'dropdeck mappings templates list')"
    )
    # A change that would break an integration naming the template is refused too.
    assert cli("mappings", "templates", "add", "ok", *wps)[0] == 0
    assert cli("integrations", "add", "wps", "get_pqs", "--set", "mapping_template=ok")[0] == 0
    assert refused("set", "ok", "--disable", "SKU") == (
        "dropdeck: error: template 'ok': Invalid request: Missing required field 'sku' for "
        "inventory sync"
    )
    # An order template of WPS can be saved, and named only by send_orders.
    assert cli("mappings", "templates", "add", "WPS Send Orders 1", "--system", "wps",
               "--target", "order", "--map", "ship_phone=none")[0] == 0  # fmt: skip
    status, _, err = cli(
        "integrations", "add", "wps", "get_inventory", "--set", "mapping_template=WPS Send Orders 1"
    )
    assert status != 0
    assert "'WPS Send Orders 1' maps 'order', not 'inventory'" in err
    with sqlite_db.read() as session:
        names = session.scalars(sa.select(MappingTemplate.name)).all()
        integrations = session.scalars(sa.select(Integration.name)).all()
    assert sorted(names) == ["WPS Send Orders 1", "ok"]
    assert integrations == ["wps/get_pqs"]


def test_us_direct_templates_use_the_guides_words(
    sqlite_db: Database, secrets_env: dict[str, str], cli: Run, cli_json: JsonRun
) -> None:
    status, _, err = cli(
        "mappings", "templates", "add", "USD shipments", "--system", "usdirect",
        "--target", "shipment", "--disable", "Carrier",
    )  # fmt: skip
    assert status == 0, err
    [shown] = cli_json("mappings", "templates", "show", "USD shipments", "--json")
    fields = {f["field"]: f for f in shown["fields"]}  # type: ignore[union-attr]
    assert fields["Carrier"]["enabled"] is False
    assert fields["Tracking Number"]["required"] is True
