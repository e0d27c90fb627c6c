"""A CLI command loads only what it uses, so it starts fast (bench/cli_start.py times it):
`--help` no database library; `about` and the read commands SQLAlchemy Core only (no ORM,
SQLModel, pydantic or model classes) and no console, worker, HTTP client, scheduler or
alembic; opening an up-to-date store decides without alembic."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from console.runtime.demo_data import seed_demo_business
from store.coltypes import utcnow
from store.db import Database
from store.migrate import alembic_config, script_heads
from store.models import JobRun

# Run a command in a fresh interpreter and report which of these it imported.
PROBE = """
import contextlib, io, json, sys
from console.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    try:
        status = main(sys.argv[1:])
    except SystemExit as exc:
        status = exc.code
heavy = ("textual", "httpx", "alembic", "apscheduler", "uvicorn", "sqlalchemy", "sqlmodel",
         "pydantic", "store.models", "sqlalchemy.orm", "connectors.registry",
         "console.runtime.worker", "console.commands.demo", "cryptography", "structlog")
print(json.dumps({"status": status, "loaded": [m for m in heavy if m in sys.modules]}))
"""


def loaded_by(*argv: str) -> list[str]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, check=True
    )
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["status"] == 0, proc.stderr
    return list(result["loaded"])


@pytest.mark.parametrize("argv", [("--help",), ("run", "--help")])
def test_help_loads_no_database_library(sqlite_db: Database, argv: tuple[str, ...]) -> None:
    assert loaded_by(*argv) == []


@pytest.mark.parametrize(
    "argv",
    [
        ("orders", "--json"),
        ("listings", "--json", "--limit", "5"),
        ("inventory", "--json", "--limit", "5"),
        ("runs", "--limit", "5"),
        ("integrations",),
        ("integrations", "--json"),
        ("shipments",),
        ("shipments", "--order", "1"),
        ("invoices",),
        ("notifications", "--limit", "5"),
        ("runs", "show", "1"),
    ],
)
def test_read_commands_load_sqlalchemy_core_only(
    sqlite_db: Database, argv: tuple[str, ...]
) -> None:
    """They read through store.tables on a Core connection: no ORM, SQLModel, pydantic or
    model classes, which were most of their start."""
    seed_demo_business(sqlite_db, listings=30, orders=6)
    with sqlite_db.write() as session:  # a finished run for `runs show 1`
        session.add(JobRun(integration_id=1, status="succeeded", finished_at=utcnow()))
    assert loaded_by(*argv) == ["sqlalchemy"]


@pytest.mark.parametrize("readonly", [False, True])
def test_about_loads_sqlalchemy_core_only(
    sqlite_db: Database, readonly: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    loaded_by("about")  # the first ever makes the id (with the model), once per database
    if readonly:
        monkeypatch.setenv("DROPDECK_ROLE", "readonly")
    assert loaded_by("about") == ["sqlalchemy"]


def test_script_heads_read_as_text_agree_with_alembic(sqlite_db: Database) -> None:
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(alembic_config(sqlite_db))
    assert script_heads() == set(scripts.get_heads())
