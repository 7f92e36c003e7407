"""The web chat: `GET /` serves the page; `/webchat/api/messages` sends and polls messages."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from channels.api.deps import ServiceDep
from channels.core import crud
from channels.core.schemas import MessagePublic
from channels.webchat.schemas import MessagesPublic, SessionId, WebchatMessageCreate

CHANNEL = "web"
HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
templates = Jinja2Templates(directory=HERE / "templates")

page_router = APIRouter(tags=["webchat"])
router = APIRouter(prefix="/webchat/api", tags=["webchat"])


@page_router.get("/", response_class=HTMLResponse, include_in_schema=False)
def chat_page(request: Request, service: ServiceDep) -> HTMLResponse:
    return templates.TemplateResponse(request, "chat.html", {"municipality": service.settings.municipality})


@router.post("/messages", response_model=MessagesPublic, summary="Send a message; returns the replies")
async def post_message(body: WebchatMessageCreate, service: ServiceDep) -> MessagesPublic:
    replies = await service.handle_user_message(
        channel=CHANNEL,
        channel_user_id=body.session_id,
        text=body.text,
        platform_message_id=body.client_message_id,
        display_text=body.title,
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
