"""The WPS inventory template's targets and the parent SKU rule, as pure functions."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from connectors.errors import MappingError
from connectors.settings import SettingsError, no_templates
from connectors.wps import mapping as m
from connectors.wps import parents
from connectors.wps import targets as t
from connectors.wps.settings import InventorySettings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "wps"
NOW = datetime(2026, 8, 5, tzinfo=UTC)


def item(n: int = 0, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / "items_page.json").read_text())["data"][n]
    return {**data, **changes}


def row(
    rules: dict[str, Any], record: dict[str, Any], *, pqs_only: bool = False, **kwargs: Any
) -> dict[str, Any]:
    how = m.InventoryMapping(
        source_id=3,
        sku_prefix="WPS-",
        attribute_keys={1: "Size", 2: "Color"},
        template=m.inventory_template(rules, None),
        now=NOW,
        **kwargs,
    )
    return m.item_to_row(record, how, pqs_only=pqs_only)


def test_every_guide_target_is_mappable_with_its_words() -> None:
    labels = {target.label for target in t.TARGETS}
    for words in (
        "SKU",
        "Inventory Level",
        "Inventory Tracking",
        "Stock Status",
        "Allow Backorders",
        "UPC",
        "MPN",
        "Variant SKU",
        "Variant Inventory Level",
        "Variant Allow Backorders",
        "Inventory Warning Level",
        "Availability Date",
        "Price",
        "Sale Price",
        "Cost Price",
        "Retail Price",
        "Variant Price",
        "Variant Sale Price",
        "Weight",
        "Width",
        "Height",
        "Depth",
    ):
        assert words in labels
        assert t.canonical({words: "none"}) == {t.ALIASES[words]: "none"}
    # The guide's Pricing & Quantity Focus list, sale prices included.
    assert {x.label for x in t.TARGETS if x.pqs} >= {
        "SKU",
        "Inventory Level",
        "Stock Status",
        "Price",
        "Sale Price",
        "Cost Price",
        "Retail Price",
        "Variant SKU",
        "Variant Inventory Level",
        "Variant Price",
        "Variant Sale Price",
    }


def test_values_of_every_target() -> None:
    rules = {
        "Sale Price": "field:mapp_price",
        "Availability Date": "value:2025-06-01",
        "Allow Backorders": "value:true",
        "Inventory Warning Level": "value:10",
        "Depth": "field:width",
    }
    variant = row(rules, item(0))  # size L, colour Red
    assert variant["sale_price"] == Decimal("37.95")
    assert variant["available_on"] == datetime(2025, 6, 1, tzinfo=UTC)
    assert variant["allow_backorders"] is True
    assert variant["low_stock_threshold"] == 10
    assert variant["inventory_tracking"] == "variant"
    assert (variant["weight"], variant["width"], variant["height"]) == (0.6, 10.0, 2.0)
    assert variant["length"] == 10.0  # Depth → Length, here from the item's width
    assert (variant["upc"], variant["mpn"]) == ("191361123456", "SP0000101")
    assert (variant["list_price"], variant["cost"], variant["msrp"]) == (
        Decimal("39.95"),
        Decimal("27.17"),
        Decimal("39.95"),
    )
    alone = row(rules, item(1))
    assert alone["inventory_tracking"] == "product" and alone["parent_sku"] == alone["sku"]


def test_variant_targets_apply_to_variants_and_follow_their_plain_target() -> None:
    rules = {
        "sale_price": "value:9.50",
        "variant_sale_price": "field:mapp_price",
        "variant_allow_backorders": "value:yes",
        "variant_price": "value:41",
    }
    variant, alone = row(rules, item(0)), row(rules, item(1))
    assert variant["sale_price"] == Decimal("37.95") and alone["sale_price"] == Decimal("9.50")
    assert variant["list_price"] == Decimal("41.00") and alone["list_price"] != Decimal("41.00")
    assert variant["allow_backorders"] is True and alone["allow_backorders"] is False
    # Unmapped Variant targets follow the plain one.
    assert row({"Sale Price": "value:3"}, item(0))["sale_price"] == Decimal("3.00")
    # A price & quantity row tells variants apart too when the template maps them apart.
    pqs = row(rules, item(0), pqs_only=True)
    assert pqs["sale_price"] == Decimal("37.95") and "allow_backorders" not in pqs


def test_disabled_field_is_not_imported() -> None:
    record = item(0)
    assert row({}, record)["upc"] == "191361123456"
    assert row({"upc": "none"}, record)["upc"] is None
    assert row({"UPC": "none", "MPN": "none"}, record)["mpn"] is None
    template = m.inventory_template({"upc": "none", "price": "none"}, None)
    owned = t.owned_columns(template, pqs_only=False)
    assert "upc" not in owned and "list_price" not in owned and "cost" in owned
    # The variant target alone keeps the column: stand-alone rows then leave it empty.
    template = m.inventory_template({"price": "none", "variant_price": "field:list_price"}, None)
    assert "list_price" in t.owned_columns(template, pqs_only=True)


def test_bad_values_name_the_field_and_the_item() -> None:
    with pytest.raises(MappingError) as err:
        row({"Inventory Warning Level": "field:name"}, item(0))
    assert err.value.record_ref == "WPS item 101 (SKU 87-4410L)"
    assert err.value.reason == "name 'Fly Racing Kinetic Jersey L Red' is not a whole number"
    with pytest.raises(MappingError, match="is not a date"):
        row({"availability_date": "value:soon"}, item(0))
    with pytest.raises(MappingError, match="'maybe' is not true or false"):
        row({"allow_backorders": "value:maybe"}, item(0))
    with pytest.raises(MappingError, match="sale_price 'x' is not a price"):
        row({"sale_price": "value:x"}, item(0))


def parse(rules: dict[str, Any]) -> InventorySettings:
    return InventorySettings.parse(
        {"mapping_template": rules},
        integration="wps/get_inventory",
        kind="get_inventory",
        templates=no_templates,
    )


def test_settings_take_the_guides_words_and_refuse_the_rest() -> None:
    cfg = parse({"Sale Price": "field:mapp_price", "list_price": "field:mapp_price"})
    assert cfg.template.rules["sale_price"].arg == "mapp_price"
    assert cfg.template.rules["price"].arg == "mapp_price"  # an earlier key still works
    with pytest.raises(SettingsError) as err:
        parse({"Price": "none", "price": "none"})
    assert str(err.value) == (
        "get_inventory setting 'mapping_template': price is mapped twice (as 'price' too)"
    )
    with pytest.raises(SettingsError, match="cannot map Colour Code; targets are sku, "):
        parse({"Colour Code": "field:x"})
    with pytest.raises(SettingsError) as err:
        parse({"Inventory Level": "none"})
    assert str(err.value) == (
        "Invalid request: Missing required field 'inventory_level' for inventory sync"
    )


# -- parent SKU -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("skus", "stem"),
    [
        (["87-4446-BK-L", "87-4446-BK-M", "87-4446-RD-L"], "87-4446"),  # the guide's example
        (["87-4446-L", "87-4446_M"], "87-4446"),  # separators may differ
        (["87-4446-BK-L", "87-4446-BK-M"], "87-4446-BK"),  # one colour: the stem is longer
        (["373-0220S", "373-0220M"], "373"),  # no separator before the size: cut earlier
        (["87-4446-L"], None),  # one item: no common stem to find
        (["ABC", "ABD"], None),  # no separator at all
        (["-L", "-M"], None),  # nothing before the separator
        (["--L", "--M"], None),
        (["  / L", "  / M"], None),
        (["É-ü-L", "É-ü-M"], "É-ü"),  # unicode is kept as it is
        (['87"44-L', '87"44-M'], '87"44'),  # so are quotes
        (["87\x1b[2J-L", "87\x1b[2J-M"], "87\x1b[2J"),  # the console escapes it when shown
    ],
)
def test_common_stem(skus: list[str], stem: str | None) -> None:
    assert parents.common_stem(skus) == stem


def test_parent_skus_refuse_shared_or_taken_stems() -> None:
    products = {
        1: ["87-4446-BK-L", "87-4446-RD-L"],  # 87-4446
        2: ["373-0220S", "373-0220M"],  # 373 ...
        3: ["373-0221S", "373-0221M"],  # ... also 373: neither gets it
        4: ["WP87-4446-S", "WP87-4446-M"],  # WP87-4446 is product 5's item
        5: ["WP87-4446"],
        6: ["P12-A", "P12-B"],  # looks like another product's P12
        7: [],
    }
    assert parents.parent_skus(products) == {1: "87-4446"}
    assert parents.product_skus(
        [
            {"product_id": 1, "sku": " 87-4446-L "},
            {"product_id": "1", "sku": "x"},
            {"product_id": 1, "sku": None},
            {"product_id": True, "sku": "y"},
            ["not", "an", "item"],
        ]
    ) == {1: ["87-4446-L"]}


def test_variant_row_takes_the_stem_and_falls_back_to_the_product_id() -> None:
    assert row({}, item(0), parents={7: "87-4410"})["parent_sku"] == "87-4410"
    assert row({}, item(0), parents={8: "x"})["parent_sku"] == "P7"
    # The straight-line path gives the same parent.
    how = m.InventoryMapping(
        source_id=3, attribute_keys={1: "Size", 2: "Color"}, parents={7: "87-4410"}, now=NOW
    )
    assert m._checked_item_row(item(0), how) == m.item_to_row(item(0), how)
