"""`POST /telegram/webhook`: check the secret token, acknowledge, process the update afterwards."""

from __future__ import annotations

import hmac
import json
import logging

from fastapi import APIRouter, BackgroundTasks, HTTPException, Request, Response
from telegram import Update

from channels.telegram.bot import WEBHOOK_PATH, TelegramChannel

log = logging.getLogger(__name__)
router = APIRouter(tags=["telegram"])
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@router.post(WEBHOOK_PATH, status_code=200, include_in_schema=False)
async def telegram_webhook(request: Request, background: BackgroundTasks) -> Response:
    channel: TelegramChannel | None = getattr(request.app.state, "telegram", None)
    if channel is None or channel.polling or channel.settings.telegram_webhook_secret is None:
        raise HTTPException(status_code=404, detail="Telegram webhook is not enabled")
    # The secret is checked before the body is read or parsed.
    given = request.headers.get(SECRET_HEADER)
    if given is None:
        raise HTTPException(status_code=401, detail="missing secret token")
    expected = channel.settings.telegram_webhook_secret.get_secret_value()
    if not hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8")):
        log.warning("telegram webhook: wrong secret token")
        raise HTTPException(status_code=403, detail="wrong secret token")
    try:
        data = json.loads(await request.body())
        update = Update.de_json(data, channel.application.bot)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        log.warning("telegram webhook: unreadable update (%s)", type(exc).__name__)
        raise HTTPException(status_code=400, detail="not a Telegram update") from exc
    if update is None:
        raise HTTPException(status_code=400, detail="not a Telegram update")
    background.add_task(channel.process, update)  # runs after the 200 has been sent
    return Response(status_code=200)
