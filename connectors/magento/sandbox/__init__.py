"""The Magento 2 REST API sandbox peer: a local stand-in served on 127.0.0.1 (see `app`).

Tests, benches, the demo and `connectors.sandboxing` import it; the connector itself never does.
"""

from connectors.magento.sandbox.app import build
from connectors.magento.sandbox.state import stock_item

__all__ = ["build", "stock_item"]
