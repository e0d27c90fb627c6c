"""The sandboxes', the demo's and the crash loop's tracking numbers pass the channels' check
for the carrier the supplier's shipping code names, and are the same for the same PO."""

from __future__ import annotations

import pytest

from connectors.sandboxing.tracking import carrier_of, tracking_number
from connectors.tracking import tracking_problem

# A shipping code (WPS, US Direct) or carrier name -> the carrier Dropdeck records for it.
METHODS = [
    ("BEST", "UPS"),  # WPS names BEST's carrier from the number: a UPS one
    ("UP1D", "UPS"),
    ("UPS-GND", "UPS"),
    ("FE2D", "FedEx"),
    ("FDXG", "FedEx"),
    ("AH2D", "FedEx"),
    ("FEDEX-EXP", "FedEx"),
    ("US1C", "USPS"),
    ("USPS-PRIORITY", "USPS"),
    ("DHL", "DHL"),
    ("CO5", "OnTrac"),
    ("", ""),
]


@pytest.mark.parametrize(("method", "carrier"), METHODS)
def test_numbers_pass_the_check_for_their_carrier(method: str, carrier: str) -> None:
    numbers = {tracking_number(method, f"DD00001-1S1-{n}") for n in range(50)}
    assert len(numbers) == 50  # one per box
    for number in numbers:
        assert tracking_problem(number, carrier) is None, number
        assert tracking_problem(number, carrier_of(method)) is None, number


def test_the_same_po_and_box_give_the_same_number() -> None:
    assert tracking_number("BEST", "PO-7-0") == tracking_number("BEST", "PO-7-0")
    assert tracking_number("BEST", "PO-7-0") != tracking_number("BEST", "PO-7-1")
    assert tracking_number("UPS-GND", "PO-7-0").startswith("1Z")
    assert len(tracking_number("FEDEX-EXP", "PO-7-0")) == 12
