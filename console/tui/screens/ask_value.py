"""A small form for one value: a question, why it is asked, the choices (suggested as you
type), enter to confirm and escape to cancel. Used by `r` on an order held for a missing
shipping mapping (which policy) and `l` in Listings (which inventory item).

The screen only collects the value; the pane runs the action (audited in the store).
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label, Static

from store.safe_text import visible


class AskValueScreen(ModalScreen[str | None]):
    """Dismisses with the value typed (enter), or None (escape). With `strict`, the value
    must be one of `choices` (any case)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self,
        title: str,
        lines: Sequence[str],
        label: str,
        *,
        choices: Sequence[str] = (),
        strict: bool = False,
        value: str = "",
        action: str = "confirm",
    ) -> None:
        super().__init__()
        self.title_text = title
        self.lines = list(lines)
        self.label = label
        self.choices = list(choices)
        self.strict = strict and bool(self.choices)
        self.value = value
        self.action = action

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="ask-value"):
            yield Static(Text(visible(self.title_text), style="bold"), id="question")
            for line in self.lines:
                yield Static(Text(visible(line)), classes="ask-line")
            with Horizontal(classes="field"):
                yield Label(visible(self.label))
                yield Input(
                    visible(self.value),
                    placeholder=f"type the {self.label}",
                    id="ask-input",
                    compact=True,
                    suggester=SuggestFromList(self.choices, case_sensitive=False)
                    if self.choices
                    else None,
                )
            if self.choices:
                yield Static(
                    Text(visible("one of " + ", ".join(self.choices))), classes="ask-choices"
                )
            yield Static("", id="ask-problem")
            yield Static(f"enter {self.action} · escape cancel", id="answer-keys")

    def on_mount(self) -> None:
        self.query_one("#ask-input", Input).focus()

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = event.value.strip()
        problem = self.query_one("#ask-problem", Static)
        if not value:
            problem.update(Text(f"type the {self.label}, or escape to cancel", style="red"))
            problem.display = True
            return
        if self.strict:
            known = {c.lower(): c for c in self.choices}
            # A prefix of exactly one choice is that choice (enter takes the suggestion).
            starting = [c for c in known if c.startswith(value.lower())]
            if value.lower() not in known and len(starting) == 1:
                value = starting[0]
            if value.lower() not in known:
                problem.update(
                    Text(
                        visible(f"'{value}' is not one of {', '.join(self.choices)}"),
                        style="red",
                    )
                )
                problem.display = True
                return
            value = known[value.lower()]
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)
