"""`/whatsapp/webhook`: the GET verification handshake and the signed POST of messages.

GET (Meta's subscription check) carries no signature: it is answered when `hub.verify_token`
matches. POST is checked with `X-Hub-Signature-256` = "sha256=" + HMAC-SHA256(app secret,
raw body) before the body is parsed, acknowledged with 200, and processed afterwards.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, HTTPException, Query, Request, Response
from fastapi.responses import PlainTextResponse

from channels.whatsapp.channel import WhatsAppChannel

log = logging.getLogger(__name__)
router = APIRouter(prefix="/whatsapp", tags=["whatsapp"])
SIGNATURE_HEADER = "X-Hub-Signature-256"


def _channel(request: Request) -> WhatsAppChannel:
    channel: WhatsAppChannel | None = getattr(request.app.state, "whatsapp", None)
    if channel is None:
        raise HTTPException(status_code=404, detail="WhatsApp is not enabled")
    return channel


def signature_of(app_secret: str, raw_body: bytes) -> str:
    return "sha256=" + hmac.new(app_secret.encode("utf-8"), raw_body, hashlib.sha256).hexdigest()


@router.get("/webhook", response_class=PlainTextResponse, include_in_schema=False)
async def verify_subscription(
    request: Request,
    mode: Annotated[str, Query(alias="hub.mode", max_length=32)] = "",
    verify_token: Annotated[str, Query(alias="hub.verify_token", max_length=256)] = "",
    challenge: Annotated[str, Query(alias="hub.challenge", max_length=256)] = "",
) -> PlainTextResponse:
    channel = _channel(request)
    assert channel.settings.whatsapp_verify_token is not None
    expected = channel.settings.whatsapp_verify_token.get_secret_value()
    if mode != "subscribe" or not hmac.compare_digest(verify_token.encode(), expected.encode()):
        raise HTTPException(status_code=403, detail="verification failed")
    return PlainTextResponse(challenge)


@router.post("/webhook", status_code=200, include_in_schema=False)
async def receive(request: Request, background: BackgroundTasks) -> Response:
    channel = _channel(request)
    raw = await request.body()
    assert channel.settings.whatsapp_app_secret is not None
    expected = signature_of(channel.settings.whatsapp_app_secret.get_secret_value(), raw)
    given = request.headers.get(SIGNATURE_HEADER, "")
    if not hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode()):
        log.warning("whatsapp webhook: missing or wrong signature")
        raise HTTPException(status_code=403, detail="invalid signature")
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise HTTPException(status_code=400, detail="body is not JSON") from exc
    if isinstance(body, dict) and body.get("object") == "whatsapp_business_account":
        background.add_task(channel.process, body)  # runs after the 200 has been sent
    return Response(status_code=200)
