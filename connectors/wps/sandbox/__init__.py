"""The WPS Data Depot API v4 sandbox peer: a local stand-in served on 127.0.0.1 (see `app`).

Tests, benches, the demo and `connectors.sandboxing` import it; the connector itself never does.
"""

from connectors.wps.sandbox.app import build
from connectors.wps.sandbox.state import WpsSettings, WpsState

__all__ = ["WpsSettings", "WpsState", "build"]
