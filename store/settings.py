"""Where Dropdeck keeps its data: `DROPDECK_HOME` and `DROPDECK_DATABASE_URL`, read once."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs


@dataclass(frozen=True)
class StoreSettings:
    home: Path
    database_url: str

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
    return StoreSettings(home=home, database_url=url)
