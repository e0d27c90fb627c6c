"""`dropdeck sandbox --live`: the peers act as a running business would, so the README's
set-up, run against them, takes an order all the way: the WooCommerce store sells some of
WPS's items, a customer has ordered them, and WPS ships what it is sent.

Everything goes over the peers' own HTTP (their API and `/_sandbox/` control routes), as
another system would; nothing reaches into a sandbox's state from here.
"""

from __future__ import annotations

import threading
from typing import Any

import httpx

from connectors.sandboxing.tracking import tracking_number

SHIPPING = "Flat rate"  # the README maps this text to a WPS carrier
SHIP_EVERY_SECONDS = 5.0
# WPS lists orders between two dates (YYYYMMDD, both required): every date the peers use.
ALL_DATES = {"from_date": "20000101", "to_date": "29991231"}


def stock_the_store(peers: dict[str, Any], count: int = 2) -> list[str]:
    """Put `count` in-stock WPS items on the store under their WPS- SKUs (the README's
    `--sku-prefix`); their store SKUs."""
    wps, woo = peers["wps"], peers["woocommerce"]
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


def place_order(peers: dict[str, Any], skus: list[str]) -> dict[str, Any]:
    """A customer's order for one of each SKU on the store, shipped "Flat rate"."""
    placed = httpx.post(
        peers["woocommerce"]["base_url"] + "/_sandbox/orders",
        json={
            "line_items": [{"sku": sku, "quantity": 1} for sku in skus],
            "shipping_method_title": SHIPPING,
            "email": "buyer@example.com",
        },
    )
    placed.raise_for_status()
    return dict(placed.json())


def ship_what_was_sent(peers: dict[str, Any]) -> list[str]:
    """WPS ships every open detail (a warehouse's part of a PO) in full, each with its own
    tracking number in the shape of its carrier; the POs shipped (once per box)."""
    wps = peers["wps"]
    orders = httpx.get(
        wps["base_url"] + "/orders",
        params=ALL_DATES,
        headers={"Authorization": f"Bearer {wps['api_token']}"},
    ).json()["data"]
    shipped = []
    for record in orders:
        po = record["po_number"]
        for detail in record["order_details"]:
            if detail["order_status"] != "OPEN":
                continue
            # One box per warehouse detail, each with its own number.
            lines = [
                {"sku": line["sku"], "quantity": line["quantity"] - line["quantity_shipped"]}
                for line in detail["items"]
                if line["quantity"] > line["quantity_shipped"]
            ]
            seed = f"{po}/{detail['order_number']}"
            httpx.post(
                f"{wps['base_url']}/_sandbox/orders/{po}/ship",
                json={
                    "lines": lines,
                    "tracking_number": tracking_number(detail.get("ship_via") or "", seed),
                },
            ).raise_for_status()
            shipped.append(po)
    return shipped


def start_live(peers: dict[str, Any], stop: threading.Event) -> dict[str, Any]:
    """Stock the store, place the customer's order, and ship sent POs every few seconds in
    a background thread until `stop`; what was set up, for `dropdeck sandbox --json`."""
    skus = stock_the_store(peers)
    order = place_order(peers, skus)

    def supplier() -> None:
        while not stop.wait(SHIP_EVERY_SECONDS):
            try:
                ship_what_was_sent(peers)
            except httpx.HTTPError:
                continue  # the peers are stopping, or a fault was switched on: next round

    threading.Thread(target=supplier, name="sandbox-supplier", daemon=True).start()
    return {"store_skus": skus, "order_number": str(order["number"]), "shipping": SHIPPING}
