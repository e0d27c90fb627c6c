"""What every pane shares: a title/status line, `/` filter, read-only action hiding."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Static

from store.db import Database

from .. import store_access
from ..messages import StoreChanged
from ..screens.filter import FilterScreen

if TYPE_CHECKING:
    from ..app import DropdeckApp

T = TypeVar("T")

# Actions that change records: hidden (not merely refused) in read-only mode.
MUTATING = frozenset({"pause", "hide", "resubmit", "run_now"})


class Pane(Vertical):
    """Subclasses give TITLE, FILTER_PROMPT, ACTIONS, `compose_body` and `load`."""

    BINDINGS = [Binding("slash", "filter", "Filter")]

    TITLE: ClassVar[str] = ""
    FILTER_PROMPT: ClassVar[str] = "Filter"
    ACTIONS: ClassVar[tuple[tuple[str, str], ...]] = ()
    """(action, what the command palette calls it) for this pane's own actions."""
    REFRESH_SECONDS: ClassVar[float] = 5.0

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id, classes="pane")
        self.filter_text = ""
        self._started = False

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
        yield from self.compose_body()

    def compose_body(self) -> Iterable[Widget]:
        return ()

    def on_show(self) -> None:
        if not self._started:
            self._started = True
            self.load()
            if self.dropdeck.live:
                self.set_interval(self.REFRESH_SECONDS, self._tick)
        self.call_after_refresh(self.focus_main)

    def _tick(self) -> None:
        if self.is_mounted and self.display:
            self.load()

    def focus_main(self) -> None:
        """Put the keyboard on the pane's table."""

    def load(self) -> None:
        """(Re)read what the pane shows, in a worker."""

    def set_status(self, status: str) -> None:
        parts = [self.TITLE]
        if self.filter_text:
            parts.append(f"filter: {self.filter_text}")
        if status:
            parts.append(status)
        self.query_one(".pane-title", Static).update("  ·  ".join(parts))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action in MUTATING and self.dropdeck.readonly)

    def action_filter(self) -> None:
        self.app.push_screen(FilterScreen(self.FILTER_PROMPT, self.filter_text), self._filtered)

    def _filtered(self, value: str | None) -> None:
        if value is None:
            return
        self.filter_text = value
        self.apply_filter()

    def apply_filter(self) -> None:
        self.load()

    async def change(self, kind: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        """Run a store command off the loop; on failure say why; then every pane re-reads."""
        try:
            result = await store_access.write(self.db, fn, *args, **kwargs)
        except Exception as exc:  # an action failing must not close the console
            self.app.notify(f"{type(exc).__name__}: {exc}", title="Action failed", severity="error")
            return None
        self.post_message(StoreChanged(kind))
        return result
