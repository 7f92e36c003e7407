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

from gateway.core.config import Settings
from gateway.core.conversation import ConversationService
from gateway.inbox.admin import admin_router
from gateway.inbox.deps import LoginRequired, login_redirect_url
from gateway.inbox.notify import Notifier
from gateway.inbox.office_hours import OfficeHours
from gateway.inbox.routes import STATIC_DIR, api_router, page_router
from gateway.inbox.security import SESSION_COOKIE
from gateway.inbox.service import HandoffService

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
    app.include_router(admin_router)
    app.include_router(api_router)
    app.mount("/inbox/static", StaticFiles(directory=STATIC_DIR), name="inbox_static")

    async def redirect_to_login(request: Request, exc: Exception) -> RedirectResponse:
        assert isinstance(exc, LoginRequired)
        return RedirectResponse(login_redirect_url(exc.next_path), status_code=303)

    app.add_exception_handler(LoginRequired, redirect_to_login)


def make_handoff(service: ConversationService, *, notify_transport: httpx.AsyncBaseTransport | None = None) -> HandoffService:
    """The handoff service of this gateway: notifications, office hours, the municipality's name.

    `channels.app.wire` registers its payload handler, its interceptor and its wrapper of the
    "delete my data" handler; `start_inbox` starts its retry loop."""
    from knowledge.loader import load_municipality

    settings = service.settings
    municipality = load_municipality(settings.municipality)
    return HandoffService(
        conversations=service,
        notifier=Notifier(settings, transport=notify_transport),
        office_hours=OfficeHours.from_openingstijden(municipality.openingstijden, settings.timezone),
        municipality_name=municipality.naam,
    )


def start_inbox(app: FastAPI, handoff: HandoffService) -> None:
    """At start-up: keep the handoff service for the routes and start the resume retries."""
    app.state.handoff = handoff
    app.state.inbox_tasks = [asyncio.get_running_loop().create_task(handoff.resume_retry_loop())]


async def stop_inbox(app: FastAPI) -> None:
    """At shutdown: stop the retry loop and let notifications still in flight finish."""
    for task in getattr(app.state, "inbox_tasks", []):
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    handoff: HandoffService | None = getattr(app.state, "handoff", None)
    if handoff is not None:
        await handoff.notifier.drain()
