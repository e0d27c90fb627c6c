"""Channels (where the business sells): their integrations, including import_listings."""

from __future__ import annotations

from .integrations import IntegrationsPane


class ChannelsPane(IntegrationsPane):
    TITLE = "Channels"
    OWNER = "channel"
    EMPTY = (
        "No channels yet — add a store connection, or try `dropdeck demo` for a fictional business"
    )
