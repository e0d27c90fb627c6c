"""An owner with no integrations says how to add one, naming only kinds that
`dropdeck integrations add` accepts for its system (Magento, ShipStation, US Direct too)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from textual.widgets import DataTable

from console.cli import main
from console.tui.app import DropdeckApp
from console.tui.panes.channels import ChannelsPane
from console.tui.panes.integrations import IntegrationsPane, NoIntegrations
from console.tui.panes.sources import SourcesPane
from store.commands.setup import ensure_channel, ensure_source
from store.db import Database

from .conftest import settle

OWNERS = [
    ("sources", SourcesPane, "usdirect"),
    ("sources", SourcesPane, "wps"),
    ("channels", ChannelsPane, "magento"),
    ("channels", ChannelsPane, "shipstation"),
    ("channels", ChannelsPane, "woocommerce"),
]


@pytest.mark.parametrize(("pane_id", "pane_type", "system"), OWNERS, ids=[o[2] for o in OWNERS])
async def test_the_hint_of_an_owner_without_integrations_leads_to_no_refusal(
    pane_id: str,
    pane_type: type[IntegrationsPane],
    system: str,
    make_app: Callable[..., DropdeckApp],
    demo_db: Database,
    capsys: pytest.CaptureFixture[str],
) -> None:
    owner = f"new-{system}"
    with demo_db.write() as session:
        ensure = ensure_source if pane_id == "sources" else ensure_channel
        ensure(session, name=owner, kind=system, connection=None)
    app = make_app(pane=pane_id)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        pane = app.query_one(pane_type)
        at = next(i for i, r in enumerate(pane.rows) if r.owner == owner)
        assert isinstance(pane.rows[at], NoIntegrations)
        pane.query_one(DataTable).move_cursor(row=at)
        await pilot.press("x")
        await settle(pilot)
        hint = [n.message for n in app._notifications][-1]
    command = f"dropdeck integrations add {owner} KIND, KIND one of "
    assert command in hint, hint
    kinds = re.split(r", ", hint.split("KIND one of ")[1])
    assert kinds
    for kind in kinds:  # what the hint suggests is accepted
        status = main(["integrations", "add", owner, kind])
        assert status == 0, (kind, capsys.readouterr().err)
