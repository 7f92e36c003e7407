"""Which municipality a conversation belongs to (issue #15), decided by the gateway.

One deployment serves every municipality in knowledge/municipalities/. A conversation's
municipality is decided, in this order:

1. **the channel it arrives on** (the channel passes it to `handle_user_message(municipality=)`;
   it is stored only while the conversation has none yet):
   - web chat: the address `/chat/<slug>` (`kanalen.webchat`, by default the id), or the
     embedded widget's `data-municipality` attribute (sent with every message); `/` and `/chat`
     belong to the deployment's default (`WEGWIJS_MUNICIPALITY`);
   - WhatsApp: the phone number id the message arrived on (`kanalen.whatsapp_phone_number_id`);
   - Telegram: the bot (`kanalen.telegram_bot`, its username), or `WEGWIJS_TELEGRAM_MUNICIPALITY`;
   - a number or bot of no municipality (a *shared* one) belongs to the default, unless
     `WEGWIJS_ASK_MUNICIPALITY=true`: then the conversation has none yet, and
2. **the gateway asks once** ("In welke gemeente woont u?", with a button per municipality):
   the `TenancyGate` interceptor keeps the user's first message, reads the answer with fuzzy
   matching on the municipalities' names and their `plaatsen` (rapidfuzz), and then answers the
   first message. It never asks again once the municipality is known;
3. **the user corrects it** at any time: "ik woon in Dijkzicht", "I live in …", "…'da
   oturuyorum", "أسكن في …", "moro em …" (the words: knowledge/chatwords.yml, `lives_in`).

Every message to the engine carries `metadata.municipality` (the conversation's, else the default).
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rapidfuzz import fuzz

from gateway.core.config import Settings
from gateway.core.schemas import Button, OutgoingMessage
from knowledge import chatwords, loader
from knowledge.loader import Municipality
from knowledge.texts import text as catalogue_text
from redaction.logs import hash_id

if TYPE_CHECKING:
    from gateway.core.conversation import ConversationService, InboundMessage

log = logging.getLogger(__name__)

DOMAIN = "tenancy"
# The payload of a municipality button: "/municipality:rivierdam" (absorbed by the gate).
CHOICE_PREFIX = "/municipality:"
# `data` of the stored question: {QUESTION_KEY: <id of the user's first message>, "attempt": n}
QUESTION_KEY = "municipality_question"
# After this many answers that name no municipality, the default is assumed (and said so).
MAX_ATTEMPTS = 3
# How similar (0-100, rapidfuzz ratio on folded text) a typed name must be to a municipality's
# name or one of its places: "Rivierdm" 94, "heidebek" 94, "Zandhoef" 82, "Rotterdam" 67.
MATCH_THRESHOLD = 80
# An answer to "which municipality?" is a name, not a sentence: longer texts are not matched.
MAX_ANSWER_WORDS = 6
# "ik woon in <place>": a place of at most this many words; more words are a question about it
SHORT_PLACE_WORDS = 3
_WORD = re.compile(r"\w+")
_SUFFIX = re.compile(r"['’‘`]\w*")  # Turkish case endings: "Rivierdam'da", "Heidebeek'te"


def _fold(text: str) -> str:
    """Folded words (chatwords.fold: case, accents, Arabic letter variants), single-spaced."""
    return " ".join(_WORD.findall(chatwords.fold(_SUFFIX.sub("", text or ""))))



@functools.lru_cache(maxsize=1)
def _statement_phrases() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """("ik woon in", ...) said before the place, ("oturuyorum", ...) after it; longest first."""
    before = {_fold(w) for w in chatwords.words("lives_in")} - {""}
    after = {_fold(w) for w in chatwords.words("lives_in_after")} - {""}
    return tuple(sorted(before, key=len, reverse=True)), tuple(sorted(after, key=len, reverse=True))


@dataclass(frozen=True)
class Tenancy:
    """The municipalities this deployment serves and how a conversation is assigned to one."""

    municipalities: Mapping[str, Municipality]
    default: str
    ask: bool = False
    telegram_municipality: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings, municipalities: Mapping[str, Municipality] | None = None) -> Tenancy:
        found = dict(municipalities if municipalities is not None else loader.municipalities())
        default = settings.municipality if settings.municipality in found or not found else next(iter(found))
        telegram = settings.telegram_municipality if settings.telegram_municipality in found else None
        return cls(municipalities=found, default=default, ask=settings.ask_municipality,
                   telegram_municipality=telegram)

    # -- about one municipality --------------------------------------------------------------
    def known(self, municipality: str | None) -> bool:
        return municipality is not None and municipality in self.municipalities

    def get(self, municipality: str | None) -> Municipality | None:
        """The municipality (the default when None or unknown); None only without any files."""
        found = self.municipalities.get(municipality or "") or self.municipalities.get(self.default)
        return found

    def name(self, municipality: str | None) -> str:
        found = self.get(municipality)
        return found.naam if found is not None else (municipality or self.default).capitalize()

    def or_default(self, municipality: str | None) -> str:
        return municipality if municipality is not None and self.known(municipality) else self.default

    # -- decided by the channel --------------------------------------------------------------
    def by_webchat(self, slug: str) -> str | None:
        """The municipality whose web chat address is /chat/<slug> (case-insensitive), or None."""
        wanted = slug.strip().lower()
        for municipality in self.municipalities.values():
            if wanted in (_webchat_slug(municipality).lower(), municipality.id.lower()):
                return municipality.id
        return None

    def webchat_slug(self, municipality: str) -> str:
        found = self.get(municipality)
        return _webchat_slug(found) if found is not None else municipality

    def whatsapp_numbers(self) -> dict[str, str]:
        """Phone number id -> municipality, for the municipalities with a WhatsApp number of their own."""
        numbers: dict[str, str] = {}
        for municipality in self.municipalities.values():
            number = str(municipality.kanalen.get("whatsapp_phone_number_id") or "").strip()
            if number:
                numbers[number] = municipality.id
        return numbers

    def for_whatsapp(self, phone_number_id: str) -> str | None:
        """The number's municipality; on a shared number None (ask) or the default (see module doc)."""
        return self.whatsapp_numbers().get(phone_number_id) or self.shared()

    def for_telegram(self, bot_username: str | None) -> str | None:
        """The bot's municipality (`kanalen.telegram_bot`, or WEGWIJS_TELEGRAM_MUNICIPALITY); else shared."""
        wanted = (bot_username or "").lstrip("@").lower()
        for municipality in self.municipalities.values():
            bot = str(municipality.kanalen.get("telegram_bot") or "").lstrip("@").lower()
            if wanted and bot == wanted:
                return municipality.id
        return self.telegram_municipality or self.shared()

    def shared(self) -> str | None:
        """The municipality of a shared channel: None (the gateway asks) or the default."""
        return None if self.asks else self.default

    @property
    def asks(self) -> bool:
        return self.ask and len(self.municipalities) > 1

    # -- decided by the user -----------------------------------------------------------------
    def match(self, text: str) -> str | None:
        """The municipality a short answer names ("Rivierdm", "in Zandhoeve", "Lage Waard"), or None.

        Every run of 1-3 words of the answer is compared with every municipality's id, name and
        places (rapidfuzz's normalised InDel similarity on folded text); the best score counts when
        it reaches MATCH_THRESHOLD and no other municipality scores as high."""
        words = _fold(text).split()
        if not words or len(words) > MAX_ANSWER_WORDS:
            return None
        windows = {" ".join(words[i:i + n]) for n in (1, 2, 3) for i in range(len(words) - n + 1)}
        windows = {w for w in windows if len(w) >= 3}
        best: dict[str, float] = {}
        for municipality in self.municipalities.values():
            names = {_fold(municipality.id), _fold(municipality.naam), *(_fold(p) for p in municipality.plaatsen)}
            score = max((fuzz.ratio(w, n) for w in windows for n in names if n), default=0.0)
            best[municipality.id] = score
        if not best:
            return None
        ranked = sorted(best.items(), key=lambda item: item[1], reverse=True)
        top_id, top = ranked[0]
        if top < MATCH_THRESHOLD or (len(ranked) > 1 and ranked[1][1] == top):
            return None
        return top_id

    def statement(self, text: str) -> tuple[bool, str | None, bool]:
        """(the text says where the user lives, the municipality it names or None, there is more).

        "ik woon in Dijkzicht" -> (True, "rivierdam", False); "ik woon in Parijs" -> (True, None,
        False); "ik woon in Rivierdam, moet ik inburgeren?" -> (True, "rivierdam", True): a
        question follows; "ik woon in Utrecht, moet ik inburgeren?" -> (False, None, False): a
        question about some other place, for the engine; "hoeveel tijd heb ik?" -> (False, None, False)."""
        said = _fold(text)
        if not said:
            return False, None, False
        before, after = _statement_phrases()
        rest = None
        for phrase in before:
            if said.startswith(phrase + " "):
                rest = said[len(phrase) + 1:]
                break
        else:
            for phrase in after:
                if said.endswith(" " + phrase):
                    rest = said[: -len(phrase) - 1]
                    break
        if rest is None:
            return False, None, False
        words = rest.split()
        if len(words) <= SHORT_PLACE_WORDS:
            return True, self.match(rest), False
        named = self.match(" ".join(words[:SHORT_PLACE_WORDS]))
        return (True, named, True) if named is not None else (False, None, False)


def _webchat_slug(municipality: Municipality) -> str:
    return str(municipality.kanalen.get("webchat") or municipality.id)


def choice_buttons(tenancy: Tenancy) -> list[Button]:
    """One button per municipality, by name (WhatsApp: reply buttons up to 3, else a list)."""
    ordered = sorted(tenancy.municipalities.values(), key=lambda m: m.naam)
    return [Button(title=m.naam, payload=f"{CHOICE_PREFIX}{m.id}") for m in ordered]


def _say(name: str, language: str, **params: Any) -> str:
    return catalogue_text(f"{DOMAIN}.{name}", language, **params)


class TenancyGate:
    """Interceptor (channels/app.py `wire`): asks a shared channel's user for the municipality,
    once, and handles "ik woon in …" at any time. See the module doc."""

    def __init__(self, service: ConversationService) -> None:
        self.service = service
        self.tenancy = service.tenancy

    async def __call__(self, inbound: InboundMessage) -> list[OutgoingMessage] | None:
        conversation = inbound.conversation
        text = inbound.text.strip()
        language = conversation.language
        if len(self.tenancy.municipalities) <= 1:
            return None  # one municipality: nothing to decide
        more = False
        question = None if self.tenancy.known(conversation.municipality) else self._open_question(conversation.id)

        if text.startswith(CHOICE_PREFIX):  # a municipality button (checked against the offered ones)
            named: str | None = text[len(CHOICE_PREFIX):].strip()
            stated = self.tenancy.known(named)
        else:
            stated, named, more = self.tenancy.statement(text)
        if stated:
            if named is None:
                return [self._question(language, "unknown_place", question, inbound.message_id)]
            if named == conversation.municipality:
                if more:
                    return None  # "ik woon in <the same place>, <a question>": for the engine
                return [OutgoingMessage(text=_say("unchanged", language, municipality=self.tenancy.name(named)),
                                        sender="system")]
            kind = "changed" if self.tenancy.known(conversation.municipality) else "chosen"
            # a question after the place is answered too; else the first message that waited
            return await self._decided(inbound, named, question, kind, then=inbound.text if more else None)
        if self.tenancy.known(conversation.municipality):
            return None  # known: the engine answers
        if text.startswith("/"):
            return None  # service commands and other buttons (language, human, delete) are not held up
        if not self.tenancy.asks:  # e.g. a conversation from before the region feature
            self.service.set_municipality(conversation.id, self.tenancy.default)
            inbound.metadata["municipality"] = self.tenancy.default
            return None
        if question is None:  # the first message: maybe it already names the municipality
            named = self.tenancy.match(text)
            if named is not None:
                return await self._decided(inbound, named, None, "chosen")
            log.info("municipality asked conversation=%s", hash_id(conversation.id))
            return [self._question(language, "ask", None, inbound.message_id)]
        named = self.tenancy.match(text)
        if named is not None:
            return await self._decided(inbound, named, question, "chosen")
        attempt = int(question.get("attempt") or 1)
        if attempt >= MAX_ATTEMPTS:
            return await self._decided(inbound, self.tenancy.default, question, "assumed")
        return [self._question(language, "not_recognised", question, inbound.message_id)]

    # -- steps --------------------------------------------------------------------------------
    def _question(
        self, language: str, name: str, question: dict[str, Any] | None, message_id: int
    ) -> OutgoingMessage:
        """The question (again), keeping the first message to answer once the municipality is known."""
        pending = question.get(QUESTION_KEY) if question else None
        data: dict[str, Any] = {QUESTION_KEY: pending if pending is not None else message_id,
                                "attempt": int(question.get("attempt") or 1) + 1 if question else 1}
        if question is None and name == "unknown_place":
            data[QUESTION_KEY] = None  # a correction naming an unknown place: nothing to answer later
        return OutgoingMessage(text=_say(name, language), buttons=choice_buttons(self.tenancy),
                               sender="system", data=data)

    async def _decided(
        self, inbound: InboundMessage, municipality: str, question: dict[str, Any] | None, kind: str,
        *, then: str | None = None,
    ) -> list[OutgoingMessage]:
        """Store the municipality, confirm it, and answer `then` or the message that waited for it."""
        conversation = inbound.conversation
        self.service.set_municipality(conversation.id, municipality)
        log.info("municipality %s conversation=%s", kind, hash_id(conversation.id))
        name = self.tenancy.name(municipality)
        confirmation = OutgoingMessage(text=_say(kind, conversation.language, municipality=name), sender="system")
        pending_id = question.get(QUESTION_KEY) if question else None
        pending = then or (self.service.stored_inbound_text(pending_id) if isinstance(pending_id, int) else None)
        if not pending:
            return [confirmation]
        # the confirmation first (stored now, so it is shown before the answer), then the answer
        stored = self.service.store_outgoing(conversation.id, [confirmation])
        ref = conversation.with_municipality(municipality)
        metadata = {**inbound.metadata, "municipality": municipality}
        return stored + await self.service.answer(ref, pending, metadata)

    def _open_question(self, conversation_id: str) -> dict[str, Any] | None:
        """`data` of the latest question, when no answer settled it since (the municipality is unknown)."""
        return self.service.latest_message_data(conversation_id, QUESTION_KEY)
