"""GET /media/referent/<link>.png: the migrant's timeline picture, for the referent she linked.

A link is `...?l=<lang>&exp=<unix time>&sig=<hmac>`; the signature (secret key) covers the link
id, the language and the expiry. The picture is rendered at request time from her newest stored
deadline input, in the referent's language, and only while the link is active: once she stops
sharing, or either person's data is erased, every earlier link answers 404 (as does any refusal,
so a link never tells whether a link or a deadline answer exists).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request, Response
from pydantic import ValidationError

from gateway.core import deadlines
from gateway.core.config import Settings
from gateway.media import deadlines as deadlines_media
from gateway.media import timeline
from gateway.referents.service import ReferentService
from knowledge import languages

router = APIRouter(prefix="/media/referent", tags=["media"])
SIGNATURE_CHARS = 32


def signature(settings: Settings, link_id: int, lang: str, expires: int) -> str:
    key = settings.secret_key.get_secret_value().encode("utf-8")
    return hmac.new(key, f"referent:{link_id}:{lang}:{expires}".encode(), hashlib.sha256).hexdigest()[:SIGNATURE_CHARS]


def png_url(settings: Settings, link_id: int, lang: str, *, expires: int | None = None) -> str:
    if expires is None:
        expires = deadlines_media.now() + deadlines_media.link_lifetime_s(settings)
    sig = signature(settings, link_id, lang, expires)
    return f"{settings.public_base}/media/referent/{link_id}.png?l={lang}&exp={expires}&sig={sig}"


def compute(deadline_input: dict[str, Any], lang: str, timezone: str) -> tuple[Any, Any]:
    """(result, today) of the deadline engine for her stored input, texts in `lang`."""
    data = dict(deadline_input)
    data.setdefault("today", deadlines.today_in(timezone).isoformat())
    return deadlines.compute(deadlines.DeadlineInput.model_validate(data), timezone, lang)


def _not_found() -> HTTPException:
    return HTTPException(status_code=404, detail="not found")


@router.get("/{link_id:int}.png", response_class=Response, summary="Timeline picture shared with a referent")
def referent_png(
    request: Request,
    link_id: int,
    l: str = Query("", max_length=8),  # noqa: E741 - a short query name, like t/exp/sig
    exp: str = Query("", max_length=16),
    sig: str = Query("", max_length=64),
) -> Response:
    settings: Settings = request.app.state.settings
    if l not in languages.CODES or not (exp.isascii() and exp.isdigit()):
        raise _not_found()
    expires = int(exp)
    if not hmac.compare_digest(sig.encode("utf-8", "replace"), signature(settings, link_id, l, expires).encode()):
        raise _not_found()
    if expires < deadlines_media.now():
        raise _not_found()
    referents: ReferentService | None = getattr(request.app.state, "referents", None)
    link = referents.link_if_active(link_id) if referents is not None else None
    stored = None
    if referents is not None and link is not None:
        stored = referents.latest_deadlines(link.migrant_conversation_id)
    if stored is None:
        raise _not_found()
    try:
        result, today = compute(stored.input, l, settings.timezone)
    except (ValidationError, ValueError) as exc:
        raise HTTPException(status_code=422, detail="stored deadline input is invalid") from exc
    return Response(
        timeline.render_png(result, l, today),
        media_type="image/png",
        headers={
            "Content-Disposition": f'inline; filename="wegwijs-partner-{link_id}.png"',
            "Cache-Control": "private, no-store",  # the link may end at any moment
        },
    )
