"""The web chat: `GET /` serves the page; `/webchat/api/messages` sends and polls messages.

Every municipality has its own address, `/chat/<slug>` (`kanalen.webchat` in its file, by
default its id); `/` and `/chat` are the deployment's default municipality (WEGWIJS_MUNICIPALITY).
The page data tells chat.js its municipality (a page that embeds chat.js itself sets
`data-municipality` on its script tag, or an iframe shows `/chat/<slug>`), and chat.js sends it with every message
(`municipality` in the API): a conversation belongs to the municipality it started at
(gateway/core/tenancy.py). Each municipality's page keeps its own session in the browser.

The page's texts come from the catalogues (knowledge/i18n/<lang>/messages/webchat.yaml): the
server renders the page in one language and adds the texts of every language as a JSON data
block (`<script type="application/json" id="strings">`, data that is never executed, so the
strict Content-Security-Policy stays), which chat.js uses when the user picks another language.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from channels.webchat.schemas import (
    MAX_TEXT_CHARS,
    MessagesPublic,
    SessionId,
    WebchatMessageCreate,
    check_length,
)
from gateway.api.deps import ServiceDep
from gateway.core import crud
from gateway.core.models import Conversation
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
@page_router.get("/chat", response_class=HTMLResponse, include_in_schema=False)
def chat_page(
    request: Request, service: ServiceDep, lang: Annotated[str | None, Query()] = None
) -> HTMLResponse:
    return _render(request, service, service.tenancy.default, lang, own_address=False)


@page_router.get("/chat/{slug}", response_class=HTMLResponse, include_in_schema=False)
def municipality_chat_page(
    request: Request, service: ServiceDep, slug: str, lang: Annotated[str | None, Query()] = None
) -> HTMLResponse:
    municipality = service.tenancy.by_webchat(slug)
    if municipality is None:
        raise HTTPException(status_code=404, detail="unknown municipality")
    return _render(request, service, municipality, lang, own_address=True)


def _render(
    request: Request, service: ServiceDep, municipality: str, lang: str | None, *, own_address: bool
) -> HTMLResponse:
    language = languages.supported(lang)  # ?lang=tr opens the page in Turkish; anything else: Dutch
    strings = page_strings(service.tenancy.name(municipality))
    slug = service.tenancy.webchat_slug(municipality)
    privacy = f"/privacy/{slug}" if own_address else "/privacy"
    return templates.TemplateResponse(
        request,
        "chat.html",
        {
            "lang": language,
            "dir": languages.direction(language),
            "s": strings[language],
            "menu": language_menu(),
            "municipality": municipality,
            "privacy": privacy,
            "page_data": {
                "lang": language, "languages": language_menu(), "strings": strings, "privacy": privacy,
                # the default page sends none (the server's default); a municipality's page its own,
                # and keeps its own session in the browser
                "municipality": municipality if own_address else None,
            },
        },
    )


@router.post("/messages", response_model=MessagesPublic, summary="Send a message; returns the replies",
             responses={429: {"description": "Too many messages from this address or session; wait a minute"}})
async def post_message(body: WebchatMessageCreate, service: ServiceDep, request: Request) -> MessagesPublic:
    await enforce_webchat_limits(request, body.session_id)  # per address and per session: 429
    check_length(body.text, service.settings.webchat_max_chars)  # WEGWIJS_WEBCHAT_MAX_CHARS: 422
    municipality = service.tenancy.default
    if body.municipality:  # the page's address or the embedded widget's data-municipality
        found = service.tenancy.by_webchat(body.municipality)
        if found is None:
            raise HTTPException(status_code=422, detail=f"unknown municipality {body.municipality!r}")
        municipality = found
    replies = await service.handle_user_message(
        channel=CHANNEL,
        channel_user_id=body.session_id,
        text=body.text,
        platform_message_id=body.client_message_id,
        display_text=body.title,
        # the language chosen in the page's menu: the conversation switches to it
        metadata={"lang": body.lang} if body.lang else None,
        municipality=municipality,  # a new conversation belongs to it
    )
    ids = [m.id for m in replies if m.id is not None]
    with service.session_factory() as session:
        rows = crud.public_message_rows(session=session, ids=ids)
        # this turn may have switched the language ("Türkçe" typed): the page's menu and texts follow
        language = conversation_language(session, body.session_id)
    return MessagesPublic(
        messages=[MessagePublic.from_row(row) for row in rows], language=language  # type: ignore[arg-type]
    )


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
        # the language only changes with a message, so a quiet poll stays one query
        language = conversation_language(session, session_id) if rows else None
    return MessagesPublic(
        messages=[MessagePublic.from_row(row) for row in rows], language=language  # type: ignore[arg-type]
    )


def conversation_language(session: Session, session_id: str) -> str | None:
    """The language the conversation of this browser session is in now (None before its first message)."""
    language = session.execute(_LANGUAGE_OF_SESSION, {"user": session_id}).scalar_one_or_none()
    return language if language in languages.CODES else None


# built once, like crud's hot-path statements (the unique key (channel, channel_user_id) finds it)
_LANGUAGE_OF_SESSION = select(Conversation.language).where(
    Conversation.channel == CHANNEL, Conversation.channel_user_id == bindparam("user")
)
