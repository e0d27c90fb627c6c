"""Messages that cross panes: a change to the store that other panes should show."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class StoreChanged(Message):
    """An operator action changed records of `kind` (listing, integration, run)."""

    kind: str
