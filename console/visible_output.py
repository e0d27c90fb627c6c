"""Everything a command prints to a human is drawn, never obeyed, by the terminal.

Commands print store data (product names, SKUs, addresses, notes, error texts) in many
places. Rather than trust each `print`, `visible_stdout()` wraps stdout for the length of a
command so every write goes through `store.safe_text.visible` (newlines and tabs kept).
`--json` output passes unchanged: `json.dumps` already escapes control characters (and,
with its default ensure_ascii, C1 and bidi characters), so there is nothing left to change.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from store.safe_text import visible


class VisibleWriter:
    """A text stream that makes control characters visible, then writes to `inner`."""

    def __init__(self, inner: TextIO) -> None:
        self._inner = inner
        self.written = False
        """Whether the command printed anything (a --json error then does not add a second
        object after the command's own)."""

    def write(self, text: str) -> int:
        self.written = self.written or bool(text)
        self._inner.write(visible(text, multiline=True))
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:  # flush, fileno, isatty, encoding, buffer…
        return getattr(self._inner, name)


@contextmanager
def visible_stdout() -> Iterator[VisibleWriter]:
    """stdout shows control characters from here until the block ends."""
    inner = sys.stdout
    writer = VisibleWriter(inner)
    sys.stdout = writer  # a TextIO in all we use
    try:
        yield writer
    finally:
        sys.stdout = inner
