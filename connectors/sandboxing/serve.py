"""Run sandboxes on real sockets: uvicorn in a daemon thread on a pre-bound 127.0.0.1:0."""

from __future__ import annotations

import importlib
import socket
import threading
import time
from dataclasses import dataclass, field
from types import TracebackType

import uvicorn
from starlette.types import ASGIApp

from connectors.sandboxing import BASE_URL_PLACEHOLDER, Sandbox

SYSTEMS = ("woocommerce", "magento", "shipstation", "wps", "usdirect")


class SandboxStartError(RuntimeError):
    """A sandbox server did not come up."""


@dataclass
class RunningServer:
    """One app served by uvicorn; `.stop()` shuts it down and joins the thread."""

    base_url: str
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self, timeout: float = 5.0) -> None:
        """Ask uvicorn to exit and wait for its thread."""
        self.server.should_exit = True
        self.thread.join(timeout)


def serve(app: ASGIApp, *, start_timeout: float = 10.0) -> RunningServer:
    """Serve `app` on 127.0.0.1 at a free port; returns once it accepts connections."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Binding before start means the URL is known up front and no other process can
    # take the port between picking and listening.
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, lifespan="off", log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name=f"sandbox:{port}", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + start_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise SandboxStartError(f"sandbox server on port {port} did not start")
        time.sleep(0.005)
    return RunningServer(base_url=f"http://127.0.0.1:{port}", server=server, thread=thread)


@dataclass
class RunningSandboxes:
    """All served sandboxes by system name."""

    sandboxes: dict[str, Sandbox] = field(default_factory=dict)
    servers: dict[str, RunningServer] = field(default_factory=dict)

    def describe(self) -> dict[str, dict[str, str]]:
        """`{system: {"base_url": ..., <credential fields>}}` for every served system."""
        out: dict[str, dict[str, str]] = {}
        for system, server in self.servers.items():
            creds = {
                k: v.replace(BASE_URL_PLACEHOLDER, server.base_url)
                for k, v in self.sandboxes[system].credentials.items()
            }
            out[system] = {"base_url": server.base_url, **creds}
        return out

    def stop(self) -> None:
        """Stop every server."""
        for server in self.servers.values():
            server.server.should_exit = True  # signal all first so they wind down together
        for server in self.servers.values():
            server.stop()

    def __enter__(self) -> RunningSandboxes:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def build_sandbox(system: str, seed: int, size: int) -> Sandbox | None:
    """Build one system's sandbox, or None when `connectors.<system>.sandbox` does not exist."""
    module_name = f"connectors.{system}.sandbox"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        # Only a missing sandbox module (or package) is a skip; a missing dependency
        # inside an existing sandbox is a real error.
        if exc.name in (module_name, f"connectors.{system}"):
            return None
        raise
    sandbox: Sandbox = module.build(seed=seed, size=size)
    return sandbox


def serve_all(seed: int = 1, size: int = 2000) -> RunningSandboxes:
    """Build and serve every system whose sandbox package exists."""
    running = RunningSandboxes()
    try:
        for system in SYSTEMS:
            sandbox = build_sandbox(system, seed, size)
            if sandbox is None:
                continue
            running.sandboxes[system] = sandbox
            running.servers[system] = serve(sandbox.app)
    except BaseException:
        running.stop()
        raise
    return running
