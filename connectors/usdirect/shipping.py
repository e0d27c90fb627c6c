"""US Direct's shipping codes (the guide's), and the carrier each ships with."""

CARRIER_CODES = {"UPS": "UPS-GND", "FEDEX": "FEDEX-EXP", "USPS": "USPS-PRIORITY"}
SHIPPING_CODES = tuple(CARRIER_CODES.values())
