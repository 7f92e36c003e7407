"""Serve an ASGI app with uvicorn on a localhost port, in a thread (for real HTTP clients)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from starlette.types import ASGIApp


@contextmanager
def serve(
    app: ASGIApp,
    *,
    port: int = 0,
    lifespan: str = "off",
    log_level: str = "warning",
    start_timeout: float = 10,
    stop_timeout: float = 10,
) -> Iterator[str]:
    """Yields the base URL (`http://127.0.0.1:<port>`) while the server runs.

    `port=0` picks a free port; pass one when the app must know its own URL before it starts.
    """
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level=log_level, lifespan=lifespan, access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("test server did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=stop_timeout)
