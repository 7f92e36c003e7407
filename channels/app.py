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
from gateway.checkins import CheckinCommands, CheckinService, offering_checkins
from gateway.checkins import inbox as checkins_inbox
from gateway.core.config import Settings, get_settings
from gateway.core.conversation import ConversationService, NullSender
from gateway.core.db import make_engine, make_session_factory, migrate
from gateway.core.engine import EngineClient
from gateway.core.security import BodySizeLimitMiddleware, SecurityHeadersMiddleware, content_security_policy
from gateway.core.tenancy import TenancyGate
from gateway.inbox import HANDOFF_KIND, include_inbox, make_handoff, start_inbox, stop_inbox
from gateway.media import deadlines as deadlines_media
from gateway.media.timeline import render_png
from gateway.news import NewsCommands, NewsOffer, NewsService
from gateway.news import routes as news_routes
from gateway.privacy import erase
from gateway.privacy import routes as privacy_routes
from gateway.privacy.logfilter import install_log_redaction
from gateway.privacy.textfilter import transcript_filter
from gateway.referents import ReferentCommands, ReferentService, copying_reminders, erasing, offering_sharing
from gateway.referents import router as referents_router
from gateway.reminders import ReminderCommands, ReminderService, offering_reminders
from gateway.scheduler import start_scheduler, stop_scheduler

# The HTTP routes, in the order they are matched (the inbox adds its own with its middleware).
ROUTERS = (
    health.router,  # /health, /ready
    deadlines_api.router,  # /api/v1/deadlines (JSON, .ics)
    deadlines_media.router,  # signed links to a user's timeline PNG and calendar file
    referents_router,  # her timeline PNG for the referent she linked (signed, only while she shares)
    webchat.page_router,  # /chat
    webchat.router,  # /webchat/api
    privacy_routes.router,  # /privacy
    telegram_webhook.router,
    whatsapp_webhook.router,
    news_routes.page_router,  # /inbox/news: the news editor (the inbox's login, CSRF and access scope)
    checkins_inbox.router,  # /inbox/voortgang: check-ins of people who consented (the inbox's login)
)


def wire(app: FastAPI, service: ConversationService) -> None:
    """The message pipeline, in order: what the gateway does with a message besides asking the engine.

    Interceptors see each inbound message first to last, and the first that absorbs it ends the
    turn. Payload handlers act on the engine's custom payloads by their `type`, one per type."""
    erase.configure(service.settings)  # where Rasa's trackers are, for "delete my data"
    reminders = ReminderService(service)
    checkins = CheckinService(service, timeline=render_png)  # the inbox's case view draws her timeline
    referents = ReferentService(service)
    reminders.sent_hooks.append(copying_reminders(referents))  # a copy to her referent, if she chose
    handoff = make_handoff(service)
    news = NewsService(service)
    service.wire(
        senders={"web": NullSender()},  # the web chat polls; Telegram and WhatsApp add theirs when started
        text_filters=[transcript_filter],  # BSN and IBAN masked before a message is stored
        interceptors=[
            # "stop herinneringen" and /stop: always the gateway's answer; its answer to the reminder
            # offer also offers sharing with the referent
            offering_sharing(ReminderCommands(reminders), referents),
            # the municipality: on a shared WhatsApp number or Telegram bot it asks "In welke gemeente
            # woont u?" once and answers the first message after; "ik woon in …" changes it (any time)
            TenancyGate(service),
            # check-ins: their buttons, "stop check-ins", "regievoerder uit" and a number typed right
            # after the hours or exams question. After the reminders (their /stop stays theirs) and
            # before the handoff, so check-ins can be answered and stopped while a regievoerder has
            # the chat; their words never collide with the referent's ("stop delen") or the news'
            CheckinCommands(checkins),
            # sharing with the referent: her "delen"/"stop delen", his code and "haar data"; before the
            # handoff so she can stop sharing (and he can see her dates) while a regievoerder has the chat
            ReferentCommands(referents),
            # news of the municipality: its button, "nieuws aan"/"/nieuws", "stop nieuws"/"/stopnieuws";
            # before the handoff so news can be stopped while a regievoerder has the chat
            NewsCommands(news),
            handoff.intercept,  # while a regievoerder owns the conversation, the bot stays quiet
        ],
        payload_handlers={
            # a deadline answer: the timeline PNG and .ics links, then the offer of reminders
            # (no news offer here: this answer already offers reminders and check-ins)
            deadlines_media.KIND: offering_checkins(  # then, on its own message, the offer of check-ins
                offering_reminders(deadlines_media.handle_deadlines_payload, reminders), checkins
            ),
            # "delete my data" confirmed: erase every store; an open ticket closes without content
            # (the referent links end first, so the other person is told)
            erase.KIND: handoff.erasing(erasing(erase.handle_delete_payload, referents)),
            HANDOFF_KIND: handoff.handle_handoff_payload,  # consent given: open a ticket, notify
        },
        # after the engine's replies: the news offer after the first FAQ answer (once per conversation)
        reply_followers=[NewsOffer(news)],
    )
    app.state.reminders = reminders
    app.state.checkins = checkins
    app.state.referents = referents
    app.state.news = news
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
        # None when disabled; the news job also runs at start-up, resuming a delivery a restart cut off
        app.state.scheduler = start_scheduler(
            service, app.state.reminders, news=app.state.news, checkins=app.state.checkins
        )
        try:
            yield
        finally:
            app.state.news.close()  # the news delivery stops between two messages
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
