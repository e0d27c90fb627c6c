"""sync_listings: ShipStation's products linked to inventory on SKU, nothing written back."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from store.models import ListingVariant
from store.models.catalog import LinkState
from store.models.runtime import RunStatus

from .conftest import ShipStationChannel


async def test_links_on_sku_only_and_never_writes_to_shipstation(
    channel: ShipStationChannel,
) -> None:
    state = channel.state
    state.products[5]["sku"] = " SS-000005 "  # real SKUs come with stray spaces
    state.products[3]["sku"] = ""  # a product without SKU cannot link
    before = {pid: dict(p) for pid, p in state.products.items()}
    # SS-000023 is an inactive product: not listed, not linked.
    channel.stock("SS-000001", "SS-000002", "SS-000005", "SS-000023")
    run = await channel.run("sync_listings")
    assert run.status == RunStatus.PARTIAL.value  # the SKU-less product is a record error
    assert "product 3: has no SKU; linking is on the SKU field" in (run.summary or "")
    with channel.db.read() as session:
        rows = session.scalars(
            sa.select(ListingVariant).where(ListingVariant.channel_id == channel.channel_id)
        ).all()
    linked = {v.sku: v for v in rows}
    assert set(linked) == {"SS-000001", "SS-000002", "SS-000005"}
    assert all(v.link_state == LinkState.LINKED.value for v in linked.values())
    assert linked["SS-000001"].external_id == "1"
    assert linked["SS-000005"].master_sku == "SS-000005"
    assert state.products == before  # nothing changed in ShipStation
    assert state.mark_calls == [] and state.assign_calls == []


def test_sync_listings_takes_no_settings() -> None:
    from connectors.errors import FatalError
    from connectors.registry import parse_settings

    with pytest.raises(FatalError, match="unknown setting price_from"):
        parse_settings(
            "shipstation", "sync_listings", {"price_from": "cost"}, integration="x", templates=None
        )
