"""`y`: the selected row's key value (SKU, order number, tracking, ...) to the clipboard.

Textual's `App.copy_to_clipboard` writes OSC 52 (`ESC ] 52 ; c ; base64 BEL`), which the
operator's own terminal acts on, so it works over SSH. The payload is base64, so no byte of
the value reaches the terminal raw; still, a value holding a control character (a hostile
SKU with an ESC in it) is refused, not copied: pasted into a shell or a supplier's form it
would act there, and a stripped value would be a different SKU than the one stored.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import App

from store.safe_text import visible


@dataclass(frozen=True)
class CopyTarget:
    """What `y` copies: `what` names it in the toast ("SKU", "order number")."""

    what: str
    value: str


def copy_value(app: App[object], target: CopyTarget | None) -> bool:
    """Copy `target.value` to the clipboard and say so; refuse, in one line, a value
    that is empty or holds control characters. Returns whether it copied."""
    if target is None:
        app.notify("Nothing selected to copy", severity="warning")
        return False
    shown = visible(target.value)
    if not target.value:
        app.notify(f"Not copied: this row has no {target.what}", severity="warning")
        return False
    if shown != target.value:  # visible() changed something: a control character
        app.notify(
            f"Not copied: {target.what} {shown} holds a control character, which would act "
            "wherever it is pasted",
            title="Copy refused",
            severity="warning",
        )
        return False
    app.copy_to_clipboard(target.value)
    app.notify(f"Copied {target.what} {shown}", title="Clipboard")
    return True
