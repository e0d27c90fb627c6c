"""CLI set-up fixtures: secrets in the environment, stdin that is not a terminal."""

from __future__ import annotations

import io
import json
from collections.abc import Callable

import pytest

from console.cli import main

SECRETS = {
    "DROPDECK_SECRET_CONSUMER_KEY": "ck_0123456789abcdef",
    "DROPDECK_SECRET_CONSUMER_SECRET": "cs_fedcba9876543210",
    "DROPDECK_SECRET_API_TOKEN": "wps-token-5f3c2a",
}


@pytest.fixture(autouse=True)
def _no_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Like a script or CI job: no prompt, secrets must come from the environment."""
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    for name in SECRETS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def secrets_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    return dict(SECRETS)


Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Run:
    """`cli("sources", "list")` -> (exit status, stdout, stderr)."""

    def run(*argv: str) -> tuple[int, str, str]:
        status = main(list(argv))
        out, err = capsys.readouterr()
        return status, out, err

    return run


@pytest.fixture
def cli_json(cli: Run) -> Callable[..., list[dict[str, object]]]:
    def run(*argv: str) -> list[dict[str, object]]:
        status, out, err = cli(*argv)
        assert status == 0, err
        rows = json.loads(out)
        assert isinstance(rows, list)
        return rows

    return run
