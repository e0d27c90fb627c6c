"""`enter`: every field of one row (and, for a run, its record errors and log), in a
scrollable box."""

from __future__ import annotations

from collections.abc import Sequence

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

Field = tuple[str, object]
Section = tuple[str, Sequence[str]]


class DetailsScreen(ModalScreen[None]):
    """A title, (label, value) lines, then optional sections (a heading over plain lines,
    e.g. a run's log); long lines wrap and the body scrolls."""

    BINDINGS = [Binding("escape,enter,q", "close", "Close")]

    def __init__(
        self, title: str, fields: Sequence[Field], sections: Sequence[Section] = ()
    ) -> None:
        super().__init__()
        self.title_text = title
        self.fields = list(fields)
        self.sections = list(sections)

    def compose(self) -> ComposeResult:
        width = max((len(label) for label, _ in self.fields), default=0)
        lines = [
            f"[b]{escape(label.ljust(width))}[/b]  {escape(_text(value))}"
            for label, value in self.fields
        ]
        for heading, body in self.sections:
            lines += ["", f"[b]{escape(heading)}[/b]", *(escape(line) for line in body)]
        with Vertical(id="dialog", classes="details"):
            yield Static(f"[b]{escape(self.title_text)}[/b]", id="question")
            with VerticalScroll(id="details-body"):
                yield Static("\n".join(lines), id="details-text")
            yield Static("escape close", id="answer-keys")

    def action_close(self) -> None:
        self.dismiss(None)


def _text(value: object) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items()) or "—"
    return str(value)
