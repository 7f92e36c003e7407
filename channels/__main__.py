"""Run the gateway: `python -m channels` (uvicorn on WEGWIJS_HOST:WEGWIJS_PORT, default 127.0.0.1:8000)."""

from __future__ import annotations

import logging

import uvicorn

from channels.app import create_app
from channels.core.config import get_settings


KEEP_ALIVE_S = 75


def main() -> None:
    settings = get_settings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # uvicorn's access log prints query strings (web chat session ids); keep it off.
    # Idle keep-alive connections stay open longer than clients and proxies keep theirs (nginx
    # 60 s, browsers and httpx ~5-60 s): when the server closed first (uvicorn's default is 5 s),
    # a request sent on the closing connection failed with a read error (seen in bench/load.py).
    uvicorn.run(
        create_app(settings), host=settings.host, port=settings.port, access_log=False, proxy_headers=False,
        timeout_keep_alive=KEEP_ALIVE_S,
    )



if __name__ == "__main__":
    main()
