"""The WhatsApp channel: handles webhook messages and sends replies, respecting the 24-hour rule.

WhatsApp allows free-form messages only within 24 hours after the user's last message
(`Conversation.last_user_message_at`). A message delivered later (a regievoerder's reply, a
reminder) is stored with a pending flag and the user gets the approved template
(`WEGWIJS_WHATSAPP_TEMPLATE_NAME`: "Uw regievoerder heeft gereageerd, stuur een bericht om het
te lezen"; other messages such as reminders use `WEGWIJS_WHATSAPP_NOTICE_TEMPLATE_NAME`). When the user writes back, pending messages are sent first.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select

from channels.whatsapp import mapping
from channels.whatsapp.client import GraphClient, WhatsAppError
from channels.whatsapp.mapping import CHANNEL, Inbound
from gateway.core import crud
from gateway.core.config import Settings
from gateway.core.conversation import ConversationRef, ConversationService
from gateway.core.local_media import MediaUnavailable, load_local_media
from gateway.core.models import Conversation, Message, utcnow
from gateway.core.ratelimit import WARNING_TEXT, Decision, RateLimiter, make_rate_limiter
from gateway.core.schemas import Button, OutgoingMessage
from knowledge import languages
from redaction.logs import hash_id

log = logging.getLogger(__name__)

SERVICE_WINDOW = timedelta(hours=24)
PENDING_KEY = "whatsapp_pending"
NUMBER_KEY = "whatsapp_number"  # in a user message's data: the municipality's own number it came in on
RECENT_MESSAGES = 200  # where pending messages and short button keys are looked up


class WhatsAppChannel:
    """Implements the conversation service's `Sender` for WhatsApp (wa_id = channel user id)."""

    def __init__(
        self,
        *,
        settings: Settings,
        service: ConversationService,
        asgi_app: Any,
        rate_limiter: RateLimiter,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self.service = service
        self.asgi_app = asgi_app
        self.rate_limiter = rate_limiter
        self.client = GraphClient(settings, transport=transport)
        self.phone_number_id = str(settings.whatsapp_phone_number_id)  # shared, unless a municipality names it
        # every number we answer on: the configured one and the municipalities' own numbers
        self.numbers = {self.phone_number_id, *service.tenancy.whatsapp_numbers()}

    @classmethod
    async def start(cls, asgi_app: Any, service: ConversationService) -> WhatsAppChannel | None:
        """Start the channel when WhatsApp is configured; registers the Sender."""
        settings: Settings = service.settings
        if not settings.whatsapp_enabled:
            return None
        for name in ("httpx", "httpcore"):  # request URLs and traces stay out of the logs
            logging.getLogger(name).setLevel(logging.WARNING)
        limiter = make_rate_limiter(
            limit=settings.channel_rate_limit_per_minute, redis_url=settings.redis_url
        )
        channel = cls(settings=settings, service=service, asgi_app=asgi_app, rate_limiter=limiter)
        service.register_sender(CHANNEL, channel)
        return channel

    async def stop(self) -> None:
        await self.client.aclose()
        await self.rate_limiter.aclose()

    # -- inbound --------------------------------------------------------------------------
    async def process(self, body: dict[str, Any]) -> None:
        """Handle a verified webhook body (runs after the webhook was acknowledged)."""
        for inbound in mapping.parse_webhook(body, self.numbers):
            try:
                await self.handle(inbound)
            except Exception as exc:  # noqa: BLE001 - one bad message must not stop the others
                log.error("whatsapp message failed user=%s: %s", hash_id(inbound.wa_id), type(exc).__name__)

    async def handle(self, inbound: Inbound) -> None:
        wa_id = inbound.wa_id
        number = inbound.phone_number_id or None  # replies go out from the number written to
        if await self._limited(wa_id, number):
            return
        if inbound.text is None:
            await self._send_text(wa_id, mapping.UNSUPPORTED_TEXT[self._language(wa_id)], number)
            return
        text = inbound.text
        if inbound.is_button:
            resolved = mapping.resolve_reply_id(text, self._recent_buttons(wa_id))
            if resolved is None:
                await self._send_text(wa_id, mapping.EXPIRED_BUTTON_TEXT[self._language(wa_id)], number)
                return
            text = resolved
        await self._mark_read(inbound.message_id, number)
        replies = await self.service.handle_user_message(
            channel=CHANNEL,
            channel_user_id=wa_id,
            text=text,
            platform_message_id=inbound.message_id,
            display_text=inbound.display_text,
            trusted=inbound.is_button,  # a reply id we set on a button we sent (signed webhook)
            # the number's municipality; on a shared number None: the gateway asks (tenancy)
            municipality=self.service.tenancy.for_whatsapp(inbound.phone_number_id or self.phone_number_id),
            # a municipality's own number: remembered, so that later messages go out from it too
            channel_data={NUMBER_KEY: number} if number and number != self.phone_number_id else None,
        )
        conversation = self._conversation(wa_id)
        if conversation is None:
            return
        await self.flush_pending(conversation, number=number)
        await self.send_messages(wa_id, replies, conversation.language, number=number)

    def number_for(self, conversation: ConversationRef) -> str:
        """The number to write from outside a user turn: the one the user last wrote to (a
        municipality's own number is kept with the message), else the configured number."""
        data = self.service.latest_message_data(conversation.id, NUMBER_KEY, limit=1, direction="in")
        number = str((data or {}).get(NUMBER_KEY) or "")
        return number if number in self.numbers else self.phone_number_id

    def template_language(self, language: str) -> str:
        """WhatsApp's code for the user's language when its template was approved, else the default."""
        approved = {code.strip() for code in self.settings.whatsapp_template_languages.split(",")}
        if language in approved and language in languages.CODES:
            return languages.info(language)["whatsapp_code"]
        return self.settings.whatsapp_template_language

    # -- Sender ---------------------------------------------------------------------------
    async def send(self, conversation: ConversationRef, messages: list[OutgoingMessage]) -> None:
        """Deliver outside a user turn: free-form within 24 h, else template + pending."""
        number = self.number_for(conversation)
        if self.within_service_window(conversation.id):
            await self.send_messages(conversation.channel_user_id, messages, conversation.language, number=number)
            return
        for message in messages:
            if message.id is not None:
                self.service.update_outgoing(
                    message.model_copy(update={"data": {**(message.data or {}), PENDING_KEY: True}})
                )
        # a regievoerder's reply gets "Uw regievoerder heeft gereageerd..."; other messages
        # (reminders) the neutral notice template
        from_consultant = any(m.sender == "consultant" for m in messages)
        name = (
            self.settings.whatsapp_template_name
            if from_consultant
            else self.settings.whatsapp_notice_template_name
        )
        body = mapping.template_body(
            conversation.channel_user_id, name, self.template_language(conversation.language)
        )
        try:
            await self.client.send(body, phone_number_id=number)
            log.info(
                "whatsapp: outside the 24h window, template sent user=%s",
                hash_id(conversation.channel_user_id),
            )
        except WhatsAppError as exc:
            log.warning("whatsapp template failed user=%s: %s", hash_id(conversation.channel_user_id), exc)

    def within_service_window(self, conversation_id: str) -> bool:
        with self.service.session_factory() as session:
            conversation = session.get(Conversation, conversation_id)
            last = conversation.last_user_message_at if conversation is not None else None
        return last is not None and utcnow() - last < SERVICE_WINDOW

    async def flush_pending(self, conversation: ConversationRef, *, number: str | None = None) -> None:
        """Send messages that waited for the user to write back, oldest first."""
        with self.service.session_factory() as session:
            statement = (
                select(Message.id, Message.payload)
                .where(Message.conversation_id == conversation.id, Message.direction == "out")
                .order_by(Message.id.desc())
                .limit(RECENT_MESSAGES)
            )
            pending_ids = [
                row.id
                for row in session.execute(statement)
                if ((row.payload or {}).get("data") or {}).get(PENDING_KEY)
            ]
        for message_id in reversed(pending_ids):
            message = self.service.stored_message(message_id)
            if message is None:
                continue
            if await self._send_one(conversation.channel_user_id, message, conversation.language, number):
                data = {k: v for k, v in (message.data or {}).items() if k != PENDING_KEY}
                self.service.update_outgoing(message.model_copy(update={"data": data or None}))

    # -- outbound -------------------------------------------------------------------------
    async def send_messages(
        self, wa_id: str, messages: list[OutgoingMessage], language: str = "nl", *, number: str | None = None
    ) -> None:
        for message in messages:
            await self._send_one(wa_id, message, language, number)

    async def _send_one(self, wa_id: str, message: OutgoingMessage, language: str, number: str | None = None) -> bool:
        try:
            for body in await self._bodies(wa_id, message, language, number):
                await self.client.send(body, phone_number_id=number)
        except (WhatsAppError, MediaUnavailable) as exc:
            log.warning("whatsapp send failed user=%s: %s", hash_id(wa_id), exc)
            return False
        return True

    async def _bodies(
        self, wa_id: str, message: OutgoingMessage, language: str, number: str | None = None
    ) -> list[dict[str, Any]]:
        bodies: list[dict[str, Any]] = []
        text = message.text or ""
        buttons = message.buttons
        url = message.image_url or message.document_url
        if url:
            kind = "image" if message.image_url else "document"
            caption = text if 0 < len(text) <= mapping.CAPTION_LIMIT and not buttons else None
            media = await load_local_media(self.asgi_app, self.settings.public_base, url)
            filename = message.document_name or (media.filename if media else None)
            if media is not None:
                media_type = mapping.upload_media_type(media.media_type, media.filename)
                media_id = await self.client.upload(
                    media.content, media_type, filename or media.filename, phone_number_id=number
                )
                bodies.append(
                    mapping.media_body(wa_id, kind, media_id=media_id, caption=caption, filename=filename)
                )
            else:
                bodies.append(mapping.media_body(wa_id, kind, link=url, caption=caption, filename=filename))
            if caption or not (text or buttons):
                return bodies
        if buttons:
            if len(text) > mapping.INTERACTIVE_BODY_LIMIT:
                bodies.extend(mapping.text_body(wa_id, part) for part in _split(text))
                text = ""
            body_text = text or mapping.CHOOSE_TEXT.get(language, mapping.CHOOSE_TEXT["nl"])
            bodies.append(mapping.interactive_body(wa_id, body_text, buttons, language))
        elif text:
            bodies.extend(mapping.text_body(wa_id, part) for part in _split(text))
        return bodies

    async def _send_text(self, wa_id: str, text: str, number: str | None = None) -> None:
        try:
            await self.client.send(mapping.text_body(wa_id, text), phone_number_id=number)
        except WhatsAppError as exc:
            log.warning("whatsapp send failed user=%s: %s", hash_id(wa_id), exc)

    async def _mark_read(self, message_id: str, number: str | None = None) -> None:
        """Blue ticks plus the typing indicator while the engine answers (best effort)."""
        body = {
            "messaging_product": "whatsapp",
            "status": "read",
            "message_id": message_id,
            "typing_indicator": {"type": "text"},
        }
        try:
            await self.client.send(body, phone_number_id=number)
        except WhatsAppError as exc:
            log.info("whatsapp mark-as-read failed: %s", exc)

    # -- helpers --------------------------------------------------------------------------
    async def _limited(self, wa_id: str, number: str | None = None) -> bool:
        decision = await self.rate_limiter.hit(f"{CHANNEL}:{wa_id}")
        if decision is Decision.ALLOW:
            return False
        log.info("rate limit %s user=%s", decision.value, hash_id(wa_id))
        if decision is Decision.WARN:
            await self._send_text(wa_id, WARNING_TEXT[self._language(wa_id)], number)
        return True

    def _conversation(self, wa_id: str) -> ConversationRef | None:
        with self.service.session_factory() as session:
            conversation = session.scalars(
                select(Conversation).where(
                    Conversation.channel == CHANNEL, Conversation.channel_user_id == wa_id
                )
            ).one_or_none()
            return ConversationRef.of(conversation) if conversation is not None else None

    def _language(self, wa_id: str) -> str:
        conversation = self._conversation(wa_id)
        return conversation.language if conversation is not None else "nl"

    def _recent_buttons(self, wa_id: str) -> list[Button]:
        with self.service.session_factory() as session:
            found = crud.recent_button_dicts(session=session, channel=CHANNEL, channel_user_id=wa_id, limit=RECENT_MESSAGES)
        return [Button(**b) for b in found]


def _split(text: str) -> list[str]:
    parts, rest = [], text
    while len(rest) > mapping.TEXT_LIMIT:
        cut = rest.rfind("\n", 0, mapping.TEXT_LIMIT)
        cut = cut if cut > 0 else mapping.TEXT_LIMIT
        parts.append(rest[:cut])
        rest = rest[cut:].lstrip("\n")
    return parts + ([rest] if rest else [])
