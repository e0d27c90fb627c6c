"""Attention (0), where the console opens: what waits for the operator, counted, with the
newest example of each and a key that jumps to the list (filtered) where it is dealt with.

Held orders and failed requests open Orders filtered to them; broken links and listings
with no supplier open their Listings tab; paused integrations open Sources (or Channels)
filtered to `paused`. When nothing waits, it says so and what to do next.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from store.queries.attention import Attention, attention

from .. import format as fmt
from .. import store_access
from ..copy import CopyTarget
from .base import Pane


@dataclass(frozen=True)
class Item:
    """One line of the summary: its key, what it counts, and where the key jumps."""

    key: str
    label: str
    target: str
    """The jump: `held`, `failed`, `broken`, `paused` or `no_supplier`."""


ITEMS = (
    Item("h", "Held orders", "held"),
    Item("r", "Failed requests", "failed"),
    Item("b", "Broken links", "broken"),
    Item("p", "Paused integrations", "paused"),
    Item("n", "No supplier", "no_supplier"),
)
LABEL_WIDTH = max(len(i.label) for i in ITEMS)

ALL_WELL = (
    "All is well: no order is held, no fulfillment request failed, no listing lost its "
    "store product, no integration is paused.\n"
    "Next: 6 shows the jobs as they run, 4 the orders as they come in; in 1 Sources or "
    "2 Channels, x runs an integration now. New trouble shows here, and in the feed below "
    "as a warning."
)
NO_BUSINESS = (
    "Nothing set up yet: no sources or channels.\n"
    "Try `dropdeck demo` for a fictional business, or add a connection, a source and a "
    "channel (dropdeck connections add, dropdeck sources add, dropdeck channels add)."
)


def _counts(a: Attention) -> dict[str, tuple[int, str | None]]:
    """Per jump target: (count, the example line)."""
    paused_where = []
    if a.paused_sources:
        paused_where.append(f"{a.paused_sources} in Sources")
    if a.paused_channels:
        paused_where.append(f"{a.paused_channels} in Channels")
    paused = a.paused_example
    if paused and len(paused_where) > 1:
        paused = f"({', '.join(paused_where)}) {paused}"
    share = (
        f"of {a.listings:,} listings: an order for one is held until it is linked to "
        "inventory (i in Listings)"
        if a.no_supplier
        else None
    )
    return {
        "held": (a.held_orders, a.held_example),
        "failed": (a.failed_requests, a.failed_example),
        "broken": (a.broken_links, a.broken_example),
        "paused": (a.paused_integrations, paused),
        "no_supplier": (a.no_supplier, share),
    }


def _cut(text: str, width: int) -> str:
    """One line of `width` cells at most (the list would wrap it)."""
    text = " ".join(fmt.visible(text).split())
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def _prompt(item: Item, count: int, example: str | None, width: int) -> Text:
    """`h  Held orders        14` over the newest example, cut to one line of `width`."""
    text = Text()
    text.append(f" {item.key} ", style="bold reverse" if count else "dim")
    text.append(f" {item.label.ljust(LABEL_WIDTH)} ", style="bold" if count else "dim")
    style = "dim" if not count else ("yellow" if item.target == "no_supplier" else "bold red")
    text.append(f"{count:>7,}", style=style)
    text.append("\n     ")
    text.append(_cut(example, width - 6) if count and example else "none", style="dim")
    return text


class AttentionPane(Pane):
    BINDINGS = [
        *(Binding(i.key, f"jump('{i.target}')", i.label, show=False) for i in ITEMS),
        Binding("enter", "open", "Open list"),
        Binding("y", "copy", "Copy"),  # room in the footer here
    ]
    TITLE = "Attention"
    REFRESH_SECONDS = 3.0

    def __init__(self) -> None:
        super().__init__(id="attention")
        self.summary: Attention | None = None
        self._prompts: list[Text] = []

    def compose_body(self) -> Iterable[Widget]:
        yield OptionList(id="attention-list", compact=True)
        yield Static("loading…", classes="empty", id="attention-empty")  # until the store answers
        yield Static(
            "h r b p n or enter: open the list · on a held order in Orders, r routes it again",
            id="attention-keys",
        )

    @property
    def options(self) -> OptionList:
        return self.query_one("#attention-list", OptionList)

    def focus_main(self) -> None:
        self.options.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("filter", "clear_filter"):
            return False  # a handful of lines; each key opens a list that filters
        return super().check_action(action, parameters)

    def load(self) -> None:
        self._load()

    @work(exclusive=True, group="attention", exit_on_error=False)
    async def _load(self) -> None:
        summary = await store_access.read(self.db, attention)
        self.summary = summary
        counts = self._show(summary)
        empty = self.query_one("#attention-empty", Static)
        empty.display = summary.all_well
        empty.update(ALL_WELL if summary.owners else NO_BUSINESS)
        waiting = sum(counts[t][0] > 0 for t in ("held", "failed", "broken", "paused"))
        self.set_status(
            "all is well" if summary.all_well else f"{fmt.plural(waiting, 'kind')} of trouble"
        )

    def _show(self, summary: Attention) -> dict[str, tuple[int, str | None]]:
        """The lines, as wide as the list is now; the cursor stays where it was."""
        counts = _counts(summary)
        options = self.options
        width = max(30, options.size.width or self.size.width)
        prompts = [_prompt(item, *counts[item.target], width) for item in ITEMS]
        if prompts == self._prompts:
            return counts  # the same lines: rebuilding them would resend them every 3 s
        self._prompts = prompts
        highlighted = options.highlighted
        options.clear_options()
        options.add_options(
            Option(prompt, id=item.target) for item, prompt in zip(ITEMS, prompts, strict=True)
        )
        options.highlighted = highlighted if highlighted is not None else self._first(counts)
        return counts

    def on_resize(self) -> None:
        if self.summary is not None:
            self._show(self.summary)

    @staticmethod
    def _first(counts: dict[str, tuple[int, str | None]]) -> int:
        """The cursor starts on the first line with something in it."""
        return next((n for n, i in enumerate(ITEMS) if counts[i.target][0]), 0)

    def copy_target(self) -> CopyTarget | None:
        """The highlighted line's newest example (`order 1042: …`), as it is stored."""
        index = self.options.highlighted
        if index is None or self.summary is None:
            return None
        item = ITEMS[index]
        example = _counts(self.summary)[item.target][1]
        # One line, as the summary shows it (an error's newlines and tabs become spaces).
        return CopyTarget(f"{item.label.lower()} example", " ".join((example or "").split()))

    def action_open(self) -> None:
        index = self.options.highlighted
        if index is not None:
            self.action_jump(ITEMS[index].target)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.action_jump(event.option.id)

    def action_jump(self, target: str) -> None:
        summary = self.summary
        paused_channels_only = (
            summary is not None and not summary.paused_sources and summary.paused_channels > 0
        )
        self.dropdeck.jump(target, channels=paused_channels_only)
