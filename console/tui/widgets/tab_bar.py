"""A one-line row of labelled tabs, one highlighted. Not focusable: keys drive it.

Used for the pane switcher (`1 Sources  2 Channels …`) and the Listings tabs with their
counts (`All 1,000  Linked 812 …`). Deterministic text, no animation, so snapshots hold.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget


class TabBar(Widget):
    """Labels in a row; `active` is the highlighted index."""

    DEFAULT_CSS = """
    TabBar { height: 1; width: 1fr; background: $panel; color: $text-muted; }
    """
    COMPONENT_CLASSES = {"tab-bar--active", "tab-bar--extra"}

    labels: reactive[tuple[str, ...]] = reactive(tuple, layout=False)
    """What each tab says."""

    active: reactive[int] = reactive(0)
    """The highlighted tab."""

    extra: reactive[str] = reactive("")
    """Text at the right end (e.g. READ-ONLY)."""

    def __init__(
        self, labels: Sequence[str], *, short: Sequence[str] = (), id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.set_reactive(TabBar.labels, tuple(labels))
        self.short = tuple(short)
        """Shorter labels, one per tab, for when even tight tabs and the extra text do not
        fit (80 columns with READ-ONLY)."""

    def render(self) -> Text:
        active = self.get_component_rich_style("tab-bar--active", partial=True)
        text = Text(no_wrap=True, overflow="ellipsis")
        # Tabs are spaced apart when there is room; tight, so every tab and the extra text
        # (READ-ONLY) still show, when there is not; short labels, tight (80 columns), then
        # cramped, one space apart (80 columns beside READ-ONLY), when even that does not fit.
        extra = len(self.extra) + 2 if self.extra else 0
        roomy = sum(len(label) + 3 for label in self.labels) + extra
        tight = sum(len(label) + 2 for label in self.labels) + extra
        short_tight = sum(len(label) + 2 for label in self.short) + extra
        if self.short and tight > self.size.width and short_tight > self.size.width:
            text.append(" ")
            for index, label in enumerate(self.short):
                text.append(label, style=active if index == self.active else "")
                text.append(" ")
        else:
            gap = " " if roomy <= self.size.width else ""
            labels = self.labels if tight <= self.size.width or not self.short else self.short
            for index, label in enumerate(labels):
                text.append(f" {label} ", style=active if index == self.active else "")
                text.append(gap)
        if self.extra:
            pad = max(1, self.size.width - text.cell_len - len(self.extra) - 1)
            text.append(" " * pad)
            text.append(self.extra, style=self.get_component_rich_style("tab-bar--extra"))
        return text
