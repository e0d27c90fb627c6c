"""The WooCommerce REST API v3 sandbox peer: a local stand-in served on 127.0.0.1 (see `app`).

Tests, benches, the demo and `connectors.sandboxing` import it; the connector itself never does.
"""

from connectors.woocommerce.sandbox.app import build

__all__ = ["build"]
