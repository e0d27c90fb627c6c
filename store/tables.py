"""Every table as a Core clause: what code that only reads the store selects from.

A CLI command that lists orders or runs needs no ORM; building the SQLModel classes (with
SQLAlchemy's ORM, pydantic and the PostgreSQL dialect their indexes name) is most of its
start. These clauses carry each column's name and type (so datetimes come back aware and
JSON decoded) and nothing else: no keys, indexes or defaults, which migrations own.
store.models stays the schema; tests/store/test_tables.py fails when the two disagree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

import sqlalchemy as sa

from .coltypes import UTCDateTime

audit_event = sa.table(
    "audit_event",
    sa.column("id", sa.Integer()),
    sa.column("at", UTCDateTime()),
    sa.column("actor", sa.String()),
    sa.column("action", sa.String()),
    sa.column("record_type", sa.String()),
    sa.column("record_id", sa.String()),
    sa.column("before", sa.JSON()),
    sa.column("after", sa.JSON()),
)


channel = sa.table(
    "channel",
    sa.column("id", sa.Integer()),
    sa.column("name", sa.String()),
    sa.column("kind", sa.String()),
    sa.column("connection_id", sa.Integer()),
    sa.column("auto_process", sa.Boolean()),
    sa.column("created_at", UTCDateTime()),
)


connection = sa.table(
    "connection",
    sa.column("id", sa.Integer()),
    sa.column("name", sa.String()),
    sa.column("system", sa.String()),
    sa.column("base_url", sa.String()),
    sa.column("secrets", sa.String()),
    sa.column("created_at", UTCDateTime()),
)


fulfillment_line = sa.table(
    "fulfillment_line",
    sa.column("id", sa.Integer()),
    sa.column("request_id", sa.Integer()),
    sa.column("order_line_id", sa.Integer()),
    sa.column("sku", sa.String()),
    sa.column("quantity", sa.Integer()),
    sa.column("cost", sa.Numeric(12, 2)),
)


fulfillment_request = sa.table(
    "fulfillment_request",
    sa.column("id", sa.Integer()),
    sa.column("order_id", sa.Integer()),
    sa.column("source_id", sa.Integer()),
    sa.column("po_number", sa.String()),
    sa.column("status", sa.String()),
    sa.column("shipping_method", sa.String()),
    sa.column("shipping_address", sa.JSON()),
    sa.column("external_id", sa.String()),
    sa.column("attempts", sa.Integer()),
    sa.column("last_error", sa.String()),
    sa.column("sent_at", UTCDateTime()),
    sa.column("created_at", UTCDateTime()),
    sa.column("updated_at", UTCDateTime()),
    sa.column("version", sa.Integer()),
)


installation = sa.table(
    "installation",
    sa.column("id", sa.Integer()),
    sa.column("installation_id", sa.String()),
    sa.column("created_at", UTCDateTime()),
)


integration = sa.table(
    "integration",
    sa.column("id", sa.Integer()),
    sa.column("name", sa.String()),
    sa.column("kind", sa.String()),
    sa.column("source_id", sa.Integer()),
    sa.column("channel_id", sa.Integer()),
    sa.column("settings", sa.JSON()),
    sa.column("schedule_type", sa.String()),
    sa.column("schedule_value", sa.String()),
    sa.column("enabled", sa.Boolean()),
    sa.column("paused_reason", sa.String()),
    sa.column("paused_at", UTCDateTime()),
    sa.column("consecutive_failures", sa.Integer()),
    sa.column("last_success_at", UTCDateTime()),
    sa.column("created_at", UTCDateTime()),
    sa.column("updated_at", UTCDateTime()),
    sa.column("version", sa.Integer()),
)


inventory_item = sa.table(
    "inventory_item",
    sa.column("id", sa.Integer()),
    sa.column("source_id", sa.Integer()),
    sa.column("sku", sa.String()),
    sa.column("master_sku", sa.String()),
    sa.column("parent_sku", sa.String()),
    sa.column("external_id", sa.String()),
    sa.column("upc", sa.String()),
    sa.column("mpn", sa.String()),
    sa.column("title", sa.String()),
    sa.column("description", sa.String()),
    sa.column("brand", sa.String()),
    sa.column("color", sa.String()),
    sa.column("size", sa.String()),
    sa.column("images", sa.JSON()),
    sa.column("cost", sa.Numeric(12, 2)),
    sa.column("list_price", sa.Numeric(12, 2)),
    sa.column("sale_price", sa.Numeric(12, 2)),
    sa.column("msrp", sa.Numeric(12, 2)),
    sa.column("map_price", sa.Numeric(12, 2)),
    sa.column("quantity", sa.Integer()),
    sa.column("warehouse_quantities", sa.JSON()),
    sa.column("stock_status", sa.String()),
    sa.column("allow_backorders", sa.Boolean()),
    sa.column("inventory_tracking", sa.String()),
    sa.column("low_stock_threshold", sa.Integer()),
    sa.column("weight", sa.Float()),
    sa.column("length", sa.Float()),
    sa.column("width", sa.Float()),
    sa.column("height", sa.Float()),
    sa.column("available_on", UTCDateTime()),
    sa.column("remote_updated_at", UTCDateTime()),
    sa.column("updated_at", UTCDateTime()),
)


invoice = sa.table(
    "invoice",
    sa.column("id", sa.Integer()),
    sa.column("source_id", sa.Integer()),
    sa.column("request_id", sa.Integer()),
    sa.column("external_id", sa.String()),
    sa.column("number", sa.String()),
    sa.column("total", sa.Numeric(12, 2)),
    sa.column("currency", sa.String()),
    sa.column("issued_at", UTCDateTime()),
    sa.column("data", sa.JSON()),
)


job_run = sa.table(
    "job_run",
    sa.column("id", sa.Integer()),
    sa.column("integration_id", sa.Integer()),
    sa.column("trigger", sa.String()),
    sa.column("status", sa.String()),
    sa.column("queued_at", UTCDateTime()),
    sa.column("started_at", UTCDateTime()),
    sa.column("finished_at", UTCDateTime()),
    sa.column("worker_id", sa.String()),
    sa.column("lease_expires_at", UTCDateTime()),
    sa.column("counters", sa.JSON()),
    sa.column("progress_done", sa.Integer()),
    sa.column("progress_total", sa.Integer()),
    sa.column("error", sa.String()),
    sa.column("summary", sa.String()),
    sa.column("run_uid", sa.String()),
    sa.column("started_by", sa.String()),
    sa.column("cancel_requested_by", sa.String()),
    sa.column("request_id", sa.Integer()),
)


listing = sa.table(
    "listing",
    sa.column("id", sa.Integer()),
    sa.column("channel_id", sa.Integer()),
    sa.column("master_sku", sa.String()),
    sa.column("external_id", sa.String()),
    sa.column("title", sa.String()),
    sa.column("description", sa.String()),
    sa.column("images", sa.JSON()),
    sa.column("category_one", sa.String()),
    sa.column("category_two", sa.String()),
    sa.column("created_at", UTCDateTime()),
    sa.column("updated_at", UTCDateTime()),
)


listing_variant = sa.table(
    "listing_variant",
    sa.column("id", sa.Integer()),
    sa.column("listing_id", sa.Integer()),
    sa.column("channel_id", sa.Integer()),
    sa.column("sku", sa.String()),
    sa.column("master_sku", sa.String()),
    sa.column("external_id", sa.String()),
    sa.column("upc", sa.String()),
    sa.column("mpn", sa.String()),
    sa.column("gtin", sa.String()),
    sa.column("title", sa.String()),
    sa.column("images", sa.JSON()),
    sa.column("price", sa.Numeric(12, 2)),
    sa.column("quantity", sa.Integer()),
    sa.column("link_state", sa.String()),
    sa.column("paused", sa.Boolean()),
    sa.column("hidden", sa.Boolean()),
    sa.column("pending", sa.String()),
    sa.column("needs_attention", sa.String()),
    sa.column("synced_price", sa.Numeric(12, 2)),
    sa.column("synced_quantity", sa.Integer()),
    sa.column("synced_at", UTCDateTime()),
    sa.column("published_content", sa.Text()),
    sa.column("updated_at", UTCDateTime()),
    sa.column("extra", sa.JSON()),
    sa.column("version", sa.Integer()),
)


mapping_template = sa.table(
    "mapping_template",
    sa.column("id", sa.Integer()),
    sa.column("name", sa.String()),
    sa.column("target", sa.String()),
    sa.column("system", sa.String()),
    sa.column("rules", sa.JSON()),
    sa.column("mapping_sets", sa.JSON()),
)


notification = sa.table(
    "notification",
    sa.column("id", sa.Integer()),
    sa.column("at", UTCDateTime()),
    sa.column("level", sa.String()),
    sa.column("integration_id", sa.Integer()),
    sa.column("integration", sa.String()),
    sa.column("run_id", sa.Integer()),
    sa.column("event", sa.String()),
    sa.column("message", sa.String()),
    sa.column("data", sa.JSON()),
)


order = sa.table(
    "order",
    sa.column("id", sa.Integer()),
    sa.column("channel_id", sa.Integer()),
    sa.column("external_id", sa.String()),
    sa.column("number", sa.String()),
    sa.column("status", sa.String()),
    sa.column("hold_reason", sa.String()),
    sa.column("customer_name", sa.String()),
    sa.column("customer_email", sa.String()),
    sa.column("billing_address", sa.JSON()),
    sa.column("shipping_address", sa.JSON()),
    sa.column("shipping_text", sa.String()),
    sa.column("shipping_policy", sa.String()),
    sa.column("total", sa.Numeric(12, 2)),
    sa.column("currency", sa.String()),
    sa.column("placed_at", UTCDateTime()),
    sa.column("details", sa.JSON()),
    sa.column("imported_at", UTCDateTime()),
    sa.column("updated_at", UTCDateTime()),
    sa.column("version", sa.Integer()),
)


order_line = sa.table(
    "order_line",
    sa.column("id", sa.Integer()),
    sa.column("order_id", sa.Integer()),
    sa.column("external_id", sa.String()),
    sa.column("sku", sa.String()),
    sa.column("title", sa.String()),
    sa.column("quantity", sa.Integer()),
    sa.column("price", sa.Numeric(12, 2)),
    sa.column("quantity_shipped", sa.Integer()),
    sa.column("details", sa.JSON()),
)


shipment = sa.table(
    "shipment",
    sa.column("id", sa.Integer()),
    sa.column("source_id", sa.Integer()),
    sa.column("order_id", sa.Integer()),
    sa.column("request_id", sa.Integer()),
    sa.column("external_id", sa.String()),
    sa.column("carrier", sa.String()),
    sa.column("service", sa.String()),
    sa.column("tracking_number", sa.String()),
    sa.column("shipped_at", UTCDateTime()),
    sa.column("synced_at", UTCDateTime()),
    sa.column("sync_error", sa.String()),
    sa.column("push_started_at", UTCDateTime()),
    sa.column("recorded_at", UTCDateTime()),
    sa.column("status", sa.String()),
    sa.column("estimated_delivery", sa.Date()),
    sa.column("notes", sa.String()),
    sa.column("ship_to", sa.JSON()),
)


shipment_line = sa.table(
    "shipment_line",
    sa.column("id", sa.Integer()),
    sa.column("shipment_id", sa.Integer()),
    sa.column("order_line_id", sa.Integer()),
    sa.column("sku", sa.String()),
    sa.column("quantity", sa.Integer()),
    sa.column("name", sa.String()),
)


shipping_mapping = sa.table(
    "shipping_mapping",
    sa.column("id", sa.Integer()),
    sa.column("scope", sa.String()),
    sa.column("owner_id", sa.Integer()),
    sa.column("key", sa.String()),
    sa.column("value", sa.String()),
)


source = sa.table(
    "source",
    sa.column("id", sa.Integer()),
    sa.column("name", sa.String()),
    sa.column("kind", sa.String()),
    sa.column("connection_id", sa.Integer()),
    sa.column("priority", sa.Integer()),
    sa.column("sku_prefix", sa.String()),
    sa.column("created_at", UTCDateTime()),
)


store_change = sa.table(
    "store_change",
    sa.column("id", sa.Integer()),
    sa.column("version", sa.BigInteger()),
)


worker = sa.table(
    "worker",
    sa.column("id", sa.String()),
    sa.column("host", sa.String()),
    sa.column("pid", sa.Integer()),
    sa.column("started_at", UTCDateTime()),
    sa.column("heartbeat_at", UTCDateTime()),
    sa.column("embedded", sa.Boolean()),
)


if TYPE_CHECKING:
    from sqlmodel import Session

    Reader: TypeAlias = sa.Connection | Session
    """What a read takes: a Core connection (`Database.connect`, no ORM loaded) or a session."""
