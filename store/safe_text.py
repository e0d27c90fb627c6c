"""Text from outside (stores, suppliers, operators) made safe to show on a terminal.

Product names, SKUs, addresses, notes and error texts come from systems we do not control.
Written raw, `\\x1b]0;PWNED\\x07` retitles the operator's window and `\\x1b[2J` clears it.
`visible()` is the one function every display path uses (console, CLI, stderr logs):

- C0 controls (U+0000-U+001F) become their Unicode control pictures (`\\x1b` → `␛`,
  `\\x07` → `␇`, `\\n` → `␊`) and DEL becomes `␡`: one visible cell each, so the operator
  sees that the value holds a control character and column widths stay right;
- C1 controls (U+0080-U+009F, e.g. the one-byte CSI `\\x9b`) and the bidirectional
  overrides and isolates (U+202A-U+202E, U+2066-U+2069), which have no picture, and the
  line/paragraph separators U+2028/U+2029 become their Python escape (`\\x9b`, `\\u202e`);
- everything else, accents, CJK and emoji included, is left alone.

With `multiline=True` newlines and tabs are kept (details dialogs, tracebacks). Stored data
is never changed: this is for display only, and `--json` output stays exact (json.dumps
escapes control characters itself).
"""

from __future__ import annotations

import re

_PICTURES = {code: chr(0x2400 + code) for code in range(0x20)} | {0x7F: "\u2421"}
_ESCAPED = (
    {code: f"\\x{code:02x}" for code in range(0x80, 0xA0)}
    | {code: f"\\u{code:04x}" for code in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]}
    | {0x2028: "\\u2028", 0x2029: "\\u2029"}
)
_SINGLE_LINE = str.maketrans(_PICTURES | _ESCAPED)
_MULTILINE = str.maketrans(
    {k: v for k, v in (_PICTURES | _ESCAPED).items() if k not in (0x09, 0x0A)}
)
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def visible(text: object, *, multiline: bool = False) -> str:
    """`text` as a str whose control characters are shown, never acted on by a terminal."""
    value = text if isinstance(text, str) else str(text)
    if _UNSAFE.search(value) is None:  # the common case: no copy
        return value
    return value.translate(_MULTILINE if multiline else _SINGLE_LINE)
