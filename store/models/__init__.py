"""Dropdeck's tables (DESIGN section 2). Importing this package registers them all."""

from sqlmodel import SQLModel

# Alembic batch mode (SQLite) must be able to name every constraint it recreates.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

from .catalog import (  # noqa: E402
    Channel,
    Connection,
    InventoryItem,
    Listing,
    ListingVariant,
    Source,
)
from .config import Integration, MappingTemplate, ShippingMapping  # noqa: E402
from .orders import (  # noqa: E402
    FulfillmentLine,
    FulfillmentRequest,
    Invoice,
    Order,
    OrderLine,
    Shipment,
    ShipmentLine,
)
from .runtime import (  # noqa: E402
    AuditEvent,
    Installation,
    JobRun,
    Notification,
    StoreChange,
    Worker,
)

__all__ = [
    "AuditEvent",
    "Channel",
    "Connection",
    "FulfillmentLine",
    "FulfillmentRequest",
    "Installation",
    "Integration",
    "InventoryItem",
    "Invoice",
    "JobRun",
    "Listing",
    "ListingVariant",
    "MappingTemplate",
    "Notification",
    "Order",
    "OrderLine",
    "SQLModel",
    "Shipment",
    "ShipmentLine",
    "ShippingMapping",
    "Source",
    "StoreChange",
    "Worker",
]
