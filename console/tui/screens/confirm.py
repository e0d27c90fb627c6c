"""y/N before an action that changes many records. Anything but `y` says no."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from store.safe_text import visible


class ConfirmScreen(ModalScreen[bool]):
    """Dismisses with True on `y`, False on `n`, escape or enter (the default is no)."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape,enter", "answer(False)", "No"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(visible(self.question)), id="question")  # may name store data
            yield Static("[b]y[/b] yes   [b]N[/b] no", id="answer-keys")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
