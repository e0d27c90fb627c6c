"""`dropdeck`: the entry point. Subcommands live in `console.commands.<name>`.

Exit status: 0 ok, 1 the operation failed (also: database trouble, and a changing command
refused to a read-only operator), 2 bad usage. Errors are one line on stderr; tracebacks
only with DROPDECK_DEBUG=1 (and secrets are never in them: see store.crypto).

A read-only operator (`DROPDECK_ROLE=readonly` or the config file: see console.role) may run
only the commands in READ_COMMANDS; every other command is refused before it opens the store.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from store.safe_text import visible

from .commands._output import print_error_json
from .errors import CliError, UsageError
from .runtime.process import tune_for_jobs
from .visible_output import VisibleWriter, visible_stdout

# Each command with its line in `dropdeck --help`, in that order. Only the command given is
# imported (console.commands.<name>), so `dropdeck orders` does not load the worker, the
# sandboxes or the console: the others get a bare parser carrying this line.
COMMANDS = {
    "demo": "start the sandbox peers, seed a demo business, open the console",
    "sandbox": "run only the sandbox peers (prints their base URLs)",
    "worker": "run the scheduler and execute runs (headless)",
    "run": "run one integration now",
    "runs": "list runs (newest first), show one with its log lines, or cancel one",
    "connections": "add, change, list or remove connections (credentials of external systems)",
    "sources": "add, change or list sources (suppliers)",
    "channels": "add, change or list channels (where you sell)",
    "integrations": "list integrations; add or change one; pause or unpause one",
    "mappings": "shipping mappings (channel text -> policy -> carrier) and templates",
    "listings": "list listings, or pause/unpause/hide/unhide them",
    "inventory": "list each source's items: stock, cost, the listings they back",
    "orders": "list orders, or resubmit or send one",
    "shipments": "list shipments (tracking, carrier, status, order, PO, synced)",
    "invoices": "list source invoices (number, total, order, PO)",
    "notifications": "show (or --follow) recent notifications",
    "db": "database maintenance: upgrade, export, import",
    "about": "version, installation id, database and home",
}

Handler = Callable[[argparse.Namespace], int]

# The commands that only read ("module.handler"). A command missing here is refused to a
# read-only operator, so a new read command is refused until it is added: the safe default.
READ_COMMANDS = frozenset(
    {
        "console.commands.connections._list",
        "console.commands.sources._list",
        "console.commands.channels._list",
        "console.commands.integrations._list",
        "console.commands.mappings._list",
        "console.commands.templates._list",
        "console.commands.templates._show",
        "console.commands.listings._list",
        "console.commands.inventory._list",
        "console.commands.orders._list",
        "console.commands.shipments._list",
        "console.commands.runs._list",
        "console.commands.runs._show",
        "console.commands.invoices._list",
        "console.commands.notifications._show",
        "console.commands.sandbox._run",  # the sandbox peers; the store is not opened
        "console.commands.db._export",  # reads the store, writes only the export file
        "console.commands.about._show",
        "console.cli._open_console",  # opened read-only for such an operator
    }
)


class Parser(argparse.ArgumentParser):
    """argparse that fails with one line (and exit 2) instead of a usage dump."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser; with `argv`, only the command it names is fully built (imported)."""
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
    chosen = _command_named(argv)
    for name, line in COMMANDS.items():
        if argv is not None and name != chosen:
            sub.add_parser(name, help=line)  # for --help; never parsed into
            continue
        module = importlib.import_module(f"console.commands.{name}")
        module.register(sub, line)
    return parser


def _command_named(argv: Sequence[str] | None) -> str | None:
    """The command `argv` names: its first word that is not an option."""
    for word in argv or ():
        if not word.startswith("-"):
            return word if word in COMMANDS else None
    return None


def _open_console(args: argparse.Namespace) -> int:
    from .commands.tui import open_console
    from .role import operator_role

    return open_console(readonly=args.readonly or operator_role()[0] == "readonly")


def refuse_changes_of_readonly_operator(handler: Handler, argv: Sequence[str]) -> None:
    """A read-only operator runs read commands only; anything else is one line, exit 1."""
    from .role import operator_role  # after parsing: `--help` reads no config file

    role, where = operator_role()
    if role != "readonly" or f"{handler.__module__}.{handler.__name__}" in READ_COMMANDS:
        return
    words = [w for w in argv if not w.startswith("-")][:2]
    raise CliError(
        f"'dropdeck {' '.join(words)}' changes the store and this operator is read-only "
        f"({where}); ask an operator who may write"
    )


def _database_trouble(exc: Exception) -> str | None:
    """One line for a database error (locked, full, damaged, refused), else None."""
    from store.errors import explain
    from store.settings import load_settings

    try:
        settings = load_settings()
    except Exception:
        return None
    return explain(exc, settings)


def main(argv: Sequence[str] | None = None) -> int:
    debug = os.environ.get("DROPDECK_DEBUG") == "1"
    tune_for_jobs()
    words = sys.argv[1:] if argv is None else list(argv)
    said: VisibleWriter | None = None
    try:
        args = build_parser(words).parse_args(words)
        handler: Handler = args.handler
        refuse_changes_of_readonly_operator(handler, words)
        with visible_stdout() as said:  # store data reaches stdout; its control chars never act
            return handler(args)
    except CliError as exc:
        return _fail(str(exc), exc.exit_status, words, said_anything=bool(said and said.written))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `dropdeck listings | head`: the reader left; that is not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:
        if debug:
            raise
        trouble = _database_trouble(exc)
        text = trouble if trouble is not None else f"{type(exc).__name__}: {exc}"
        return _fail(text, 1, words, said_anything=bool(said and said.written))


def _fail(message: str, status: int, words: Sequence[str], *, said_anything: bool) -> int:
    """One line on stderr; with --json also one object on stdout, unless the command already
    printed its own (e.g. listing actions, whose object lists the SKUs it did not know)."""
    print(f"dropdeck: error: {visible(message)}", file=sys.stderr)
    if "--json" in words and not said_anything:
        print_error_json(message, status)  # json.dump escapes control characters
    return status


if __name__ == "__main__":
    sys.exit(main())
