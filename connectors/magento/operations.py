"""The Magento channel's integration kinds, registered for the job engine.

The work lives in `operations_listings` (import_listings), `operations_sync`
(sync_listings), `operations_publish` (publish_listings) and `operations_orders`
(get_orders, sync_orders); this module only registers them.
"""

from __future__ import annotations

from ..registry import operation
from . import operations_listings, operations_orders, operations_publish, operations_sync

SYSTEM = "magento"

import_listings = operation(SYSTEM, "import_listings")(operations_listings.import_listings)
sync_listings = operation(SYSTEM, "sync_listings")(operations_sync.sync_listings)
publish_listings = operation(SYSTEM, "publish_listings")(operations_publish.publish_listings)
get_orders = operation(SYSTEM, "get_orders")(operations_orders.get_orders)
sync_orders = operation(SYSTEM, "sync_orders")(operations_orders.sync_orders)
