"""The US Direct sandbox peer: a local stand-in served on 127.0.0.1 (see `app`).

Tests, benches, the demo and `connectors.sandboxing` import it; the connector itself never does.
"""

from connectors.usdirect.sandbox.app import build
from connectors.usdirect.sandbox.state import USDirectSettings, USDirectState

__all__ = ["USDirectSettings", "USDirectState", "build"]
