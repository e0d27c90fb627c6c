"""Western Power Sports (WPS Data Depot API v4) connector."""
