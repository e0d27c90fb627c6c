"""The one way the console touches the store: a short session in a thread, off the UI loop.

Each call opens a session, runs one function with it and closes it, so no read
transaction outlives the call and a slow query never freezes the screen.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

from sqlmodel import Session

from store.db import Database

P = ParamSpec("P")
T = TypeVar("T")


async def read(
    db: Database, fn: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
) -> T:
    """`fn(session, ...)` in a read session, in a thread."""

    def call() -> T:
        with db.read() as session:
            return fn(session, *args, **kwargs)

    return await asyncio.to_thread(call)


async def write(
    db: Database, fn: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
) -> T:
    """`fn(session, ...)` in a write transaction (committed on return), in a thread."""

    def call() -> T:
        with db.write() as session:
            return fn(session, *args, **kwargs)

    return await asyncio.to_thread(call)
