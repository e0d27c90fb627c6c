"""`dropdeck`: the entry point. Subcommands live in `console.commands.<name>`.

Exit status: 0 ok, 1 the operation failed, 2 bad usage. Errors are one line on stderr;
tracebacks only with DROPDECK_DEBUG=1 (and secrets are never in them: see store.crypto).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence

from .errors import CliError, UsageError
from .runtime.process import tune_for_jobs

# Order is the order of `dropdeck --help`.
COMMANDS = (
    "demo",
    "sandbox",
    "worker",
    "run",
    "connections",
    "sources",
    "channels",
    "integrations",
    "mappings",
    "listings",
    "orders",
    "notifications",
    "db",
)

Handler = Callable[[argparse.Namespace], int]


class Parser(argparse.ArgumentParser):
    """argparse that fails with one line (and exit 2) instead of a usage dump."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message} (see '{self.prog} --help')")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="dropdeck",
        description="Dropdeck: a terminal operations console for dropship businesses. "
        "With no command, opens the console.",
    )
    parser.add_argument(
        "--readonly", action="store_true", help="open the console read-only (no actions)"
    )
    parser.set_defaults(handler=_open_console)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=Parser)
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"console.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"console.commands.{name}":
                raise
            continue  # a command whose issue has not landed yet
        module.register(sub)
    return parser


def _open_console(args: argparse.Namespace) -> int:
    from .commands.tui import open_console

    return open_console(readonly=args.readonly)


def main(argv: Sequence[str] | None = None) -> int:
    debug = os.environ.get("DROPDECK_DEBUG") == "1"
    tune_for_jobs()
    try:
        args = build_parser().parse_args(argv)
        handler: Handler = args.handler
        return handler(args)
    except CliError as exc:
        print(f"dropdeck: error: {exc}", file=sys.stderr)
        return exc.exit_status
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `dropdeck listings | head`: the reader left; that is not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:
        if debug:
            raise
        print(f"dropdeck: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
