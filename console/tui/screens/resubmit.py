"""`r` in Orders: an order's failed fulfillment requests, their last error, and a form to
fix the shipping method and address before they go back in line for the next send.

One line per field (compact inputs) so a single request fits 80x24; more requests scroll.
The screen only collects edits; the pane runs the resubmit.
"""

from __future__ import annotations

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label, Static

from store.safe_text import visible

from ..panes.resubmit_actions import FailedRequest, RequestEdit, ResubmitPlan

LABEL_WIDTH = 12  # as in app.tcss; keys are cut to leave a space


class ResubmitScreen(ModalScreen[list[RequestEdit] | None]):
    """Dismisses with one edit per failed request (enter), or None (escape)."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("enter", "confirm", "Resubmit", show=False),
    ]

    def __init__(self, plan: ResubmitPlan) -> None:
        super().__init__()
        self.plan = plan

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="resubmit"):
            yield Static(f"[b]Resubmit order {_shown(self.plan.order_number)}[/b]")
            with VerticalScroll(id="resubmit-body", can_focus=False):
                for i, request in enumerate(self.plan.failed):
                    yield from self._request_form(i, request)
            yield Static("", id="resubmit-problem")
            yield Static(
                "enter resubmit and queue the send · tab next field · escape cancel",
                id="answer-keys",
            )

    def _request_form(self, i: int, request: FailedRequest) -> ComposeResult:
        tries = (
            f"failed after {request.attempts} attempt{'s' if request.attempts != 1 else ''}"
            if request.attempts
            else "failed before it was sent"
        )
        yield Static(
            f"PO {_shown(request.po_number)} · {_shown(request.source)} · {tries}",
            classes="request-head",
        )
        yield Static(_shown(request.error or "no error recorded"), classes="request-error")
        suggester = SuggestFromList(request.methods, case_sensitive=False)
        with Horizontal(classes="field"):
            yield Label("ship via")
            yield Input(
                visible(request.shipping_method or ""),
                id=f"method-{i}",
                compact=True,
                suggester=suggester if request.methods else None,
            )
        if request.methods:
            yield Static(_shown("one of " + " ".join(request.methods)), classes="codes")
        if request.address_inherited and any(request.address.values()):
            yield Static("address from the order", classes="codes")
        for j, (key, value) in enumerate(_shown_address(request).items()):
            with Horizontal(classes="field"):
                yield Label(_shown(key[: LABEL_WIDTH - 1]))
                yield Input(value, id=f"address-{i}-{j}", compact=True)

    @on(Input.Submitted)
    def submitted(self) -> None:
        self.action_confirm()

    def action_confirm(self) -> None:
        edits = []
        for i, request in enumerate(self.plan.failed):
            edit = self._edit(i, request)
            if edit is None:
                return
            edits.append(edit)
        self.dismiss(edits)

    def _edit(self, i: int, request: FailedRequest) -> RequestEdit | None:
        """The changes to this request, or None (and the problem shown) if a value is wrong."""
        method_input = self.query_one(f"#method-{i}", Input)
        method = method_input.value.strip()
        if request.methods:
            method = method.upper()  # the connector compares codes in upper case
            if method not in request.methods:
                shown = f"'{method}'" if method else "an empty shipping method"
                problem = self.query_one("#resubmit-problem", Static)
                problem.update(
                    f"PO {_shown(request.po_number)}: {_shown(shown)} is not accepted by "
                    f"{_shown(request.source)}; use one of {_shown(', '.join(request.methods))}"
                )
                problem.display = True
                method_input.focus()
                return None
        values = {
            key: self.query_one(f"#address-{i}-{j}", Input).value.strip()
            for j, key in enumerate(request.address)
        }
        address: dict[str, str] | None = None
        before = _shown_address(request)  # what the fields were filled with
        if values != before:
            # A request without an address of its own takes the whole edited one, so the send
            # never sees only the changed fields.
            address = (
                {k: v for k, v in values.items() if v}
                if request.address_inherited
                else {k: v for k, v in values.items() if v != before[k]}
            )
        return RequestEdit(
            request.id,
            shipping_method=None if method == visible(request.shipping_method or "") else method,
            shipping_address=address,
        )

    def action_cancel(self) -> None:
        self.dismiss(None)


def _shown(text: str) -> str:
    """Store text inside markup: control characters made visible, brackets literal."""
    return escape(visible(text))


def _shown_address(request: FailedRequest) -> dict[str, str]:
    """The address as its fields show it. Control characters become their visible form, so
    resubmitting with such a field edited stores that form, never the raw control."""
    return {key: visible(value) for key, value in request.address.items()}
