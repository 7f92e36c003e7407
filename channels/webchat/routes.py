"""The web chat: `GET /` serves the page; `/webchat/api/messages` sends and polls messages.

The page's texts come from the catalogues (knowledge/i18n/<lang>/messages/webchat.yaml): the
server renders the page in one language and adds the texts of every language as a JSON data
block (`<script type="application/json" id="strings">`, data that is never executed, so the
strict Content-Security-Policy stays), which chat.js uses when the user picks another language.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from channels.webchat.schemas import (
    MAX_TEXT_CHARS,
    MessagesPublic,
    SessionId,
    WebchatMessageCreate,
    check_length,
)
from gateway.api.deps import ServiceDep
from gateway.core import crud
from gateway.core.ratelimit import enforce_webchat_limits
from gateway.core.schemas import MessagePublic
from knowledge import languages, texts

CHANNEL = "web"
DOMAIN = "webchat"
HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
templates = Jinja2Templates(directory=HERE / "templates")

page_router = APIRouter(tags=["webchat"])
router = APIRouter(prefix="/webchat/api", tags=["webchat"])


@functools.lru_cache(maxsize=8)
def page_strings(municipality: str) -> dict[str, dict[str, str]]:
    """The page's texts per language, {lang: {name: text}}, with the server's placeholders filled."""
    params: dict[str, dict[str, Any]] = {
        "privacy": {"municipality": municipality},
        "too_long": {"max_chars": MAX_TEXT_CHARS},
    }
    names = [key.partition(".")[2] for key in texts.keys(DOMAIN)]
    return {
        lang: {name: texts.text(f"{DOMAIN}.{name}", lang, **params.get(name, {})) for name in names}
        for lang in languages.CODES
    }


def language_menu() -> list[dict[str, str]]:
    """Each language in its own name, with its code and writing direction."""
    return [{"code": code, "name": languages.name(code), "dir": languages.direction(code)}
            for code in languages.CODES]


@page_router.get("/", response_class=HTMLResponse, include_in_schema=False)
def chat_page(
    request: Request, service: ServiceDep, lang: Annotated[str | None, Query()] = None
) -> HTMLResponse:
    language = languages.supported(lang)  # ?lang=tr opens the page in Turkish; anything else: Dutch
    strings = page_strings(service.settings.municipality.capitalize())
    return templates.TemplateResponse(
        request,
        "chat.html",
        {
            "lang": language,
            "dir": languages.direction(language),
            "s": strings[language],
            "menu": language_menu(),
            "page_data": {"lang": language, "languages": language_menu(), "strings": strings},
        },
    )


@router.post("/messages", response_model=MessagesPublic, summary="Send a message; returns the replies",
             responses={429: {"description": "Too many messages from this address or session; wait a minute"}})
async def post_message(body: WebchatMessageCreate, service: ServiceDep, request: Request) -> MessagesPublic:
    await enforce_webchat_limits(request, body.session_id)  # per address and per session: 429
    check_length(body.text, service.settings.webchat_max_chars)  # WEGWIJS_WEBCHAT_MAX_CHARS: 422
    replies = await service.handle_user_message(
        channel=CHANNEL,
        channel_user_id=body.session_id,
        text=body.text,
        platform_message_id=body.client_message_id,
        display_text=body.title,
        # the language chosen in the page's menu: the conversation switches to it
        metadata={"lang": body.lang} if body.lang else None,
    )
    ids = [m.id for m in replies if m.id is not None]
    if not ids:
        return MessagesPublic(messages=[])
    with service.session_factory() as session:
        rows = crud.public_message_rows(session=session, ids=ids)
    return MessagesPublic(messages=[MessagePublic.from_row(row) for row in rows])  # type: ignore[arg-type]


@router.get("/messages", response_model=MessagesPublic, summary="Messages (both directions) after an id")
def get_messages(
    service: ServiceDep,
    session_id: Annotated[SessionId, Query()],
    after: Annotated[int, Query(ge=0)] = 0,
) -> MessagesPublic:
    # Every open chat polls this every few seconds: one Core query.
    with service.session_factory() as session:
        rows = crud.public_messages_of_user(
            session=session, channel=CHANNEL, channel_user_id=session_id, after=after, limit=200
        )
    return MessagesPublic(messages=[MessagePublic.from_row(row) for row in rows])  # type: ignore[arg-type]
