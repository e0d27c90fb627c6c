"""Tracking numbers refused before any channel sees them: several, too long, malformed,
not the carrier's format; hostile text quoted short and visible."""

from __future__ import annotations

import pytest

from connectors.tracking import clip, known_carrier, tracking_problem

GOOD = [
    ("UPS", "1Z999AA10123456784"),
    ("ups", "1z999aa10123456784"),  # letters in any case
    ("United Parcel Service", "1Z9999W99999999999"),
    ("FedEx", "123456789012"),
    ("FEDEX", "123456789012345"),
    ("Federal Express", "12345678901234567890"),
    ("fed ex", "1234567890123456789012"),
    ("USPS", "92055901755477000000"),  # 20 digits
    ("USPS", "9205590175547700000000"),  # 22
    ("USPS", "92001901755477000000000013"),  # 26
    ("USPS", "420837029205590175547700000000"),  # 30: 420, ZIP, then the 22
    ("USPS", "4208370212349205590175547700000000"),  # 34: 420, ZIP+4, then the 22
    ("United States Postal Service", "EC123456789US"),  # S10 international
    ("DHL", "1234567890"),
    ("DHL Express", "1234567890"),
    ("OnTrac", "C11031500001879"),  # any other carrier: length and characters only
    ("", "ABC-1234"),
    ("Best ground method", "1ZDEMO-42"),
    ("UPS", "  1Z999AA10123456784 \n"),  # surrounding blanks are not a second number
]


@pytest.mark.parametrize(("carrier", "number"), GOOD)
def test_well_formed_numbers_pass(carrier: str, number: str) -> None:
    assert tracking_problem(number, carrier) is None


@pytest.mark.parametrize(
    ("carrier", "number", "words"),
    [
        ("UPS", "", "the tracking number is empty"),
        ("UPS", " \t\n", "the tracking number is empty"),
        ("UPS", "1Z999AA10123456784 1Z999AA10123456785", "holds several numbers"),
        ("UPS", "1Z999AA10123456784\n1Z999AA10123456785", "holds several numbers"),
        ("UPS", "1Z999AA10123456784,1Z999AA10123456785", "holds several numbers"),
        ("FedEx", "123456789012;123456789013", "holds several numbers"),
        ("FedEx", "123456789012/123456789013", "holds several numbers"),
        ("FedEx", "123456789012|123456789013", "holds several numbers"),
        ("FedEx", "123456789012\u00a0123456789013", "holds several numbers"),  # no-break space
        ("FedEx", "123456789012\u2028123456789013", "holds several numbers"),  # line separator
        ("DHL", "1234567890\t0987654321", "holds several numbers"),
        ("", "X" * 51, "too long (51 characters; at most 50)"),
        ("UPS", "1Z" + "9" * 100_000, "too long (100002 characters; at most 50)"),
        ("", "1Z$99", "malformed"),
        ("", "1Z9", "malformed"),  # too short to be anyone's number
        ("", "-1Z99", "malformed"),
        ("", "1Z\x1b[2J99", "malformed"),  # a terminal escape
        ("", "1Z\x0099", "malformed"),  # NUL
        ("", "1Z99\u202e99", "malformed"),  # a bidi override
        ("", "1Z99\u200b99", "malformed"),  # zero-width space
        # Arabic-Indic digits are digits to Python (str.isdigit), not to carriers.
        ("", "١٢٣٤٥٦٧٨٩٠", "malformed"),
        ("", "\uff11\uff12\uff13\uff14\uff15\uff16", "malformed"),  # full-width digits
        ("DHL", "https://dhl.com/track?id=1234567890", "is a link, not a number"),
        ("UPS", "HTTP://ups.com/1Z999AA10123456784 2", "is a link, not a number"),
        ("UPS", "1Z999AA1012345678", "does not match UPS's format (1Z and 16 letters or digits)"),
        ("UPS", "1Z999AA101234567845", "does not match UPS's format"),
        ("UPS", "123456789012", "does not match UPS's format"),
        ("UPS", "1Z999AA1012345678\u212a", "malformed"),  # the Kelvin sign is no K
        ("FedEx", "1234567890123", "does not match FedEx's format (12, 15, 20 or 22 digits)"),
        ("FedEx", "12345678901A", "does not match FedEx's format"),
        ("FedEx", "1Z999AA10123456784", "does not match FedEx's format"),
        ("USPS", "9205590175547700000", "does not match USPS's format"),  # 19 digits
        ("USPS", "92055901755477000000000", "does not match USPS's format"),  # 23
        ("USPS", "4208370292055901755477000000", "does not match USPS's format"),  # 28
        ("USPS", "EC123456789CN", "does not match USPS's format"),  # another post's S10
        ("USPS", "E1123456789US", "does not match USPS's format"),
        ("DHL", "123456789", "does not match DHL's format (10 digits)"),
        ("DHL", "12345678901", "does not match DHL's format"),
        ("DHL", "123456789O", "does not match DHL's format"),  # a letter O for a zero
    ],
)
def test_bad_numbers_are_refused_in_one_line(carrier: str, number: str, words: str) -> None:
    problem = tracking_problem(number, carrier)
    assert problem is not None and words in problem
    assert "\n" not in problem and len(problem) < 200  # one short line, whatever came in
    assert "\x1b" not in problem and "\x00" not in problem and "\u202e" not in problem


def test_a_hostile_value_is_quoted_short_and_visible() -> None:
    problem = tracking_problem("1Z\x1b]0;PWNED\x07 " + "A" * 5000, "UPS")
    assert problem is not None and "several numbers" in problem
    assert "␛]0;PWNED␇" in problem and "…" in problem and len(problem) < 200
    assert clip("1Z\x1b[2J") == "1Z␛[2J" and len(clip("9" * 1000)) == 41


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("UPS", "UPS"),
        (" u.p.s. ", "UPS"),
        ("FedEx Ground", None),  # a service name is not a carrier this checks
        ("Federal Express", "FEDEX"),
        ("usps", "USPS"),
        ("DHL Express", "DHL"),
        ("OnTrac", None),
        ("", None),
        ("\x1bUPS", "UPS"),
    ],
)
def test_known_carriers_by_name(name: str, key: str | None) -> None:
    assert known_carrier(name) == key
