"""`enter`: every field of one row (and, for a run, its record errors and log), in a
scrollable box; a live dialog (a run's) re-reads itself every second while open."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from store.safe_text import visible

Field = tuple[str, object]
Section = tuple[str, Sequence[str]]
Live = Callable[[], Awaitable[tuple[str, Sequence[Field], Sequence[Section]]]]

LIVE_SECONDS = 1.0


class DetailsScreen(ModalScreen[None]):
    """A title, (label, value) lines, then optional sections (a heading over plain lines,
    e.g. a run's log); long lines wrap and the body scrolls. With `live`, the dialog
    re-reads (title, fields, sections) from it every second while open."""

    BINDINGS = [Binding("escape,enter,q", "close", "Close")]

    def __init__(
        self,
        title: str,
        fields: Sequence[Field],
        sections: Sequence[Section] = (),
        *,
        live: Live | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.fields = list(fields)
        self.sections = list(sections)
        self.live = live
        self.refreshes = 0

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="details"):
            yield Static(self._title(), id="question")
            with VerticalScroll(id="details-body"):
                yield Static(self._body(), id="details-text")
            yield Static("escape close", id="answer-keys")

    def on_mount(self) -> None:
        if self.live is not None:
            self.set_interval(LIVE_SECONDS, self._reread)

    def _title(self) -> Text:
        return Text(visible(self.title_text), style="bold")

    def _body(self) -> Text:
        # Built as Text, never markup: values are store data ("[red]x[/red]" stays literal).
        width = max((len(label) for label, _ in self.fields), default=0)
        body = Text()
        for label, value in self.fields:
            body.append(visible(label.ljust(width)), style="bold")
            body.append(f"  {visible(_text(value))}\n")
        for heading, lines in self.sections:
            body.append(f"\n{visible(heading)}\n", style="bold")
            for line in lines:
                body.append(f"{visible(line)}\n")
        body.rstrip()
        return body

    @work(exclusive=True, group="details-live", exit_on_error=False)
    async def _reread(self) -> None:
        assert self.live is not None
        title, fields, sections = await self.live()
        self.title_text, self.fields, self.sections = title, list(fields), list(sections)
        self.query_one("#question", Static).update(self._title())
        self.query_one("#details-text", Static).update(self._body())
        self.refreshes += 1

    def action_close(self) -> None:
        self.dismiss(None)


def _text(value: object) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items()) or "—"
    return str(value)
