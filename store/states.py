"""The words the store keeps in its state and kind columns, and the rules that read them.

Kept apart from the model classes so that code which only reads the store (the CLI's list
commands, through store.tables) names them without loading SQLModel.
"""

from __future__ import annotations

from enum import StrEnum


class SourceKind(StrEnum):
    WPS = "wps"
    USDIRECT = "usdirect"


class ChannelKind(StrEnum):
    WOOCOMMERCE = "woocommerce"
    MAGENTO = "magento"
    SHIPSTATION = "shipstation"


class LinkState(StrEnum):
    UNLINKED = "unlinked"
    LINKED = "linked"
    BROKEN_LINK = "broken_link"
    DELISTED = "delisted"


class Pending(StrEnum):
    """An operator's request recorded now and carried out by the next sync or publish."""

    HIDE = "hide"
    UNHIDE = "unhide"
    DELIST = "delist"
    PUBLISH = "publish"
    OVERWRITE = "overwrite"


# What an operator asks of listings: flags set now, and changes the next sync/publish makes.
class ListingAction(StrEnum):
    PAUSE = "pause"
    UNPAUSE = "unpause"
    HIDE = "hide"
    UNHIDE = "unhide"


TRANSITIONS = (Pending.DELIST, Pending.PUBLISH, Pending.OVERWRITE)


def routed_master_sku(master_sku: str | None, sku: str) -> str:
    """The master SKU routing looks up for a listing variant: the one it is linked to, else
    its own SKU (a store that sells the supplier's SKUs needs no link). Everything that shows
    a listing's supplier uses this rule (in SQL: store.queries.listings.supplier_master)."""
    return master_sku or sku


class IntegrationKind(StrEnum):
    GET_INVENTORY = "get_inventory"
    GET_PQS = "get_pqs"
    SEND_ORDERS = "send_orders"
    GET_SHIPMENTS = "get_shipments"
    GET_INVOICE = "get_invoice"
    IMPORT_LISTINGS = "import_listings"
    LINK_LISTINGS = "link_listings"
    SYNC_LISTINGS = "sync_listings"
    PUBLISH_LISTINGS = "publish_listings"
    GET_ORDERS = "get_orders"
    SYNC_ORDERS = "sync_orders"


class ScheduleType(StrEnum):
    MANUAL = "manual"
    INTERVAL = "interval"  # schedule_value: seconds
    CRON = "cron"  # schedule_value: five-field crontab


class OrderStatus(StrEnum):
    NEW = "new"
    ON_HOLD = "on_hold"
    ROUTED = "routed"
    SENT = "sent"
    FAILED = "failed"
    PARTIALLY_SHIPPED = "partially_shipped"
    SHIPPED = "shipped"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class RequestStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a send; an interrupted send is reconciled, never resent blind
    SENT = "sent"
    FAILED = "failed"
    PARTIALLY_SHIPPED = "partially_shipped"
    SHIPPED = "shipped"
    CANCELLED = "cancelled"


class RunStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    PARTIAL = "partial"
    FAILED = "failed"
    CANCELLED = "cancelled"


class RunTrigger(StrEnum):
    SCHEDULE = "schedule"
    MANUAL = "manual"
    RETRY = "retry"
