"""ShipStation API v1 connector."""
