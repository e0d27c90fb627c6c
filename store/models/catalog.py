"""Who we talk to (connections, sources, channels) and what is sold (inventory, listings)."""

# No `from __future__ import annotations` in the model modules: pydantic would compile and
# eval every field's annotation string when the class is made, on every command's start.

from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from ..states import (
    ChannelKind as ChannelKind,
)
from ..states import (
    LinkState as LinkState,
)
from ..states import (
    Pending as Pending,
)
from ..states import (
    SourceKind as SourceKind,
)
from ..states import (
    routed_master_sku as routed_master_sku,
)
from ._types import TableModel, json_field, money, row_version, when


class Connection(TableModel, table=True):
    """One set of credentials for one external system; `secrets` is ciphertext."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    system: str
    base_url: str
    secrets: str = Field(default="", description="Fernet token of a JSON object")
    created_at: datetime = when(default_now=True)


class Source(TableModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    kind: str
    connection_id: int | None = Field(default=None, foreign_key="connection.id")
    priority: int = 100
    sku_prefix: str = ""
    created_at: datetime = when(default_now=True)


class Channel(TableModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    kind: str
    connection_id: int | None = Field(default=None, foreign_key="connection.id")
    # Fulfillment requests are sent without an operator only when this is on.
    auto_process: bool = False
    created_at: datetime = when(default_now=True)


class InventoryItem(TableModel, table=True):
    """A supplier's sellable unit. Stand-alone items have parent_sku == sku."""

    __tablename__ = "inventory_item"
    __table_args__ = (sa.UniqueConstraint("source_id", "sku", name="uq_inventory_item_source_sku"),)

    id: int | None = Field(default=None, primary_key=True)
    # No index of its own: the unique (source_id, sku) index leads with it (migration 0002).
    source_id: int = Field(foreign_key="source.id")
    sku: str
    master_sku: str = Field(index=True)  # routing looks items up by master SKU
    parent_sku: str
    external_id: str | None = None
    upc: str | None = Field(default=None, index=True)  # linking listings by UPC
    mpn: str | None = None
    title: str = ""
    description: str = ""
    brand: str | None = None
    color: str | None = None
    size: str | None = None
    images: list[str] = json_field(list)
    cost: Decimal | None = money()
    list_price: Decimal | None = money()
    sale_price: Decimal | None = money()
    msrp: Decimal | None = money()
    map_price: Decimal | None = money()
    quantity: int = 0
    warehouse_quantities: dict[str, int] = json_field()
    stock_status: str = "in_stock"
    allow_backorders: bool = False
    inventory_tracking: str | None = None  # "product" or "variant" (the WPS guide's words)
    low_stock_threshold: int | None = None
    weight: float | None = None
    length: float | None = None
    width: float | None = None
    height: float | None = None
    available_on: datetime | None = when(nullable=True)
    remote_updated_at: datetime | None = when(nullable=True)
    updated_at: datetime = when(default_now=True)


class Listing(TableModel, table=True):
    """A parent product on a channel; its sellable SKUs are listing variants."""

    __table_args__ = (
        sa.UniqueConstraint("channel_id", "master_sku", name="uq_listing_channel_sku"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(foreign_key="channel.id", index=True)
    master_sku: str
    external_id: str | None = None
    title: str = ""
    description: str = ""
    images: list[str] = json_field(list)
    category_one: str | None = None
    category_two: str | None = None
    created_at: datetime = when(default_now=True)
    updated_at: datetime = when(default_now=True)


class ListingVariant(TableModel, table=True):
    """One sellable SKU on a channel. Link state and operator flags live here."""

    __tablename__ = "listing_variant"
    __table_args__ = (
        sa.UniqueConstraint("channel_id", "sku", name="uq_listing_variant_channel_sku"),
        # Keyset paging per tab: (filter column(s), sku, id).
        sa.Index("ix_listing_variant_sku_id", "sku", "id"),
        sa.Index("ix_listing_variant_state_sku", "link_state", "sku", "id"),
        sa.Index("ix_listing_variant_paused_sku", "paused", "sku", "id"),
        sa.Index("ix_listing_variant_hidden_sku", "hidden", "sku", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    listing_id: int = Field(foreign_key="listing.id", index=True)
    channel_id: int = Field(foreign_key="channel.id")
    sku: str
    # The inventory master SKU this variant is linked to (None: no supplier stock linked).
    master_sku: str | None = Field(default=None, index=True)
    external_id: str | None = None
    upc: str | None = None
    mpn: str | None = None
    gtin: str | None = None
    title: str = ""
    images: list[str] = json_field(list)
    price: Decimal | None = money()
    quantity: int = 0
    link_state: str = LinkState.UNLINKED
    paused: bool = False
    hidden: bool = False
    pending: str | None = None
    needs_attention: str | None = None
    # What the channel last accepted; a sync sends only rows that differ.
    synced_price: Decimal | None = money()
    synced_quantity: int | None = None
    synced_at: datetime | None = when(nullable=True)
    # The listing's content as the channel last got it (`listing_publish.content_key`);
    # a publish sends a linked listing again when its content no longer matches.
    published_content: str | None = Field(default=None, sa_type=sa.Text)
    updated_at: datetime = when(default_now=True)
    extra: dict[str, Any] = json_field()
    version: int = row_version()
