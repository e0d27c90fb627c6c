"""Modal screens: help, row details, confirmation, filter."""
