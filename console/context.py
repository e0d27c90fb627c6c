"""Opening the store once per process, from the environment."""

from __future__ import annotations

from store.db import Database, open_database
from store.settings import StoreSettings, load_settings

from .role import is_readonly


def open_store(settings: StoreSettings | None = None, *, readonly: bool | None = None) -> Database:
    """The operator's database, upgraded to the latest schema if it is behind. Read-only
    (the default for a read-only operator) opens it so that the database refuses writes
    and upgrades nothing."""
    if readonly is None:
        readonly = is_readonly()
    return open_database(settings or load_settings(), readonly=readonly)
