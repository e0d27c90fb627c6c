"""What every pane shares: a title/status line, the live `/` filter, read-only action hiding.

The filter is an inline input under the title: each keystroke (after a short pause) narrows
the table, in the database, to rows where every word typed appears in one of the columns
shown; `enter` goes back to the table keeping the filter, `esc` clears it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input, Static

from store.commands.seen import RowChanged, Seen, claimed
from store.db import Database
from store.errors import explain
from store.safe_text import visible

from .. import store_access
from ..copy import CopyTarget, copy_value
from ..messages import StoreChanged

if TYPE_CHECKING:
    from ..app import DropdeckApp

T = TypeVar("T")

FILTER_PAUSE = 0.15  # seconds after the last key before the filter queries

# Actions that change records: hidden (not merely refused) in read-only mode.
MUTATING = frozenset(
    {"pause", "hide", "unlink", "link", "resubmit", "send_now", "run_now", "cancel"}
)


class Pane(Vertical):
    """Subclasses give TITLE, FILTER_PROMPT, ACTIONS, `compose_body` and `load`."""

    BINDINGS = [
        Binding("slash", "filter", "Filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
        # Not a change (allowed read-only); shown in the footer only where there is room.
        Binding("y", "copy", "Copy", show=False),
    ]

    TITLE: ClassVar[str] = ""
    FILTER_PROMPT: ClassVar[str] = "filter: every word in a shown column"
    ACTIONS: ClassVar[tuple[tuple[str, str], ...]] = ()
    """(action, what the command palette calls it) for this pane's own actions."""
    FOOTER_SPARE: ClassVar[tuple[str, ...]] = ()
    """Actions whose keys the footer leaves out, first first, when it is short of room
    (after the notification keys f and l); they stay in help and the palette."""
    REFRESH_SECONDS: ClassVar[float] = 5.0

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id, classes="pane")
        self.filter_text = ""
        self._started = False
        self._filter_timer: Timer | None = None
        self._catching = False  # `/` pressed, the filter not yet focused: keys are its text

    @property
    def dropdeck(self) -> DropdeckApp:
        from ..app import DropdeckApp

        assert isinstance(self.app, DropdeckApp)
        return self.app

    @property
    def db(self) -> Database:
        return self.dropdeck.db

    def compose(self) -> ComposeResult:
        yield Static(self.TITLE, classes="pane-title")
        box = Input(
            placeholder=self.FILTER_PROMPT,
            compact=True,
            select_on_focus=False,
            classes="pane-filter",
        )
        box.display = box.can_focus = False  # never focused (not even at start) until `/`
        yield box
        yield from self.compose_body()

    def compose_body(self) -> Iterable[Widget]:
        return ()

    def on_show(self) -> None:
        if not self._started:
            self._started = True
            if self.dropdeck.live:
                self.set_interval(self.REFRESH_SECONDS, self._tick)
        # Every switch re-reads: a pane shows what the store holds now, not what it held
        # when its timer last fired (up to REFRESH_SECONDS ago).
        self.load()
        self.call_after_refresh(self.focus_main)

    def _tick(self) -> None:
        if self.is_mounted and self.display:
            self.load()

    def focus_main(self) -> None:
        """Put the keyboard on the pane's table."""

    def load(self) -> None:
        """(Re)read what the pane shows, in a worker."""

    def refresh_on_change(self) -> None:
        """Someone else (another console, a worker) changed the store: re-read."""
        self.load()

    def copy_target(self) -> CopyTarget | None:
        """What `y` copies from the selected row (None: no row selected)."""
        return None

    def action_copy(self) -> None:
        copy_value(self.app, self.copy_target())

    def set_status(self, status: str) -> None:
        parts = [self.TITLE]
        if self.filter_text:
            parts.append(f"filter: {self.filter_text}")
        if status:
            parts.append(status)
        self.query_one(".pane-title", Static).update(Text(visible("  ·  ".join(parts))))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action in MUTATING and self.dropdeck.readonly)

    @property
    def filter_input(self) -> Input:
        return self.query_one(".pane-filter", Input)

    def action_filter(self) -> None:
        box = self.filter_input
        box.display = box.can_focus = True
        self._catching = True
        box.focus()

    def on_key(self, event: events.Key) -> None:
        # `/` is taken here, as its key reaches the pane, not later as an app binding: keys
        # typed right after it (a fast typist, a paste over SSH) are already on their way to
        # the table, and would act as pane keys ("0" opens Attention). Until the filter has
        # the keyboard, they are typed into it here, in order.
        box = self.filter_input
        if box.has_focus or not (self._catching or event.key == "slash"):
            return
        if event.key == "slash" and not self._catching:
            self.action_filter()
        elif event.key == "enter":
            self._submitted(Input.Submitted(box, box.value))
        elif event.key == "escape":
            self.action_clear_filter()
        elif event.key == "backspace":
            box.value = box.value[:-1]
        elif event.is_printable and event.character:
            box.value += event.character
        else:
            return  # arrows and the like still move the table
        box.cursor_position = len(box.value)
        event.stop()
        event.prevent_default()

    def show_filter(self, text: str) -> None:
        """Set the filter from elsewhere (an attention line's jump), shown under the title."""
        box = self.filter_input
        box.value = text
        box.cursor_position = len(text)  # `/` then typing adds words after it
        box.display = box.can_focus = bool(text)
        self._set_filter(text)

    def action_clear_filter(self) -> None:
        self._catching = False
        box = self.filter_input
        if not box.display and not self.filter_text:
            return
        box.value = ""
        box.display = box.can_focus = False
        self._set_filter("")
        self.focus_main()

    @on(Input.Changed, ".pane-filter")
    def _typed(self, event: Input.Changed) -> None:
        # Wait for a pause in typing: one query per burst of keys, not per key.
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._filter_timer = self.set_timer(FILTER_PAUSE, lambda: self._set_filter(event.value))

    @on(Input.Submitted, ".pane-filter")
    def _submitted(self, event: Input.Submitted) -> None:
        self._catching = False
        self._set_filter(event.value)
        box = self.filter_input
        box.display = box.can_focus = bool(self.filter_text)
        self.focus_main()

    def _set_filter(self, value: str) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
            self._filter_timer = None
        value = " ".join(value.split())
        if value == self.filter_text:
            return
        self.filter_text = value
        self.apply_filter()

    def apply_filter(self) -> None:
        self.load()

    async def change(
        self, kind: str, fn: Callable[..., T], *args: Any, seen: Seen | None = None, **kwargs: Any
    ) -> T | None:
        """Run a store command off the loop; on failure say why; then every pane re-reads.

        `seen`: the rows as the operator saw them; if one changed meanwhile (another
        operator, a worker), nothing is done and the console says so (`stale`)."""
        try:
            result = await store_access.write(self.db, claimed, seen, fn, *args, **kwargs)
        except RowChanged as exc:
            self.stale(exc)
            return None
        except Exception as exc:  # an action failing must not close the console
            # Database trouble (busy, full, a user that may only read) in the CLI's words.
            why = explain(exc, self.db.settings) or f"{type(exc).__name__}: {exc}"
            self.app.notify(why, title="Action failed", severity="error")
            return None
        self.post_message(StoreChanged(kind))
        return result

    def stale(self, exc: RowChanged) -> None:
        """An action refused because its row changed since the operator looked: say what it
        is now and show it (every pane re-reads), so the next key acts on what is there."""
        self.app.notify(
            f"{exc} — refreshed; press again to act", title="Changed meanwhile", severity="warning"
        )
        self.post_message(StoreChanged("stale"))
