"""Where Dropdeck keeps its data: `DROPDECK_HOME` and `DROPDECK_DATABASE_URL`, read once.

`DROPDECK_BUSY_TIMEOUT_SECONDS` (default 10): how long a SQLite write waits for another
process's write lock before it gives up with "the database is busy".
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs


@dataclass(frozen=True)
class StoreSettings:
    home: Path
    database_url: str
    busy_timeout_seconds: float = 10.0

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def sqlite_path(self) -> Path | None:
        if not self.is_sqlite:
            return None
        return Path(self.database_url.split(":///", 1)[1])


def load_settings(environ: dict[str, str] | None = None) -> StoreSettings:
    env = os.environ if environ is None else environ
    home = Path(env.get("DROPDECK_HOME") or platformdirs.user_data_dir("dropdeck")).expanduser()
    url = env.get("DROPDECK_DATABASE_URL") or f"sqlite:///{home / 'dropdeck.db'}"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    busy = env.get("DROPDECK_BUSY_TIMEOUT_SECONDS") or "10"
    try:
        busy_seconds = float(busy)
    except ValueError:
        busy_seconds = -1.0
    if not 0 <= busy_seconds <= 3600:
        from .errors import StoreError

        raise StoreError(
            f"DROPDECK_BUSY_TIMEOUT_SECONDS={busy!r}: give a number of seconds from 0 to 3600"
        )
    return StoreSettings(home=home, database_url=url, busy_timeout_seconds=busy_seconds)
