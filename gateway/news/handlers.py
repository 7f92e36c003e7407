"""Where news meets the conversation: the one-time offer, the subscribe button, the words.

The offer ("Wilt u nieuws van uw gemeente ontvangen?" with one button) is shown once per
conversation, after its first FAQ answer, and only when the conversation's municipality is known
(`NewsOffer`, a reply follower: the engine's answers carry no marker, so an FAQ answer is
recognised by its related-topic buttons, `/choose_topic{...}`, together with its source link; the
topic menu and "did you mean" questions have no link). Not after a deadline answer: that one already offers reminders and
check-ins. A person who ignored the offer or stopped is not asked again; the words and commands
work at any time.

The button's payload is a gateway command, `/wegwijs_news{"on": true}`; `NewsCommands` (an
interceptor right after the reminders') answers it and the words of `knowledge/chatwords.yml`
(`news_on`: "nieuws aan", "/nieuws"; `news_off`: "stop nieuws", "/stopnieuws"), so the engine
never sees them.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from gateway.core.conversation import ConversationRef, InboundMessage
from gateway.core.schemas import Button, OutgoingMessage
from gateway.news.service import NewsService
from gateway.news.texts import (
    ALREADY_SUBSCRIBED,
    NO_MUNICIPALITY,
    NOT_SUBSCRIBED,
    OFFER,
    OFFER_BUTTON,
    STOPPED,
    SUBSCRIBED,
    lang_of,
    municipality_name,
)
from knowledge import chatwords

log = logging.getLogger(__name__)

COMMAND = "/wegwijs_news"
FAQ_BUTTON_PREFIX = "/choose_topic"
_BOT_SUFFIX = re.compile(r"^(/\w+)@\w+")  # Telegram's "/nieuws@wegwijs_bot"


def command_payload(on: bool = True) -> str:
    return COMMAND + json.dumps({"on": on})


def parse_command(text: str) -> dict[str, Any] | None:
    text = text.strip()
    if not text.startswith(COMMAND):
        return None
    try:
        data = json.loads(text[len(COMMAND):] or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def wants(text: str) -> str | None:
    """"on", "off" or None for a message that is no news command."""
    command = parse_command(text)
    if command is not None:
        return "off" if command.get("on") is False else "on"
    text = _BOT_SUFFIX.sub(r"\1", text.strip())
    if chatwords.is_news_off(text):
        return "off"
    if chatwords.is_news_on(text):
        return "on"
    return None


def is_faq_answer(message: OutgoingMessage) -> bool:
    """An FAQ answer: related-topic buttons and its source link (menus and "did you mean" have no link)."""
    payloads = [b.payload for b in message.buttons]
    return (
        message.sender == "bot"
        and any(p.startswith(FAQ_BUTTON_PREFIX) for p in payloads)
        and "https://" in (message.text or "")
    )


class NewsCommands:
    """Interceptor: the subscribe button, "nieuws aan", "stop nieuws" and their equivalents."""

    def __init__(self, news: NewsService) -> None:
        self.news = news

    async def __call__(self, inbound: InboundMessage) -> list[OutgoingMessage] | None:
        choice = wants(inbound.text)
        if choice is None:
            return None
        lang = lang_of(inbound.conversation.language)
        conversation_id = inbound.conversation.id
        if choice == "off":
            text = STOPPED[lang] if self.news.stop(conversation_id) else NOT_SUBSCRIBED[lang]
            return [OutgoingMessage(text=text, sender="system")]
        result = self.news.subscribe(conversation_id)
        if result.outcome == "no_municipality" or result.municipality is None:
            return [OutgoingMessage(text=NO_MUNICIPALITY[lang], sender="system")]
        template = SUBSCRIBED if result.outcome == "subscribed" else ALREADY_SUBSCRIBED
        return [OutgoingMessage(text=template[lang].format(municipality=municipality_name(result.municipality)), sender="system")]


def offer(news: NewsService, conversation: ConversationRef, lang: str | None = None) -> OutgoingMessage | None:
    """The offer, when this conversation has a municipality and never saw it (recorded now)."""
    if news.municipality_of(conversation.id) is None or not news.mark_offered(conversation.id):
        return None
    lang = lang_of(lang, conversation.language)
    return OutgoingMessage(text=OFFER[lang], buttons=[Button(title=OFFER_BUTTON[lang], payload=command_payload())])


class NewsOffer:
    """Reply follower: after the conversation's first FAQ answer, offer news once."""

    def __init__(self, news: NewsService) -> None:
        self.news = news

    async def __call__(self, conversation: ConversationRef, replies: list[OutgoingMessage]) -> list[OutgoingMessage]:
        if not any(is_faq_answer(m) for m in replies):
            return []
        found = offer(self.news, conversation)
        return [found] if found is not None else []
