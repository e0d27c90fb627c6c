"""The key footer, cut to its width: keys that would not fit are left out whole, in an
order the app gives, so `? Help` (the way to every other key) always shows.

textual's Footer lays every shown binding in a row and lets the row run under the `^p
palette` key at its right end (at 80 columns the last keys vanish and a stray letter is
left past the palette). Here, before the keys are laid out, whole groups of spare keys
are dropped until the rest fit; the keys stay bound and stay in help and the palette.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.events import Resize
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

# Never dropped: help lists every other key; quit is how to leave.
KEPT = frozenset({"help", "quit"})


def key_width(key: FooterKey) -> int:
    """Cells a compact key takes: `k Description` and the one-cell gap after it."""
    return cell_len(key.key_display) + 1 + cell_len(key.description) + 1


class FittingFooter(Footer):
    """`spare()`: groups of actions to leave out, first group first, while the keys do not
    fit; anything else but help and quit then goes from the right."""

    def __init__(self, spare: Callable[[], Sequence[Iterable[str]]]) -> None:
        super().__init__(compact=True)
        self.spare = spare
        self._laid_for = 0  # the width the keys were last chosen for

    def compose(self) -> ComposeResult:
        widgets = list(super().compose())
        keys = [w for w in widgets if isinstance(w, FooterKey) and not self._is_palette(w)]
        palette = sum(
            1 + cell_len(w.key_display) + 1 + cell_len(w.description)  # border, key, label
            for w in widgets
            if isinstance(w, FooterKey) and self._is_palette(w)
        )
        room = self.size.width - palette
        self._laid_for = self.size.width
        if not room:  # not laid out yet: the resize that follows chooses
            yield from widgets
            return
        shown = list(keys)
        groups = [set(group) for group in self.spare()]
        for group in groups:
            if sum(map(key_width, shown)) <= room:
                break
            shown = [k for k in shown if k.action not in group or k.action in KEPT]
        while sum(map(key_width, shown)) > room:
            spare = [k for k in shown if k.action not in KEPT]
            if not spare:
                break
            shown.remove(spare[-1])
        dropped = {id(k) for k in keys} - {id(k) for k in shown}
        yield from (w for w in widgets if id(w) not in dropped)

    @staticmethod
    def _is_palette(widget: Widget) -> bool:
        return widget.has_class("-command-palette")

    def on_resize(self, event: Resize) -> None:
        if event.size.width != self._laid_for:
            self.call_after_refresh(self.recompose)
