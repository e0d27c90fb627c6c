"""The ShipStation API v1 sandbox peer: a local stand-in served on 127.0.0.1 (see `app`).

Tests, benches, the demo and `connectors.sandboxing` import it; the connector itself never does.
"""

from connectors.shipstation.sandbox.app import build
from connectors.shipstation.sandbox.state import TAGS, USERS, ShipStationSettings, ShipStationState

__all__ = ["TAGS", "USERS", "ShipStationSettings", "ShipStationState", "build"]
