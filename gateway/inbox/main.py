"""Wire the inbox into the gateway app (called from `channels.app.create_app`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from channels.core.config import Settings
from channels.core.conversation import ConversationService
from inbox.deps import LoginRequired, login_redirect_url
from inbox.notify import Notifier
from inbox.office_hours import OfficeHours
from inbox.routes import STATIC_DIR, api_router, page_router
from inbox.security import SESSION_COOKIE
from inbox.service import ERASE_KIND, KIND, HandoffService

log = logging.getLogger(__name__)


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every inbox answer (pages, API, redirects, errors): tickets
    hold personal data, so no browser or proxy cache may keep a copy. Static files are exempt."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not (path == "/inbox" or path.startswith("/inbox/")) or path.startswith("/inbox/static/"):
            await self.app(scope, receive, send)
            return

        async def send_no_store(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Cache-Control"] = "no-store"
                headers["Pragma"] = "no-cache"
            await send(message)

        await self.app(scope, receive, send_no_store)


def include_inbox(app: FastAPI, settings: Settings) -> None:
    """Routes, static files and the session cookie (signed with `secret_key`, path /inbox)."""
    app.add_middleware(NoStoreMiddleware)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key.get_secret_value(),
        session_cookie=SESSION_COOKIE,
        max_age=settings.inbox_session_hours * 3600,
        path="/inbox",
        same_site="lax",
        https_only=settings.public_base_url.startswith("https://"),
    )
    app.include_router(page_router)
    app.include_router(api_router)
    app.mount("/inbox/static", StaticFiles(directory=STATIC_DIR), name="inbox_static")

    async def redirect_to_login(request: Request, exc: Exception) -> RedirectResponse:
        assert isinstance(exc, LoginRequired)
        return RedirectResponse(login_redirect_url(exc.next_path), status_code=303)

    app.add_exception_handler(LoginRequired, redirect_to_login)


def start_inbox(
    app: FastAPI, service: ConversationService, *, notify_transport: httpx.AsyncBaseTransport | None = None
) -> HandoffService:
    """At start-up: register the handoff payload handler and the interceptor; start the resume retries."""
    from knowledge.loader import load_municipality

    settings = service.settings
    municipality = load_municipality(settings.municipality)
    handoff = HandoffService(
        conversations=service,
        notifier=Notifier(settings, transport=notify_transport),
        office_hours=OfficeHours.from_openingstijden(municipality.openingstijden, settings.timezone),
        municipality_name=municipality.naam,
    )
    service.register_payload_handler(KIND, handoff.handle_handoff_payload)
    service.interceptors.append(handoff.intercept)
    # "Delete my data" (channels.privacy) while a ticket is open: erase, then close the ticket
    # and leave the consultant an event without content. Registered handlers have no public
    # getter, hence the lookup of the one privacy installed.
    erase = service._payload_handlers.get(ERASE_KIND)  # noqa: SLF001
    if erase is not None:
        service.register_payload_handler(ERASE_KIND, handoff.erasing(erase))
    app.state.handoff = handoff
    app.state.inbox_tasks = [asyncio.get_running_loop().create_task(handoff.resume_retry_loop())]
    return handoff


async def stop_inbox(app: FastAPI) -> None:
    """At shutdown: stop the retry loop and let notifications still in flight finish."""
    for task in getattr(app.state, "inbox_tasks", []):
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    handoff: HandoffService | None = getattr(app.state, "handoff", None)
    if handoff is not None:
        await handoff.notifier.drain()
