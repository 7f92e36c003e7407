"""The Telegram channel: a python-telegram-bot `Application` whose handlers talk to the conversation service.

Webhook mode (default): the gateway's own route `POST /telegram/webhook` checks the secret
token and hands each update to `TelegramChannel.process`; the application has no updater
(`updater(None)`), and `setWebhook(url, secret_token=...)` is called on start-up.
Polling mode (`WEGWIJS_TELEGRAM_MODE=polling`, or `python -m channels.telegram.polling`):
the application's updater fetches updates itself; no public URL needed.

Commands: /start (answered here), /taal, /mens, /stop, /verwijder (`mapping.SERVICE_COMMANDS`).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy import select
from telegram import BotCommand, Update
from telegram.constants import UpdateType
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from channels.telegram import mapping
from channels.telegram.client import TelegramSender
from channels.telegram.mapping import CHANNEL
from gateway.core import crud
from gateway.core.config import Settings
from gateway.core.conversation import ConversationService
from gateway.core.local_media import load_local_media
from gateway.core.models import Conversation
from gateway.core.ratelimit import WARNING_TEXT, Decision, RateLimiter, make_rate_limiter
from gateway.core.schemas import Button
from knowledge import languages
from redaction.logs import hash_id

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"
ALLOWED_UPDATES = [UpdateType.MESSAGE, UpdateType.CALLBACK_QUERY]
RECENT_BUTTON_MESSAGES = 50  # where a short callback key is looked up


def quiet_library_loggers() -> None:
    """PTB logs API parameters (texts, chat ids) at DEBUG and httpx logs URLs with the bot token at INFO."""
    logging.getLogger("telegram").setLevel(
        max(logging.INFO, logging.getLogger("telegram").getEffectiveLevel())
    )
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)


def build_application(settings: Settings, *, polling: bool = False) -> Application:
    """A PTB application pointed at `settings.telegram_api_base_url` (a fake one in tests)."""
    assert settings.telegram_bot_token is not None
    base = settings.telegram_api_base_url.rstrip("/")
    builder = (
        Application.builder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(base + "/bot")
        .base_file_url(base + "/file/bot")
    )
    if not polling:
        builder = builder.updater(None)
    return builder.build()


class TelegramChannel:
    def __init__(
        self, *, settings: Settings, service: ConversationService, asgi_app: Any, rate_limiter: RateLimiter
    ) -> None:
        self.settings = settings
        self.service = service
        self.polling = settings.telegram_mode == "polling"
        self.application = build_application(settings, polling=self.polling)
        public_base = settings.public_base

        async def load_media(url: str):  # type: ignore[no-untyped-def]
            return await load_local_media(asgi_app, public_base, url)

        self.sender = TelegramSender(self.application.bot, load_media)
        self.rate_limiter = rate_limiter
        self._add_handlers()

    # -- lifecycle ----------------------------------------------------------------------
    @classmethod
    async def start(cls, asgi_app: Any, service: ConversationService) -> TelegramChannel | None:
        """Start the channel when a bot token is configured; registers the Sender."""
        settings: Settings = service.settings
        if settings.telegram_bot_token is None:
            return None
        quiet_library_loggers()
        limiter = make_rate_limiter(
            limit=settings.channel_rate_limit_per_minute, redis_url=settings.redis_url
        )
        channel = cls(settings=settings, service=service, asgi_app=asgi_app, rate_limiter=limiter)
        service.register_sender(CHANNEL, channel.sender)
        await channel._connect()
        return channel

    async def _connect(self) -> None:
        try:
            await self.application.initialize()  # getMe
            if self.polling:
                await self.application.bot.delete_webhook()
                await self.application.start()
                assert self.application.updater is not None
                await self.application.updater.start_polling(allowed_updates=ALLOWED_UPDATES)
                log.info("telegram: polling for updates")
            elif self.settings.telegram_set_webhook:
                assert self.settings.telegram_webhook_secret is not None
                await self.application.bot.set_webhook(
                    url=self.webhook_url,
                    secret_token=self.settings.telegram_webhook_secret.get_secret_value(),
                    allowed_updates=ALLOWED_UPDATES,
                )
                log.info("telegram: webhook set to %s", self.webhook_url)
            await self._set_commands()
        except TelegramError as exc:
            log.error("telegram: start-up failed (%s); updates are retried later", type(exc).__name__)

    async def _set_commands(self) -> None:
        """The command menu in every language (Telegram shows the user's), Dutch by default."""
        bot = self.application.bot
        for code in (None, *languages.CODES):
            lang = code or languages.SOURCE
            menu = [BotCommand(command, text) for command, text in mapping.command_descriptions(lang).items()]
            await bot.set_my_commands(menu, language_code=languages.info(lang)["telegram_code"] if code else None)

    async def stop(self) -> None:
        try:
            if self.application.updater is not None and self.application.updater.running:
                await self.application.updater.stop()
            if self.application.running:
                await self.application.stop()
            if self.application._initialized:  # PTB has no public flag for this
                await self.application.shutdown()
        finally:
            await self.rate_limiter.aclose()

    @property
    def webhook_url(self) -> str:
        return self.settings.public_base + WEBHOOK_PATH

    async def process(self, update: Update) -> None:
        """Handle one update from the webhook (after the secret token was checked)."""
        if not self.application._initialized:
            await self.application.initialize()
        await self.application.process_update(update)

    # -- handlers -------------------------------------------------------------------------
    def _add_handlers(self) -> None:
        private = filters.ChatType.PRIVATE
        app = self.application
        app.add_handler(CommandHandler("start", self.on_start, filters=private))
        for command in mapping.SERVICE_COMMANDS:
            app.add_handler(CommandHandler(command, self.on_service_command, filters=private))
        # other text, including unknown /commands (button payloads typed by hand), goes to the engine
        app.add_handler(MessageHandler(private & filters.TEXT, self.on_text))
        app.add_handler(CallbackQueryHandler(self.on_button))
        app.add_handler(
            MessageHandler(private & ~filters.TEXT & ~filters.StatusUpdate.ALL, self.on_unsupported)
        )
        app.add_error_handler(self.on_error)

    async def on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Greeting, what the bot can do, and the privacy line."""
        chat_id = _chat_id(update)
        if await self._limited(chat_id):
            return
        await self.sender.send_text(chat_id, mapping.START_TEXT[self._language(chat_id, update)])

    async def on_service_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/taal, /mens, /verwijder go to the engine as intents; /stop to the reminders interceptor."""
        assert update.effective_message is not None and update.effective_message.text is not None
        command = update.effective_message.text.split()[0].lstrip("/").split("@")[0].lower()
        text = mapping.SERVICE_COMMANDS[command]
        if command == "taal" and context.args:
            arg = " ".join(context.args)
            choice = languages.language_named(arg) or (arg.lower()[:2] if arg.lower()[:2] in languages.CODES else None)
            if choice:
                text += json.dumps({"language_choice": choice})
        # made by the gateway from a Telegram command, not typed: a trusted payload
        await self._turn(update, text=text, display_text=f"/{command}", trusted=True)

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None and update.effective_message.text is not None
        await self._turn(update, text=update.effective_message.text)

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A tap on an inline keyboard button: answer the callback query, send its payload."""
        query = update.callback_query
        assert query is not None
        try:
            await query.answer()
        except TelegramError as exc:
            log.info("answerCallbackQuery failed: %s", type(exc).__name__)
        if update.effective_chat is None or update.effective_chat.type != "private" or not query.data:
            return
        chat_id = _chat_id(update)
        payload = mapping.resolve_callback_data(query.data, self._recent_buttons(chat_id))
        if payload is None:
            await self.sender.send_text(chat_id, mapping.EXPIRED_BUTTON_TEXT[self._language(chat_id, update)])
            return
        # resolved from the buttons this chat was sent (Telegram only returns our callback data)
        await self._turn(update, text=payload, display_text=_button_title(query.message, query.data), trusted=True)

    async def on_unsupported(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Photos, voice messages, stickers...: say that only text is read."""
        chat_id = _chat_id(update)
        if await self._limited(chat_id):
            return
        await self.sender.send_text(chat_id, mapping.UNSUPPORTED_TEXT[self._language(chat_id, update)])

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        # Only the type: tracebacks and updates can contain message text.
        log.error("telegram update failed: %s", type(context.error).__name__)

    # -- one turn -------------------------------------------------------------------------
    async def _turn(
        self, update: Update, *, text: str, display_text: str | None = None, trusted: bool = False
    ) -> None:
        chat_id = _chat_id(update)
        if await self._limited(chat_id):
            return
        async with self.sender.typing(chat_id):
            replies = await self.service.handle_user_message(
                channel=CHANNEL,
                channel_user_id=chat_id,
                text=text,
                platform_message_id=f"update:{update.update_id}",
                display_text=display_text,
                trusted=trusted,
                municipality=self.municipality,  # the bot's; a shared bot: None, the gateway asks
            )
        if replies:
            await self.sender.send_to_chat(chat_id, replies, self._language(chat_id, update))

    @property
    def municipality(self) -> str | None:
        """The municipality of this bot: the one whose `kanalen.telegram_bot` is the bot's username,
        else WEGWIJS_TELEGRAM_MUNICIPALITY, else shared (gateway/core/tenancy.py)."""
        try:
            username = self.application.bot.username  # known after getMe (start-up)
        except RuntimeError:
            username = None
        return self.service.tenancy.for_telegram(username)

    async def _limited(self, chat_id: str) -> bool:
        decision = await self.rate_limiter.hit(f"{CHANNEL}:{chat_id}")
        if decision is Decision.ALLOW:
            return False
        log.info("rate limit %s user=%s", decision.value, hash_id(chat_id))
        if decision is Decision.WARN:
            await self.sender.send_text(chat_id, WARNING_TEXT[self._language(chat_id, None)])
        return True

    def _language(self, chat_id: str, update: Update | None) -> str:
        with self.service.session_factory() as session:
            conversation = session.scalars(
                select(Conversation).where(
                    Conversation.channel == CHANNEL, Conversation.channel_user_id == chat_id
                )
            ).one_or_none()
            if conversation is not None:
                return conversation.language
        user = update.effective_user if update is not None else None
        return mapping.language_of(user.language_code if user else None)

    def _recent_buttons(self, chat_id: str) -> list[Button]:
        with self.service.session_factory() as session:
            found = crud.recent_button_dicts(session=session, channel=CHANNEL, channel_user_id=chat_id, limit=RECENT_BUTTON_MESSAGES)
        return [Button(**b) for b in found]


def _chat_id(update: Update) -> str:
    assert update.effective_chat is not None
    return str(update.effective_chat.id)


def _button_title(message: Any, data: str) -> str | None:
    markup = getattr(message, "reply_markup", None)
    for row in getattr(markup, "inline_keyboard", None) or ():
        for button in row:
            if button.callback_data == data:
                return str(button.text)
    return None
