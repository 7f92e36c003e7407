"""The "deadlines" custom payload: a timeline image and a calendar file, rendered on request.

The bot sends `{"custom": {"wegwijs": {"type": "deadlines", "input": {...}, "lang": "nl"}}}`.
The gateway stores the input with the image message, together with a random token, and answers
with two messages whose URLs point at `/media/deadlines/<message_id>.png` and `.ics`.

A link is `...?t=<token>&exp=<unix time>&sig=<hmac>`: the signature (secret key) covers the
message id, the token and the expiry. The route serves the media only when the signature is
valid, the link has not expired (`media_link_days`, 30 by default) and the token is the one
stored with that message; anything else is 404, so a link never tells whether a message exists.
The token ties a link to one stored message: were an id ever used again (a deleted user's id on
an old SQLite table, a restored backup), the new message has another token and the old link
shows nothing (review finding 2).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from functools import lru_cache
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request, Response
from pydantic import ValidationError

from gateway.core import deadlines
from gateway.core.config import Settings
from gateway.core.conversation import ConversationService, PayloadContext
from gateway.core.schemas import OutgoingMessage
from gateway.media import calendar_ics, timeline

router = APIRouter(prefix="/media/deadlines", tags=["media"])

KIND = "deadlines"
Extension = Literal["png", "ics"]
# How long a media link works when the settings do not say (`media_link_days`).
DEFAULT_LINK_DAYS = 30
TOKEN_BYTES = 16  # 22 URL-safe characters
SIGNATURE_CHARS = 32  # hex characters of the HMAC-SHA256 kept in the link (128 bits)


def now() -> int:
    """The current Unix time in seconds (a function, so tests can move the clock)."""
    return int(time.time())


def link_lifetime_s(settings: Settings) -> int:
    days = settings.media_link_days or DEFAULT_LINK_DAYS
    return int(days * 24 * 3600)


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def document_name(lang: str | None) -> str:
    """The calendar file's name in the user's language (catalogue `deadlines.ics.file_name`)."""
    from knowledge import texts

    return texts.text("deadlines.ics.file_name", lang)


def signature(settings: Settings, message_id: int, token: str, expires: int) -> str:
    key = settings.secret_key.get_secret_value().encode("utf-8")
    value = f"{KIND}:{message_id}:{token}:{expires}".encode()
    return hmac.new(key, value, hashlib.sha256).hexdigest()[:SIGNATURE_CHARS]


def media_url(
    settings: Settings, message_id: int, token: str, extension: Extension, *, expires: int | None = None
) -> str:
    """Absolute, signed URL of a deadline image or calendar file, valid until `expires`."""
    if expires is None:
        expires = now() + link_lifetime_s(settings)
    sig = signature(settings, message_id, token, expires)
    return f"{settings.public_base}/media/deadlines/{message_id}.{extension}?t={token}&exp={expires}&sig={sig}"


async def handle_deadlines_payload(ctx: PayloadContext, data: dict[str, Any]) -> list[OutgoingMessage]:
    """Payload handler for kind "deadlines": store the input, answer with image + document."""
    from knowledge import languages

    lang = languages.supported(data.get("lang") or ctx.conversation.language)
    settings = ctx.service.settings
    token = new_token()
    stored = {"wegwijs": {"type": KIND, "input": data.get("input") or {}, "lang": lang, "token": token}}
    image = ctx.store(OutgoingMessage(data=stored))
    assert image.id is not None
    stored_id = image.id
    expires = now() + link_lifetime_s(settings)
    image = image.model_copy(update={"image_url": media_url(settings, image.id, token, "png", expires=expires)})
    ctx.update(image)
    document = OutgoingMessage(
        document_url=media_url(settings, stored_id, token, "ics", expires=expires),
        document_name=document_name(lang),
    )
    return [image, document]


def render_deadlines_media(
    service: ConversationService, message_id: int, extension: Extension, token: str
) -> tuple[bytes, str, str] | None:
    """(content, media type, file name) for a stored deadlines message, or None if there is none
    or `token` is not the one stored with it.

    Channels that upload media (WhatsApp, Telegram) fetch the URL in-process (core/local_media.py).
    """
    message = service.stored_message(message_id)
    spec = ((message.data or {}).get("wegwijs") or {}) if message else {}
    stored_token = spec.get("token")
    if spec.get("type") != KIND or not isinstance(stored_token, str) or not stored_token:
        return None  # not a deadline answer, or one stored before links carried a token
    if not hmac.compare_digest(token.encode("utf-8", "replace"), stored_token.encode("utf-8", "replace")):
        return None
    lang = spec.get("lang", "nl")
    data = dict(spec.get("input") or {})
    data.setdefault(
        "today", deadlines.today_in(service.settings.timezone).isoformat()
    )  # part of the cache key
    return _render(message_id, extension, lang, _freeze(data), service.settings.timezone)


@lru_cache(maxsize=64)
def _render(
    message_id: int, extension: str, lang: str, frozen_input: tuple, timezone: str
) -> tuple[bytes, str, str]:
    data = deadlines.DeadlineInput.model_validate(dict(frozen_input))
    result, today = deadlines.compute(data, timezone)
    if extension == "png":
        return timeline.render_png(result, lang, today), "image/png", f"wegwijs-{message_id}.png"
    return (
        calendar_ics.ics_bytes(result, lang),
        "text/calendar; charset=utf-8",
        document_name(lang),
    )


def _freeze(value: dict[str, Any]) -> tuple:
    return tuple(sorted((k, v) for k, v in value.items() if not isinstance(v, (dict, list))))


def _not_found() -> HTTPException:
    # One answer for every refusal (bad signature, expired, wrong token, no such message):
    # a link never tells whether a message exists.
    return HTTPException(status_code=404, detail="not found")


def _serve(request: Request, message_id: int, extension: Extension, token: str, exp: str, sig: str) -> Response:
    service: ConversationService = request.app.state.conversations
    if not token or not (exp.isascii() and exp.isdigit()):
        raise _not_found()
    expires = int(exp)
    expected = signature(service.settings, message_id, token, expires)
    if not hmac.compare_digest(sig.encode("utf-8", "replace"), expected.encode()):
        raise _not_found()
    if expires < now():
        raise _not_found()
    try:
        rendered = render_deadlines_media(service, message_id, extension, token)
    except (ValidationError, ValueError) as exc:
        raise HTTPException(status_code=422, detail="stored deadline input is invalid") from exc
    if rendered is None:
        raise _not_found()
    content, media_type, filename = rendered
    disposition = "inline" if extension == "png" else "attachment"
    # Cached no longer than the link is valid.
    max_age = max(0, min(3600, expires - now()))
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'{disposition}; filename="{filename}"',
            "Cache-Control": f"private, max-age={max_age}",
        },
    )


@router.get("/{message_id:int}.png", response_class=Response, summary="Timeline picture of a deadline answer")
def deadline_png(
    request: Request,
    message_id: int,
    t: str = Query("", max_length=64),
    exp: str = Query("", max_length=16),
    sig: str = Query("", max_length=64),
) -> Response:
    return _serve(request, message_id, "png", t, exp, sig)


@router.get("/{message_id:int}.ics", response_class=Response, summary="Calendar file of a deadline answer")
def deadline_ics(
    request: Request,
    message_id: int,
    t: str = Query("", max_length=64),
    exp: str = Query("", max_length=16),
    sig: str = Query("", max_length=64),
) -> Response:
    return _serve(request, message_id, "ics", t, exp, sig)
