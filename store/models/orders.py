"""Orders from channels, the requests sent to sources, and what comes back."""

# No `from __future__ import annotations` in the model modules: pydantic would compile and
# eval every field's annotation string when the class is made, on every command's start.

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from ..states import OrderStatus as OrderStatus
from ..states import RequestStatus as RequestStatus
from ._types import TableModel, details_field, json_field, money, row_version, when


class Order(TableModel, table=True):
    __tablename__ = "order"
    __table_args__ = (
        sa.UniqueConstraint("channel_id", "external_id", name="uq_order_channel_external"),
        sa.Index("ix_order_status_id", "status", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(foreign_key="channel.id")
    external_id: str
    number: str
    status: str = OrderStatus.NEW
    hold_reason: str | None = None
    customer_name: str = ""
    customer_email: str | None = None
    billing_address: dict[str, Any] = json_field()
    shipping_address: dict[str, Any] = json_field()
    shipping_text: str = ""
    shipping_policy: str | None = None
    total: Decimal | None = money()
    currency: str = "USD"
    placed_at: datetime = when(index=True)  # the dashboard's orders-in window
    details: dict[str, Any] = details_field()  # the channel's own order fields (coupon, note, …)
    imported_at: datetime = when(default_now=True)
    updated_at: datetime = when(default_now=True)
    version: int = row_version()


class OrderLine(TableModel, table=True):
    __tablename__ = "order_line"
    __table_args__ = (sa.UniqueConstraint("order_id", "external_id", name="uq_order_line_ext"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="order.id", index=True)
    external_id: str
    sku: str
    title: str = ""
    quantity: int
    price: Decimal | None = money()
    quantity_shipped: int = 0
    details: dict[str, Any] = details_field()  # the channel's own line fields (weight, discount)


class FulfillmentRequest(TableModel, table=True):
    """The part of an order sent to one source as one purchase order."""

    __tablename__ = "fulfillment_request"
    __table_args__ = (
        sa.UniqueConstraint("source_id", "po_number", name="uq_fulfillment_request_po"),
        sa.UniqueConstraint("order_id", "source_id", name="uq_fulfillment_request_order_source"),
        sa.Index("ix_fulfillment_request_status", "status", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="order.id", index=True)
    source_id: int = Field(foreign_key="source.id")
    po_number: str
    status: str = RequestStatus.PENDING
    shipping_method: str | None = None
    shipping_address: dict[str, Any] = json_field()
    external_id: str | None = None
    attempts: int = 0
    last_error: str | None = None
    sent_at: datetime | None = when(nullable=True, index=True)  # the dashboard's POs sent
    created_at: datetime = when(default_now=True)
    updated_at: datetime = when(default_now=True)
    version: int = row_version()


class FulfillmentLine(TableModel, table=True):
    __tablename__ = "fulfillment_line"

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="fulfillment_request.id", index=True)
    order_line_id: int = Field(foreign_key="order_line.id")
    sku: str
    quantity: int
    cost: Decimal | None = money()


class Shipment(TableModel, table=True):
    __table_args__ = (
        sa.UniqueConstraint("source_id", "external_id", name="uq_shipment_source_external"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="source.id")
    order_id: int = Field(foreign_key="order.id", index=True)
    request_id: int = Field(foreign_key="fulfillment_request.id", index=True)
    external_id: str
    carrier: str = ""
    service: str = ""
    tracking_number: str
    shipped_at: datetime = when()
    synced_at: datetime | None = when(nullable=True, index=True)
    sync_error: str | None = None
    # Set before each push to the channel; a push started but never recorded is looked for
    # on the channel before it is pushed again.
    push_started_at: datetime | None = when(nullable=True)
    # When Dropdeck first stored it: `synced_at - recorded_at` is how long tracking waited
    # here (the sync lag); `shipped_at` is often a date alone. None on rows from before 0012.
    recorded_at: datetime | None = when(nullable=True)
    # What the source says besides tracking (US Direct's "In Transit", the WPS guide's
    # Estimated Delivery Date and Shipment Notes); empty when it does not say.
    status: str | None = None
    estimated_delivery: date | None = Field(default=None, sa_type=sa.Date, nullable=True)
    notes: str | None = None
    # Where the source says it went (street1, city, state, zip, country: the WPS guide's
    # Shipping Address fields); {} when it does not say.
    ship_to: dict[str, Any] = details_field()


class ShipmentLine(TableModel, table=True):
    __tablename__ = "shipment_line"

    id: int | None = Field(default=None, primary_key=True)
    shipment_id: int = Field(foreign_key="shipment.id", index=True)
    order_line_id: int | None = Field(default=None, foreign_key="order_line.id")
    sku: str
    quantity: int
    name: str | None = None  # the item's name as the source reports it (Line Item Name)


class Invoice(TableModel, table=True):
    __table_args__ = (
        sa.UniqueConstraint("source_id", "external_id", name="uq_invoice_source_external"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="source.id")
    request_id: int | None = Field(default=None, foreign_key="fulfillment_request.id")
    external_id: str
    number: str = ""
    total: Decimal | None = money()
    currency: str = "USD"
    issued_at: datetime | None = when(nullable=True)
    data: dict[str, Any] = json_field()
