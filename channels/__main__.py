"""Run the gateway: `python -m channels` (uvicorn on WEGWIJS_HOST:WEGWIJS_PORT, default 127.0.0.1:8000)."""

from __future__ import annotations

import logging

import uvicorn

from channels.app import create_app
from gateway.core.config import get_settings

KEEP_ALIVE_S = 75
# Slow or oversized request headers: uvicorn has no header-read timeout, so the reverse proxy
# sets one (nginx `client_header_timeout 10s; client_body_timeout 10s`, docs/deployment.md);
# here the headers of one request may hold at most this many bytes (h11's own default is 16 KiB).
MAX_HEADER_BYTES = 16 * 1024
# Open connections beyond this get 503 at once instead of queueing (slowloris-style floods).
MAX_CONCURRENCY = 1000


def main() -> None:
    settings = get_settings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # uvicorn's access log prints query strings (web chat session ids); keep it off.
    # Idle keep-alive connections stay open longer than clients and proxies keep theirs (nginx
    # 60 s, browsers and httpx ~5-60 s): when the server closed first (uvicorn's default is 5 s),
    # a request sent on the closing connection failed with a read error (seen in bench/load.py).
    uvicorn.run(
        create_app(settings), host=settings.host, port=settings.port, access_log=False, proxy_headers=False,
        timeout_keep_alive=KEEP_ALIVE_S, h11_max_incomplete_event_size=MAX_HEADER_BYTES,
        limit_concurrency=MAX_CONCURRENCY,
    )



if __name__ == "__main__":
    main()
