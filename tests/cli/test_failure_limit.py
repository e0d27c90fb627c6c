"""`integrations add|set --set max_consecutive_failures=N`: every kind takes it, checked at
set-up (a whole number from 1 to 100), stored with the other settings for the runtime."""

from __future__ import annotations

import sqlalchemy as sa

from store.db import Database
from store.models import Integration

from .conftest import Run
from .test_setup import set_up_business


def stored(db: Database, name: str) -> dict[str, object]:
    with db.read() as session:
        row = session.scalars(sa.select(Integration).where(Integration.name == name)).one()
    return dict(row.settings)


def test_the_streak_limit_is_a_checked_setting_of_every_kind(
    sqlite_db: Database, secrets_env: dict[str, str], cli: Run
) -> None:
    set_up_business(cli)
    before = stored(sqlite_db, "wps/send_orders")
    for bad, why in (
        ("0", "max_consecutive_failures 0 is out of range: use 1 to 100"),
        ("101", "max_consecutive_failures 101 is out of range: use 1 to 100"),
        ("true", "max_consecutive_failures must be a whole number from 1 to 100"),
        ("three", "max_consecutive_failures must be a whole number from 1 to 100"),
    ):
        status, _, err = cli(
            "integrations", "set", "wps/send_orders", "--set", f"max_consecutive_failures={bad}"
        )
        assert status == 2 and err.count("\n") == 1, (bad, err)
        assert f"wps/send_orders: {why}" in err, (bad, err)
    assert stored(sqlite_db, "wps/send_orders") == before
    for name in ("wps/send_orders", "woo-shop/get_orders"):
        status, _, err = cli("integrations", "set", name, "--set", "max_consecutive_failures=7")
        assert status == 0, err
        assert stored(sqlite_db, name)["max_consecutive_failures"] == 7
    # The operation's own keys are still checked next to it.
    status, _, err = cli(
        "integrations", "set", "woo-shop/get_orders", "--set", "max_consecutive_failures=2",
        "--set", "dayz=3",
    )  # fmt: skip
    assert status == 2 and "unknown setting dayz" in err
