"""The gateway's ASGI app factory: `create_app(settings)`.

Usage:
    python -m channels                      # uvicorn on WEGWIJS_HOST:WEGWIJS_PORT
    uvicorn --factory channels.app:create_app
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from channels.api import deadlines as deadlines_api
from channels.api import health
from channels.core.config import Settings, get_settings
from channels.core.conversation import ConversationService, NullSender
from channels.core.db import make_engine, make_session_factory, migrate
from channels.core.engine import EngineClient
from channels.core.security import BodySizeLimitMiddleware, SecurityHeadersMiddleware, content_security_policy
from channels.media import deadlines as deadlines_media
from channels.privacy import install_privacy
from channels.privacy import routes as privacy_routes
from channels.privacy.logfilter import install_log_redaction
from channels.reminders import install_reminders
from channels.reminders.scheduler import start_scheduler, stop_scheduler
from channels.telegram import webhook as telegram_webhook
from channels.telegram.bot import TelegramChannel
from channels.webchat import routes as webchat
from channels.whatsapp import webhook as whatsapp_webhook
from channels.whatsapp.channel import WhatsAppChannel
from inbox import include_inbox, start_inbox, stop_inbox


def create_app(
    settings: Settings | None = None, *, engine_transport: httpx.AsyncBaseTransport | None = None
) -> FastAPI:
    """Build the gateway. Tests pass their own `settings` and a fake Rasa as `engine_transport`.

    On start-up the database is migrated and `app.state` gets `settings`, `db_engine`,
    `session_factory`, `engine` (EngineClient) and `conversations` (ConversationService).
    """
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        migrate(settings)
        db_engine = make_engine(settings.database_url)
        engine = EngineClient(settings, transport=engine_transport)
        service = ConversationService(
            settings=settings, session_factory=make_session_factory(db_engine), engine=engine
        )
        service.register_sender("web", NullSender())
        service.register_payload_handler(deadlines_media.KIND, deadlines_media.handle_deadlines_payload)
        install_privacy(service)  # BSN/IBAN transcript filter, "delete my data" payload
        app.state.reminders = install_reminders(service)  # offer after deadlines, reminder commands first
        app.state.db_engine = db_engine
        app.state.session_factory = service.session_factory
        app.state.engine = engine
        app.state.conversations = service
        app.state.telegram = await TelegramChannel.start(app, service)  # None unless configured
        app.state.whatsapp = await WhatsAppChannel.start(app, service)
        start_inbox(app, service)  # handoff payload handler, quiet-bot interceptor, notifications
        app.state.scheduler = start_scheduler(service, app.state.reminders)  # None when disabled
        try:
            yield
        finally:
            stop_scheduler(app.state.scheduler)
            limits = getattr(app.state, "webchat_limits", None)
            if limits is not None:
                await limits.aclose()
            await stop_inbox(app)
            for channel in (app.state.telegram, app.state.whatsapp):
                if channel is not None:
                    await channel.stop()
            await engine.aclose()
            db_engine.dispose()

    development = settings.env == "development"
    app = FastAPI(
        title="Wegwijs gateway",
        version="0.1.0",
        description="Web chat, deadline API and messaging channels of the Wegwijs assistant.",
        lifespan=lifespan,
        docs_url="/docs" if development else None,
        redoc_url=None,
    )
    app.state.settings = settings
    install_log_redaction()  # no BSN, IBAN, phone, e-mail or raw user id in any log line
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeadersMiddleware, csp=content_security_policy(settings.public_base_url))

    app.include_router(health.router)
    app.include_router(deadlines_api.router)
    app.include_router(deadlines_media.router)
    app.include_router(webchat.page_router)
    app.include_router(webchat.router)
    app.include_router(privacy_routes.router)
    app.include_router(telegram_webhook.router)
    app.include_router(whatsapp_webhook.router)
    app.mount("/webchat/static", StaticFiles(directory=webchat.STATIC_DIR), name="webchat_static")
    include_inbox(app, settings)  # /inbox pages and API, session cookie
    return app
