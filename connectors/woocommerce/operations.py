"""The WooCommerce channel's integration kinds, registered for the job engine.

The work lives in `operations_channel` (import, link, get_orders, sync_orders: the shared
channel flows with WooCommerce's side) and `operations_sync` (sync, publish); this module
only registers them.
"""

from __future__ import annotations

from ..registry import operation
from . import operations_channel, operations_sync

SYSTEM = "woocommerce"

import_listings = operation(SYSTEM, "import_listings")(operations_channel.import_listings)
link_listings = operation(SYSTEM, "link_listings")(operations_channel.link_listings)
sync_listings = operation(SYSTEM, "sync_listings")(operations_sync.sync_listings)
publish_listings = operation(SYSTEM, "publish_listings")(operations_sync.publish_listings)
get_orders = operation(SYSTEM, "get_orders")(operations_channel.get_orders)
sync_orders = operation(SYSTEM, "sync_orders")(operations_channel.sync_orders)
