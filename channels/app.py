"""The gateway's ASGI app, composed in one place: `create_app(settings)`.

`channels` is the top layer: it alone imports both the gateway (`gateway.*`) and the channel
adapters, so the whole composition (routers, then the message pipeline in `wire`) reads here, in
order. Nothing else registers routers, interceptors or payload handlers.

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

from channels.telegram import webhook as telegram_webhook
from channels.telegram.bot import TelegramChannel
from channels.webchat import routes as webchat
from channels.whatsapp import webhook as whatsapp_webhook
from channels.whatsapp.channel import WhatsAppChannel
from gateway.api import deadlines as deadlines_api
from gateway.api import health
from gateway.core.config import Settings, get_settings
from gateway.core.conversation import ConversationService, NullSender
from gateway.core.db import make_engine, make_session_factory, migrate
from gateway.core.engine import EngineClient
from gateway.core.security import BodySizeLimitMiddleware, SecurityHeadersMiddleware, content_security_policy
from gateway.inbox import HANDOFF_KIND, include_inbox, make_handoff, start_inbox, stop_inbox
from gateway.media import deadlines as deadlines_media
from gateway.privacy import erase
from gateway.privacy import routes as privacy_routes
from gateway.privacy.logfilter import install_log_redaction
from gateway.privacy.textfilter import transcript_filter
from gateway.reminders import ReminderCommands, ReminderService, offering_reminders
from gateway.scheduler import start_scheduler, stop_scheduler

# The HTTP routes, in the order they are matched (the inbox adds its own with its middleware).
ROUTERS = (
    health.router,  # /health, /ready
    deadlines_api.router,  # /api/v1/deadlines (JSON, .ics)
    deadlines_media.router,  # signed links to a user's timeline PNG and calendar file
    webchat.page_router,  # /chat
    webchat.router,  # /webchat/api
    privacy_routes.router,  # /privacy
    telegram_webhook.router,
    whatsapp_webhook.router,
)


def wire(app: FastAPI, service: ConversationService) -> None:
    """The message pipeline, in order: what the gateway does with a message besides asking the engine.

    Interceptors see each inbound message first to last, and the first that absorbs it ends the
    turn. Payload handlers act on the engine's custom payloads by their `type`, one per type."""
    erase.configure(service.settings)  # where Rasa's trackers are, for "delete my data"
    reminders = ReminderService(service)
    handoff = make_handoff(service)
    service.wire(
        senders={"web": NullSender()},  # the web chat polls; Telegram and WhatsApp add theirs when started
        text_filters=[transcript_filter],  # BSN and IBAN masked before a message is stored
        interceptors=[
            ReminderCommands(reminders),  # "stop herinneringen" and /stop: always the gateway's answer
            handoff.intercept,  # while a regievoerder owns the conversation, the bot stays quiet
        ],
        payload_handlers={
            # a deadline answer: the timeline PNG and .ics links, then the offer of reminders
            deadlines_media.KIND: offering_reminders(deadlines_media.handle_deadlines_payload, reminders),
            # "delete my data" confirmed: erase every store; an open ticket closes without content
            erase.KIND: handoff.erasing(erase.handle_delete_payload),
            HANDOFF_KIND: handoff.handle_handoff_payload,  # consent given: open a ticket, notify
        },
    )
    app.state.reminders = reminders
    start_inbox(app, handoff)  # keeps the service for the inbox routes, starts its retries


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
        wire(app, service)
        app.state.db_engine = db_engine
        app.state.session_factory = service.session_factory
        app.state.engine = engine
        app.state.conversations = service
        app.state.telegram = await TelegramChannel.start(app, service)  # None unless configured
        app.state.whatsapp = await WhatsAppChannel.start(app, service)
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

    for router in ROUTERS:
        app.include_router(router)
    app.mount("/webchat/static", StaticFiles(directory=webchat.STATIC_DIR), name="webchat_static")
    include_inbox(app, settings)  # /inbox pages and API, session cookie
    return app
