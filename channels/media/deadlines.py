"""The "deadlines" custom payload: a timeline image and a calendar file, rendered on request.

The bot sends `{"custom": {"wegwijs": {"type": "deadlines", "input": {...}, "lang": "nl"}}}`.
The gateway stores the input with the image message and answers with two messages whose
URLs point at `/media/deadlines/<message_id>.png` and `.ics`, signed with the secret key so
that message ids cannot be guessed to read someone else's dates.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request, Response
from pydantic import ValidationError

from channels.core import deadlines
from channels.core.config import Settings
from channels.core.conversation import ConversationService, PayloadContext
from channels.core.schemas import OutgoingMessage

router = APIRouter(prefix="/media/deadlines", tags=["media"])

KIND = "deadlines"
Extension = Literal["png", "ics"]


def document_name(lang: str | None) -> str:
    """The calendar file's name in the user's language (catalogue `deadlines.ics.file_name`)."""
    from knowledge import texts

    return texts.text("deadlines.ics.file_name", lang)


def signature(settings: Settings, message_id: int) -> str:
    key = settings.secret_key.get_secret_value().encode("utf-8")
    return hmac.new(key, f"{KIND}:{message_id}".encode(), hashlib.sha256).hexdigest()[:24]


def media_url(settings: Settings, message_id: int, extension: Extension) -> str:
    """Absolute, signed URL of a deadline image or calendar file."""
    sig = signature(settings, message_id)
    return f"{settings.public_base}/media/deadlines/{message_id}.{extension}?sig={sig}"


async def handle_deadlines_payload(ctx: PayloadContext, data: dict[str, Any]) -> list[OutgoingMessage]:
    """Payload handler for kind "deadlines": store the input, answer with image + document."""
    from knowledge import languages

    lang = languages.supported(data.get("lang") or ctx.conversation.language)
    settings = ctx.service.settings
    stored = {"wegwijs": {"type": KIND, "input": data.get("input") or {}, "lang": lang}}
    image = ctx.store(OutgoingMessage(data=stored))
    assert image.id is not None
    image = image.model_copy(update={"image_url": media_url(settings, image.id, "png")})
    ctx.update(image)
    document = OutgoingMessage(
        document_url=media_url(settings, image.id, "ics"),
        document_name=document_name(lang),
    )
    return [image, document]


def render_deadlines_media(
    service: ConversationService, message_id: int, extension: Extension
) -> tuple[bytes, str, str] | None:
    """(content, media type, file name) for a stored deadlines message, or None if there is none.

    Channels that upload media (WhatsApp, Telegram) call this directly instead of fetching the URL.
    """
    message = service.stored_message(message_id)
    spec = ((message.data or {}).get("wegwijs") or {}) if message else {}
    if spec.get("type") != KIND:
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
        return deadlines.render_png(result, lang, today), "image/png", f"wegwijs-{message_id}.png"
    return (
        deadlines.render_ics(result, lang),
        "text/calendar; charset=utf-8",
        document_name(lang),
    )


def _freeze(value: dict[str, Any]) -> tuple:
    return tuple(sorted((k, v) for k, v in value.items() if not isinstance(v, (dict, list))))


def _serve(request: Request, message_id: int, extension: Extension, sig: str) -> Response:
    service: ConversationService = request.app.state.conversations
    if not hmac.compare_digest(sig.encode("utf-8", "replace"), signature(service.settings, message_id).encode()):
        raise HTTPException(status_code=403, detail="invalid signature")
    try:
        rendered = render_deadlines_media(service, message_id, extension)
    except (ValidationError, ValueError) as exc:
        raise HTTPException(status_code=422, detail="stored deadline input is invalid") from exc
    if rendered is None:
        raise HTTPException(status_code=404, detail="not found")
    content, media_type, filename = rendered
    disposition = "inline" if extension == "png" else "attachment"
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'{disposition}; filename="{filename}"',
            "Cache-Control": "private, max-age=3600",
        },
    )


@router.get("/{message_id:int}.png", response_class=Response, summary="Timeline picture of a deadline answer")
def deadline_png(request: Request, message_id: int, sig: str = Query("", max_length=64)) -> Response:
    return _serve(request, message_id, "png", sig)


@router.get("/{message_id:int}.ics", response_class=Response, summary="Calendar file of a deadline answer")
def deadline_ics(request: Request, message_id: int, sig: str = Query("", max_length=64)) -> Response:
    return _serve(request, message_id, "ics", sig)
