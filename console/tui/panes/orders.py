"""Orders, newest first, with their fulfillment requests; filter by status or number."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from rich.text import Text
from sqlmodel import Session
from textual.binding import Binding
from textual.widget import Widget

from store.models.orders import OrderStatus
from store.queries.orders import OrderRow, page_orders

from .. import format as fmt
from ..screens.details import DetailsScreen
from ..widgets.paged_table import Column, PagedTable, PageRequest
from .base import Pane


def _requests(r: OrderRow) -> Text:
    text = Text()
    for req in r.fulfillment_requests:
        text.append_text(fmt.status(req.status))
        text.append(f" · {req.source}  ")
    return text


def _status(value: str) -> Text:
    return fmt.status("part shipped" if value == "partially_shipped" else value)


COLUMNS: list[Column[OrderRow]] = [
    Column("Order", 7, lambda r: r.number),
    Column("Channel", 11, lambda r: r.channel),
    Column("Status", 12, lambda r: _status(r.status)),
    Column("Placed UTC", 11, lambda r: fmt.when(r.created_at)),
    Column("Customer", 14, lambda r: r.customer_name),
    Column("Total", 8, lambda r: fmt.money(r.total), right=True),
    Column("Requests", 30, _requests),
]


class OrdersPane(Pane):
    BINDINGS = [Binding("r", "resubmit", "Resubmit")]
    TITLE = "Orders"
    FILTER_PROMPT = "Orders with this status, or whose number starts with:"
    ACTIONS = (("resubmit", "Resubmit the failed fulfillment request"),)

    def __init__(self) -> None:
        super().__init__(id="orders")

    def compose_body(self) -> Iterable[Widget]:
        yield PagedTable(
            self.db,
            COLUMNS,
            self._fetcher(),
            lambda r: (r.id,),
            empty_text="No orders yet — run a channel's get_orders in Channels (2) with x",
            id="orders-table",
        )

    @property
    def table(self) -> PagedTable[OrderRow]:
        return self.query_one("#orders-table", PagedTable)

    def _fetcher(self) -> partial[list[OrderRow]]:
        text = self.filter_text
        statuses = {s.value for s in OrderStatus}
        status = text if text in statuses else None
        return partial(_fetch, status=status, number_prefix=None if status else text or None)

    def focus_main(self) -> None:
        self.table.focus()

    def load(self) -> None:
        self.table.load("reload" if self.table.loaded else "first")

    def apply_filter(self) -> None:
        self.table.set_fetch(self._fetcher(), "No orders match — press / to change the filter")

    def on_paged_table_changed(self, event: PagedTable.Changed) -> None:
        at = event.table.position
        self.set_status("" if at is None or not event.table.rows else f"row {at + 1:,}")

    def on_paged_table_chosen(self, event: PagedTable.Chosen) -> None:
        r: OrderRow = event.row
        fields: list[tuple[str, object]] = [
            ("number", r.number),
            ("channel", r.channel),
            ("external id", r.external_id),
            ("status", r.status),
            ("placed", fmt.when_long(r.created_at)),
            ("customer", r.customer_name),
            ("total", fmt.money(r.total)),
            ("on hold because", r.hold_reason),
        ]
        for req in r.fulfillment_requests:
            fields.append(
                (
                    f"PO {req.po_number}",
                    f"{req.source}: {req.status}, "
                    f"{req.attempts} attempt(s), ship via {req.shipping_method or '—'}",
                )
            )
            if req.error:
                fields.append(("  error", req.error))
        self.app.push_screen(DetailsScreen(f"Order {r.number}", fields))

    def action_resubmit(self) -> None:
        row = self.table.cursor_row
        if row is None or not any(q.status == "failed" for q in row.fulfillment_requests):
            self.app.notify("Select an order with a failed fulfillment request", severity="warning")
            return
        self.app.notify("Resubmit is not available yet", severity="warning")


def _fetch(
    session: Session, request: PageRequest, *, status: str | None, number_prefix: str | None
) -> list[OrderRow]:
    return page_orders(
        session,
        status=status,
        number_prefix=number_prefix,
        after=request.after,  # type: ignore[arg-type]
        before=request.before,  # type: ignore[arg-type]
        last=request.last,
        limit=request.limit,
    )
