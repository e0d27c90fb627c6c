"""Opening the store once per process, from the environment."""

from __future__ import annotations

from store.db import Database, open_database
from store.settings import StoreSettings, load_settings


def open_store(settings: StoreSettings | None = None) -> Database:
    """The operator's database, upgraded to the latest schema."""
    return open_database(settings or load_settings())
