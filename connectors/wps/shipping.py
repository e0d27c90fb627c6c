"""The carrier codes WPS accepts as `ship_via` (docs/wps.md): the descriptor offers them to
operators, the mapping checks orders against them."""

SHIP_VIA = ("AH2D", "BEST", "FE1D", "FE2D", "UP1D", "UP2D", "US1C", "US4C")
