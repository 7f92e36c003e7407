"""The conversation service: every channel hands user messages to it and gets replies back.

Flow of `handle_user_message`: get-or-create the conversation → drop a repeated platform
message id → store the inbound message → let interceptors absorb it (e.g. an open handoff
ticket) → otherwise ask the engine → map and store the replies → let reply followers add
to them (the news offer) → return them.

Button presses are checked here, for every channel: a text starting with `/` (a Rasa intent
payload, which skips NLU and the fallback thresholds) goes to the engine as a payload only when
it equals the payload of a button the bot offered this conversation recently
(`RECENT_BUTTON_MESSAGES`), or the channel itself made it (`trusted`: Telegram's /taal, /mens,
/verwijder, /stop and its button callbacks). Otherwise the leading slash is removed and the text
is read like any other. A button title shown instead of the text (`display_text`) is kept only
when it is the title of such a button with that payload; the inbox and the chat show the real
text otherwise.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from gateway.core import crud
from gateway.core.config import Settings
from gateway.core.engine import EngineClient, EngineUnavailable
from gateway.core.models import Conversation, Message, utcnow
from gateway.core.schemas import Button, OutgoingMessage, outgoing_from_row
from gateway.core.tenancy import Tenancy
from knowledge import languages
from knowledge.texts import Localized
from redaction.logs import hash_id

log = logging.getLogger(__name__)

LANGUAGES = languages.CODES
APOLOGY = Localized("gateway.engine_unavailable")
# Outgoing messages whose buttons a user may press (as Telegram's short callback keys).
RECENT_BUTTON_MESSAGES = 50
# Payloads anyone may type: a user's rights never depend on a button. "/delete_my_data" only asks
# a question; "/stop" (no more reminders) is answered by the gateway's reminders interceptor.
ALWAYS_ALLOWED_PAYLOADS = frozenset({"/delete_my_data", "/stop"})
ERASE_KIND = "delete_my_data"  # gateway.privacy.erase.KIND: replies after it belong to the erased turn


def untrusted_payload_as_text(text: str) -> str:
    """`/ask_human{"x": 1}` typed by hand → `ask_human{"x": 1}`: read by NLU like any text."""
    return text.lstrip("/").lstrip() or "?"


@dataclass(frozen=True)
class ConversationRef:
    """A detached snapshot of a conversation, safe to pass around outside a DB session."""

    id: str
    channel: str
    channel_user_id: str
    language: str
    municipality: str | None = None  # None until known (gateway/core/tenancy.py)

    @classmethod
    def of(cls, conversation: Conversation) -> ConversationRef:
        return cls(conversation.id, conversation.channel, conversation.channel_user_id, conversation.language,
                   conversation.municipality)

    def with_municipality(self, municipality: str) -> ConversationRef:
        return ConversationRef(self.id, self.channel, self.channel_user_id, self.language, municipality)


@dataclass(frozen=True)
class InboundMessage:
    conversation: ConversationRef
    text: str
    message_id: int
    platform_message_id: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    notices: tuple[OutgoingMessage, ...] = ()  # from text filters, shown before the replies


@dataclass(frozen=True)
class FilteredText:
    """What a text filter returns: the text to store and send on, and notices for the user."""

    text: str
    notices: tuple[OutgoingMessage, ...] = ()


# Rewrites a user's text BEFORE it is stored or sent to the engine (e.g. masks a BSN).
TextFilter = Callable[[str, ConversationRef], FilteredText]


class Interceptor(Protocol):
    """Sees each stored user message before the engine does.

    Return None to let the engine answer; return a list (possibly empty) to absorb the
    message: the engine is not called and the returned messages are sent instead.
    """

    async def __call__(self, inbound: InboundMessage) -> list[OutgoingMessage] | None: ...


class Sender(Protocol):
    """Pushes messages to a channel outside a request/response turn (consultant replies, reminders)."""

    async def send(self, conversation: ConversationRef, messages: list[OutgoingMessage]) -> None: ...


class NullSender:
    """Sender for channels that fetch messages themselves (the web chat polls)."""

    async def send(self, conversation: ConversationRef, messages: list[OutgoingMessage]) -> None:
        return None


@dataclass
class PayloadContext:
    """What a payload handler gets: the conversation and a way to store messages early."""

    service: ConversationService
    conversation: ConversationRef

    def store(self, message: OutgoingMessage) -> OutgoingMessage:
        return self.service.store_outgoing(self.conversation.id, [message])[0]

    def update(self, message: OutgoingMessage) -> None:
        self.service.update_outgoing(message)


PayloadHandler = Callable[[PayloadContext, dict[str, Any]], Awaitable[list[OutgoingMessage]]]
# Sees the stored replies of an engine turn and returns messages to add after them (e.g. the
# one-time news offer after an FAQ answer); not called when an interceptor absorbed the turn.
ReplyFollower = Callable[[ConversationRef, list[OutgoingMessage]], Awaitable[list[OutgoingMessage]]]


class ConversationService:
    def __init__(
        self, *, settings: Settings, session_factory: sessionmaker[Session], engine: EngineClient
    ) -> None:
        self.settings = settings
        self.session_factory = session_factory
        self.engine = engine
        self.tenancy = Tenancy.from_settings(settings)  # the municipalities; who belongs where
        self.interceptors: list[Interceptor] = []
        self.text_filters: list[TextFilter] = []
        self._payload_handlers: dict[str, PayloadHandler] = {}
        self._senders: dict[str, Sender] = {}
        self.reply_followers: list[ReplyFollower] = []

    # -- registries -----------------------------------------------------------------
    def register_payload_handler(self, kind: str, handler: PayloadHandler) -> None:
        """Handle custom bot payloads `{"custom": {"wegwijs": {"type": kind, ...}}}`.

        One handler per kind: registering a second one is a wiring mistake, not a replacement."""
        if kind in self._payload_handlers:
            raise ValueError(f"a payload handler for {kind!r} is already registered")
        self._payload_handlers[kind] = handler

    def wire(
        self,
        *,
        text_filters: Sequence[TextFilter] = (),
        interceptors: Sequence[Interceptor] = (),
        payload_handlers: Mapping[str, PayloadHandler] | None = None,
        senders: Mapping[str, Sender] | None = None,
        reply_followers: Sequence[ReplyFollower] = (),
    ) -> None:
        """Register the gateway's parts in the order given (`channels.app.wire` is the one caller).

        Interceptors see every inbound message first to last; the first that absorbs it ends
        the turn before the engine is asked."""
        self.text_filters.extend(text_filters)
        self.interceptors.extend(interceptors)
        for kind, handler in (payload_handlers or {}).items():
            self.register_payload_handler(kind, handler)
        self.reply_followers.extend(reply_followers)
        for channel, sender in (senders or {}).items():
            self.register_sender(channel, sender)

    def register_sender(self, channel: str, sender: Sender) -> None:
        self._senders[channel] = sender

    # -- turns ----------------------------------------------------------------------
    async def handle_user_message(
        self,
        *,
        channel: str,
        channel_user_id: str,
        text: str,
        platform_message_id: str | None = None,
        metadata: dict[str, Any] | None = None,
        display_text: str | None = None,
        trusted: bool = False,
        municipality: str | None = None,
        channel_data: dict[str, Any] | None = None,
    ) -> list[OutgoingMessage]:
        """Handle one user message and return the messages to show (already stored).

        `municipality` is the channel's decision (web chat address or widget, WhatsApp number,
        Telegram bot): stored while the conversation has none yet; the user's choice is never
        overwritten by it. The engine gets the conversation's municipality as `metadata.municipality`.
        `channel_data` is kept with the stored message (`payload.data`) for the channel itself
        (WhatsApp: the municipality's own number it arrived on).

        `display_text` is what the user saw (a button title) when `text` is a button payload.
        `trusted`: the channel made `text` itself (a command it translated, a button callback it
        resolved), so a payload is not checked against the offered buttons.
        A repeated `platform_message_id` returns [] without calling the engine.
        """
        metadata = dict(metadata or {})
        inbound = self._store_inbound(
            channel=channel,
            channel_user_id=channel_user_id,
            text=text,
            platform_message_id=platform_message_id,
            metadata=metadata,
            display_text=display_text,
            trusted=trusted,
            municipality=municipality if self.tenancy.known(municipality) else None,
            channel_data=channel_data,
        )
        if inbound is None:
            log.info("duplicate message dropped channel=%s user=%s", channel, hash_id(channel_user_id))
            return []
        conversation = inbound.conversation
        text = inbound.text  # after the text filters
        notices = self.store_outgoing(conversation.id, list(inbound.notices)) if inbound.notices else []
        # what the engine fills answers by; an interceptor that decides it (tenancy) updates it
        metadata["municipality"] = self.tenancy.or_default(conversation.municipality)

        for interceptor in self.interceptors:
            absorbed = await interceptor(inbound)
            if absorbed is not None:
                return notices + self.store_outgoing(conversation.id, absorbed)
        return notices + await self.answer(conversation, text, metadata)

    async def answer(
        self, conversation: ConversationRef, text: str, metadata: dict[str, Any]
    ) -> list[OutgoingMessage]:
        """Ask the engine about a stored user message and return its replies (stored). Also used
        by the tenancy gate for the first message that waited for the municipality."""
        metadata = {**metadata, "channel": conversation.channel}
        metadata.setdefault("municipality", self.tenancy.or_default(conversation.municipality))
        try:
            replies = await self.engine.send(conversation.id, text, metadata)
        except EngineUnavailable:
            log.warning("engine unavailable conversation=%s", hash_id(conversation.id))
            apology = OutgoingMessage(text=APOLOGY.get(conversation.language, APOLOGY["nl"]), sender="system")
            return self.store_outgoing(conversation.id, [apology])
        if not replies:
            # Rasa answers 200 with nothing when a custom action failed (action server down or
            # broken). A handoff pause cannot be the cause here: while a ticket is open the inbox
            # interceptor absorbs the message before the engine is asked.
            log.warning("engine returned no reply conversation=%s", hash_id(conversation.id))
            apology = OutgoingMessage(text=APOLOGY.get(conversation.language, APOLOGY["nl"]), sender="system")
            return self.store_outgoing(conversation.id, [apology])

        # The replies are stored together (one transaction), in order, so their ids follow the
        # order of the replies. A payload handler may store messages itself (ctx.store), so the
        # replies before it are stored first.
        messages: list[OutgoingMessage] = []
        pending: list[OutgoingMessage] = []
        for index, reply in enumerate(replies):
            plain = self._plain_message(reply)
            if plain is not None:
                pending.append(plain)
            custom = reply.get("custom")
            wegwijs = custom.get("wegwijs") if isinstance(custom, dict) else None
            if isinstance(wegwijs, dict):
                if pending:
                    messages.extend(self.store_outgoing(conversation.id, pending))
                    pending = []
                pending.extend(await self._dispatch_custom(conversation, wegwijs))
                if wegwijs.get("type") == ERASE_KIND:
                    # The conversation was just erased (and started afresh): the erase removed what
                    # came before, and what the engine said after it belongs to the erased turn
                    # (e.g. a fallback "Sorry, ..."): only the confirmation is shown.
                    messages = [m for m in messages if m.sender != "bot"]
                    if index + 1 < len(replies):
                        log.info("replies after the erase dropped conversation=%s n=%d",
                                 hash_id(conversation.id), len(replies) - index - 1)
                    break
        if pending:
            messages.extend(self.store_outgoing(conversation.id, pending))
        for follower in self.reply_followers:
            extra = await follower(conversation, messages)
            if extra:
                messages.extend(self.store_outgoing(conversation.id, extra))
        return messages

    async def deliver(self, conversation_id: str, messages: list[OutgoingMessage]) -> list[OutgoingMessage]:
        """Store messages produced outside a user turn and push them through the channel's Sender."""
        conversation = self._conversation_ref(conversation_id)
        stored = self.store_outgoing(conversation_id, messages)
        sender = self._senders.get(conversation.channel)
        if sender is None:
            log.warning("no sender registered for channel=%s; messages stored only", conversation.channel)
        else:
            await sender.send(conversation, stored)
        return stored

    # -- storage --------------------------------------------------------------------
    def store_outgoing(self, conversation_id: str, messages: list[OutgoingMessage]) -> list[OutgoingMessage]:
        """Store messages that have no id yet (one transaction); returns them all with ids, in order."""
        new = [
            {"conversation_id": conversation_id, "direction": "out", "sender": message.sender,
             "text": message.text, "payload": message.to_payload()}
            for message in messages
            if message.id is None
        ]
        if not new:
            return list(messages)
        with self.session_factory() as session:
            ids = iter(crud.insert_messages(session=session, rows=new))
            session.commit()
        return [message if message.id is not None else message.model_copy(update={"id": next(ids)})
                for message in messages]

    def update_outgoing(self, message: OutgoingMessage) -> None:
        """Rewrite a stored message's text and payload (e.g. a URL that needs the message id)."""
        assert message.id is not None
        with self.session_factory() as session:
            row = session.get(Message, message.id)
            if row is None:
                raise LookupError(f"message {message.id} not found")
            row.text = message.text
            row.payload = message.to_payload()
            session.commit()

    def stored_message(self, message_id: int) -> OutgoingMessage | None:
        with self.session_factory() as session:
            row = session.get(Message, message_id)
            return None if row is None else outgoing_from_row(row)

    def set_municipality(self, conversation_id: str, municipality: str) -> None:
        """The conversation belongs to `municipality` from now on (a known one; else nothing changes)."""
        if not self.tenancy.known(municipality):
            return
        with self.session_factory() as session:
            crud.set_municipality(session=session, conversation_id=conversation_id, municipality=municipality)
            session.commit()

    def stored_inbound_text(self, message_id: int) -> str | None:
        """The stored text of a user's message (after the text filters), or None."""
        with self.session_factory() as session:
            row = session.get(Message, message_id)
            return row.text if row is not None and row.direction == "in" else None

    def latest_message_data(
        self, conversation_id: str, key: str, *, limit: int = 20, direction: str = "out"
    ) -> dict[str, Any] | None:
        """`data` of the conversation's latest message (outgoing, or `direction`) whose data has
        `key`, among its last `limit` messages of that direction; or None."""
        with self.session_factory() as session:
            payloads = crud.recent_payloads(
                session=session, conversation_id=conversation_id, limit=limit, direction=direction
            )
        for payload in payloads:
            data = (payload or {}).get("data")
            if isinstance(data, dict) and key in data:
                return data
        return None

    def set_language(self, conversation_id: str, language: str) -> None:
        if language not in LANGUAGES:
            return
        with self.session_factory() as session:
            conversation = crud.get_conversation(session=session, conversation_id=conversation_id)
            if conversation is not None and conversation.language != language:
                conversation.language = language
                session.commit()

    # -- internals ------------------------------------------------------------------
    def _conversation_ref(self, conversation_id: str) -> ConversationRef:
        with self.session_factory() as session:
            conversation = crud.get_conversation(session=session, conversation_id=conversation_id)
            if conversation is None:
                raise LookupError(f"conversation {conversation_id} not found")
            return ConversationRef.of(conversation)

    def _store_inbound(
        self,
        *,
        channel: str,
        channel_user_id: str,
        text: str,
        platform_message_id: str | None,
        metadata: dict[str, Any],
        display_text: str | None,
        trusted: bool = False,
        municipality: str | None = None,
        channel_data: dict[str, Any] | None = None,
    ) -> InboundMessage | None:
        with self.session_factory() as session:
            key: tuple[str, str, str | None] | None = crud.conversation_key(
                session=session, channel=channel, channel_user_id=channel_user_id
            )
            if key is None:
                created = crud.get_or_create_conversation(
                    session=session, channel=channel, channel_user_id=channel_user_id
                )
                key = (created.id, created.language, created.municipality)
            conversation_id, language, current_municipality = key
            if current_municipality is None and municipality is not None:  # the channel decides once
                crud.set_municipality(session=session, conversation_id=conversation_id, municipality=municipality)
                current_municipality = municipality
            new_language = metadata.get("lang")
            if new_language in LANGUAGES and new_language != language:
                language = new_language
            else:
                new_language = None
            conversation = ConversationRef(conversation_id, channel, channel_user_id, language, current_municipality)
            if not trusted:
                text, display_text = self._checked_button_press(session, conversation_id, text, display_text)
            notices: list[OutgoingMessage] = []
            for text_filter in self.text_filters:
                filtered = text_filter(text, conversation)
                text = filtered.text
                notices.extend(filtered.notices)
            now = utcnow()
            try:
                # No lookup of the platform id first: the unique constraint on (conversation,
                # platform id) refuses a repeat, also one that arrives concurrently.
                crud.touch_conversation(
                    session=session, conversation_id=conversation_id, last_user_message_at=now,
                    language=new_language,
                )
                [message_id] = crud.insert_messages(session=session, rows=[{
                    "conversation_id": conversation_id,
                    "direction": "in",
                    "sender": "user",
                    "text": text,
                    "payload": {**({"display_text": display_text} if display_text else {}),
                                **({"data": channel_data} if channel_data else {})} or None,
                    "platform_message_id": platform_message_id,
                    "created_at": now,
                }])
                session.commit()  # before the engine is asked: a stored message is never lost
            except IntegrityError:
                session.rollback()
                if platform_message_id is not None and crud.has_platform_message(
                    session=session, conversation_id=conversation_id, platform_message_id=platform_message_id
                ):
                    return None
                raise
            return InboundMessage(
                conversation=conversation,
                text=text,
                message_id=message_id,
                platform_message_id=platform_message_id,
                metadata=metadata,
                notices=tuple(notices),
            )

    @staticmethod
    def _checked_button_press(
        session: Session, conversation_id: str, text: str, display_text: str | None
    ) -> tuple[str, str | None]:
        """(text, display_text) as far as the bot's recent buttons vouch for them (see module doc)."""
        is_payload = text.startswith("/")
        if not is_payload and not display_text:
            return text, None
        buttons = crud.recent_buttons_of_conversation(
            session=session, conversation_id=conversation_id, limit=RECENT_BUTTON_MESSAGES
        )
        offered = [b for b in buttons if str(b.get("payload", "")) == text]
        if is_payload and not offered and text not in ALWAYS_ALLOWED_PAYLOADS:
            log.info("payload not offered to this conversation; read as text conversation=%s",
                     hash_id(conversation_id))
            text = untrusted_payload_as_text(text)
        if display_text and not any(str(b.get("title", "")) == display_text for b in offered):
            display_text = None  # the stored and shown text is then the real one
        return text, display_text

    @staticmethod
    def _plain_message(reply: dict[str, Any]) -> OutgoingMessage | None:
        """Text, buttons and image of one Rasa reply, or None when it has none of them."""
        text = reply.get("text")
        buttons = [
            Button(title=str(b.get("title", "")), payload=str(b.get("payload", "")))
            for b in reply.get("buttons") or []
            if isinstance(b, dict)
        ]
        image = reply.get("image") if isinstance(reply.get("image"), str) else None
        if not (text or buttons or image):
            return None
        return OutgoingMessage(text=text, buttons=buttons, image_url=image)

    async def _dispatch_custom(
        self, conversation: ConversationRef, data: dict[str, Any]
    ) -> list[OutgoingMessage]:
        language = data.get("lang")
        if language in LANGUAGES and language != conversation.language:
            self.set_language(conversation.id, language)
            conversation = ConversationRef(
                conversation.id, conversation.channel, conversation.channel_user_id, language,
                conversation.municipality,
            )
        kind = data.get("type")
        handler = self._payload_handlers.get(kind) if isinstance(kind, str) else None
        if handler is None:
            if kind != "language":
                log.warning("no handler for custom payload type=%r", kind)
            return []
        return await handler(PayloadContext(service=self, conversation=conversation), data)
