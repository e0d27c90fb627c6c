"""Dashboard (7): the last 24 hours of each channel and source as sparklines (orders in or
POs sent, failures, sync lag), and each integration's last runs as a strip of marks.

The store buckets by the clock hour (store/queries/dashboard.py); this pane only draws. At
120 columns a mark is an hour; below 110 two hours are folded into one (summed, or the
longest lag), so all three series and the run strips still fit at 80. The run strips are
the selectable rows: ↑↓ move between integrations, `enter` opens their runs in Jobs, `y`
copies the name; PgUp PgDn scroll when the lists are longer than the screen.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import Static

from store.models._types import utcnow
from store.queries.dashboard import Dashboard, IntegrationRuns, OwnerSeries, dashboard
from store.safe_text import visible

from .. import format as fmt
from .. import store_access
from ..copy import CopyTarget
from ..widgets.sparkline import RUN_LEGEND, merge, run_strip, sparkline
from .attention import NO_BUSINESS
from .base import Pane

HOURS = 24
RUNS = 60  # the most a strip shows (at 120 columns and more)
WIDE = 110  # from this width a mark is one hour

NOTHING_YET = (
    "Nothing in the last 24 h: no order came in, no PO was sent, no integration ran.\n"
    "Next: in 1 Sources or 2 Channels select an integration and press x to run it now; "
    "6 Jobs shows it running, and its marks start here."
)
LAST_WORDS = {"succeeded": "ok", "partial": "partial", "failed": "failed"}


def _cut(text: str, width: int) -> str:
    text = fmt.visible(text)
    return text.ljust(width) if len(text) <= width else text[: max(0, width - 1)] + "…"


def _layout(width: int) -> tuple[int, int]:
    """(marks per sparkline, name column) for a pane `width` columns wide."""
    marks = HOURS if width >= WIDE else HOURS // 2
    # name, then three (marks + figure) columns two apart: figures of 5, 4 and 6 cells.
    return marks, max(8, width - 3 * (marks + 1) - 5 - 4 - 6 - 2 * 3)


def _owner_lines(
    heading: str, what: str, owners: list[OwnerSeries], width: int, lag: bool
) -> list[Text]:
    marks, name_width = _layout(width)
    head = Text(no_wrap=True)
    head.append(heading.ljust(name_width + 1), style="bold")
    head.append(f"{what:<{marks}} {'24 h':>5}  ", style="bold")
    head.append(f"{'Failures':<{marks}} {'24 h':>4}", style="bold")
    if lag:
        head.append(f"  {'Sync lag':<{marks}} {'max':>6}", style="bold")
    lines = [head]
    for o in owners:
        line = Text(no_wrap=True)
        line.append(_cut(o.name, name_width) + " ")
        line.append_text(sparkline(merge(o.activity, marks), "green"))
        line.append(f" {sum(o.activity):>5,}  ")
        line.append_text(sparkline(merge(o.failures, marks), "red"))
        failed = sum(o.failures)
        line.append(f" {failed:>4,}", style="bold red" if failed else "")
        if lag:
            # Any synced hour shows, even a lag under a second: lag + 1.
            lags = [None if v is None else v + 1 for v in o.lag]
            line.append("  ")
            line.append_text(sparkline(merge(lags, marks, peak=True), "yellow"))
            longest = max((v for v in o.lag if v is not None), default=None)
            line.append(f" {'—' if longest is None else fmt.duration(longest):>6}")
        lines.append(line)
    return lines


def _axis(d: Dashboard, width: int, lag: bool) -> Text:
    """Under each sparkline: the hour its first mark starts, and `now` at its last."""
    marks, name_width = _layout(width)
    start = d.since.strftime("%H:%M")
    label = f"{start}{'now':>{marks - len(start)}}"
    text = Text(" " * (name_width + 1) + f"{label} {'':>5}  {label} {'':>4}", style="dim")
    if lag:
        text.append(f"  {label}")
    return text


def _run_lines(runs: list[IntegrationRuns], width: int, selected: int | None) -> list[Text]:
    name_width = min(32, max((len(r.name) for r in runs), default=10))
    strip = max(5, min(RUNS, width - name_width - 10))
    head = Text(no_wrap=True)
    head.append("Last runs, newest right".ljust(name_width + 1), style="bold")
    head.append(RUN_LEGEND if len(RUN_LEGEND) <= strip + 9 else "● ok ◐ partial ✕ failed")
    lines = [head]
    for index, r in enumerate(runs):
        line = Text(no_wrap=True)
        line.append(_cut(r.name, name_width) + " ", style="reverse" if index == selected else "")
        line.append_text(run_strip(r.statuses, strip))
        last = r.statuses[-1] if r.statuses else None
        line.append(" ")
        if last is None:
            line.append("never", style="dim")
        else:
            line.append_text(fmt.status(LAST_WORDS.get(last, last)))
        lines.append(line)
    return lines


def _series_lines(d: Dashboard, width: int) -> list[Text]:
    lag = bool(d.channels)
    lines: list[Text] = []
    if d.channels:
        lines += _owner_lines("Channels", "Orders in", d.channels, width, lag)
    if d.sources:
        lines += _owner_lines("Sources", "POs sent", d.sources, width, lag=False)
    if d.channels or d.sources:
        lines.append(_axis(d, width, lag))
    return lines


def render(d: Dashboard, width: int, selected: int | None = None) -> Text:
    """The whole dashboard, as wide as `width`; the `selected` integration's name reversed."""
    lines = _series_lines(d, width)
    if d.runs:
        lines.append(Text())
        lines += _run_lines(d.runs, width, selected)
    return Text("\n", no_wrap=True).join(lines)


def run_line(d: Dashboard, width: int, index: int) -> int:
    """The line `render` draws integration `index`'s strip on."""
    return len(_series_lines(d, width)) + 2 + index  # the blank line, the strips' heading


def quiet(d: Dashboard) -> bool:
    """Nothing happened in the window and no integration has run."""
    return not any(
        any(o.activity) or any(o.failures) or any(v is not None for v in o.lag)
        for o in (*d.channels, *d.sources)
    ) and not any(r.statuses for r in d.runs)


class DashboardBody(VerticalScroll):
    """The scrolled dashboard; ↑↓ move the selected integration instead of scrolling."""

    BINDINGS = [
        Binding("up,k", "move(-1)", "Up", show=False),
        Binding("down,j", "move(1)", "Down", show=False),
    ]

    def action_move(self, step: int) -> None:
        self.query_ancestor(DashboardPane).move(step)


class DashboardPane(Pane):
    BINDINGS = [
        Binding("enter", "open", "Runs"),
        Binding("y", "copy", "Copy"),  # room in the footer here
    ]
    TITLE = "Dashboard"
    ACTIONS = (("open", "Open the selected integration's runs in Jobs (enter)"),)
    REFRESH_SECONDS = 10.0  # hourly buckets: nothing to gain from redrawing more often

    def __init__(self) -> None:
        super().__init__(id="dashboard")
        self.data: Dashboard | None = None
        self.selected: str | None = None
        """The selected integration's name: kept across refreshes while it is listed."""
        self._drawn: Text | None = None

    def compose_body(self) -> Iterable[Widget]:
        yield Static("loading…", classes="empty", id="dashboard-empty")
        with DashboardBody(id="dashboard-body"):
            yield Static(id="dashboard-text")

    def focus_main(self) -> None:
        self.query_one("#dashboard-body").focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("filter", "clear_filter"):
            return False  # every channel, source and integration fits in a few lines
        return super().check_action(action, parameters)

    def load(self) -> None:
        self._load()

    def refresh_on_change(self) -> None:
        """Others' changes wait for the 10 s refresh: a run commits many times a second and
        the buckets are hours, so re-reading 24 h of series at each would buy nothing."""

    @work(exclusive=True, group="dashboard", exit_on_error=False)
    async def _load(self) -> None:
        now = utcnow()
        d = await store_access.read(self.db, dashboard, now, hours=HOURS, runs_per_integration=RUNS)
        self.data = d
        empty = self.query_one("#dashboard-empty", Static)
        nothing = not (d.channels or d.sources)
        empty.display = nothing or quiet(d)
        empty.update(NO_BUSINESS if nothing else NOTHING_YET)
        self._draw()
        orders = sum(sum(c.activity) for c in d.channels)
        pos = sum(sum(s.activity) for s in d.sources)
        failures = sum(sum(o.failures) for o in (*d.channels, *d.sources))
        self.set_status(
            f"24 h to {d.until:%H:%M} UTC · {fmt.plural(orders, 'order')} in · "
            f"{fmt.plural(pos, 'PO')} sent · {fmt.plural(failures, 'failure')}"
        )

    @property
    def selected_index(self) -> int | None:
        """Where the selected integration is in the strips (the first, if it went away)."""
        names = [r.name for r in self.data.runs] if self.data else []
        if not names:
            return None
        return names.index(self.selected) if self.selected in names else 0

    def move(self, step: int) -> None:
        index = self.selected_index
        if self.data is None or index is None:
            return
        index = max(0, min(len(self.data.runs) - 1, index + step))
        self.selected = self.data.runs[index].name
        self._draw()
        body = self.query_one(DashboardBody)
        if index == 0:  # the first strip: the series above it too
            body.scroll_home(animate=False)
        else:
            line = run_line(self.data, self._width(), index)
            body.scroll_to_region(Region(0, line, 1, 1), animate=False, immediate=True)

    def copy_target(self) -> CopyTarget | None:
        index = self.selected_index
        if self.data is None or index is None:
            return None
        return CopyTarget("integration name", self.data.runs[index].name)

    def action_open(self) -> None:
        """The selected integration's runs: Jobs, filtered to its name (esc: every run)."""
        index = self.selected_index
        if self.data is None or index is None:
            return
        # A control character in a name would sit in the filter box: a space instead still
        # matches (every word is a part of the name) and shows nothing raw.
        name = self.data.runs[index].name
        self.dropdeck.show_runs("".join(c if visible(c) == c else " " for c in name))

    def _width(self) -> int:
        body = self.query_one(DashboardBody)
        return max(40, body.scrollable_content_region.width or self.size.width - 3)

    def _draw(self) -> None:
        if self.data is None:
            return
        text = self.query_one("#dashboard-text", Static)
        drawn = render(self.data, self._width(), self.selected_index)
        # Redraw only what changed: the same picture every 10 s would be resent in full.
        if drawn != self._drawn:
            self._drawn = drawn
            text.update(drawn)

    def on_resize(self) -> None:
        self._draw()
