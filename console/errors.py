"""Errors the CLI turns into one line and an exit status."""

from __future__ import annotations


class CliError(Exception):
    """The operation failed (exit 1); the message says what to fix."""

    exit_status = 1


class UsageError(CliError):
    """The command line was wrong (exit 2)."""

    exit_status = 2
