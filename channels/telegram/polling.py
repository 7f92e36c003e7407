"""Run the gateway with Telegram in long-polling mode: no public URL needed (local use).

Usage:
    WEGWIJS_TELEGRAM_BOT_TOKEN=123:abc python -m channels.telegram.polling

This starts the whole gateway (web chat, media, API) like `python -m channels`, with
`telegram_mode` forced to "polling": the webhook is removed and updates are fetched with
getUpdates. Stop it with Ctrl+C.
"""

from __future__ import annotations

import logging
import sys

import uvicorn

from channels.app import create_app
from gateway.core.config import get_settings


def main() -> None:
    settings = get_settings().model_copy(update={"telegram_mode": "polling"})
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if settings.telegram_bot_token is None:
        sys.exit("Set WEGWIJS_TELEGRAM_BOT_TOKEN (from @BotFather) first.")
    uvicorn.run(
        create_app(settings), host=settings.host, port=settings.port, access_log=False, proxy_headers=False
    )


if __name__ == "__main__":
    main()
