"""Where sharing with the referent meets the conversation: the commands, the offer, the hooks.

`ReferentCommands` (an interceptor, before the handoff one) answers, so the engine never sees them:
- her "delen met mijn partner" / "/delen" (words in every language: knowledge/chatwords.yml
  `share_dates`): what he will and will not see, and "with or without reminders?" as buttons
  whose payloads are gateway commands `/wegwijs_referent{"share": true, "reminders": true}`;
  the button gives the one-time code. Without a stored deadline answer: how to get one.
- a code from anyone, on any channel ("WW-7K3PA-9QXMR", any case, with or without dashes):
  links his conversation to hers; she is told, he gets a button for her dates.
- his "data van mijn partner" / "/haar_data" (`partner_dates`): her timeline picture and legal
  dates in his language.
- "stop delen" / "/stop_delen" (`stop_sharing`): she stops sharing (he is told access ended,
  without details), or, from him, he stops seeing her dates (she is told).

`offering_sharing` adds the "Delen met partner" button to the answer on the reminder offer that
follows a deadline answer (the deadline answer's own messages stay as they are for every channel).
`erasing` ends the links before a conversation is erased, so the other person is told.
`copying_reminders` is the hook `ReminderService` calls after each reminder it sent.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from gateway.core.conversation import InboundMessage, Interceptor, PayloadContext, PayloadHandler
from gateway.core.schemas import Button, OutgoingMessage
from gateway.referents import texts
from gateway.referents.routes import compute, png_url
from gateway.referents.service import VIEW_KIND, ReferentService, code_in, day_of
from gateway.reminders import handlers as reminder_handlers
from gateway.reminders.models import Reminder
from gateway.reminders.texts import REMINDER_TEXTS, format_day, lang_of
from knowledge import chatwords
from redaction.logs import hash_id

log = logging.getLogger(__name__)

COMMAND = "/wegwijs_referent"
SHARE = "/delen"
VIEW = "/haar_data"
STOP = "/stop_delen"


def command_payload(reminders: bool) -> str:
    return COMMAND + json.dumps({"share": True, "reminders": reminders}, separators=(", ", ": "))


def parse_command(text: str) -> dict[str, Any] | None:
    text = text.strip()
    if not text.startswith(COMMAND):
        return None
    try:
        data = json.loads(text[len(COMMAND) :] or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _is(text: str, slash: str, kind: str) -> bool:
    """A slash command (offered as a button, or typed: then the service removed the slash) or words."""
    plain = text.strip().lower().split("@")[0]
    return plain in (slash, slash.lstrip("/")) or chatwords.is_phrase(kind, text)


def is_share(text: str) -> bool:
    return _is(text, SHARE, "share_dates")


def is_view(text: str) -> bool:
    return _is(text, VIEW, "partner_dates")


def is_stop(text: str) -> bool:
    return _is(text, STOP, "stop_sharing")


def system(text: str, buttons: list[Button] | None = None, data: dict[str, Any] | None = None) -> OutgoingMessage:
    return OutgoingMessage(text=text, buttons=buttons or [], data=data, sender="system")


def view_button(lang: str) -> Button:
    return Button(title=texts.VIEW_BUTTON[lang], payload=VIEW)


def share_button(lang: str) -> Button:
    return Button(title=texts.OFFER_BUTTON[lang], payload=SHARE)


def dates_text(result: Any, lang: str) -> str:
    """The legal dates (not the planning estimates), one a line, with their labels in `lang`."""
    from knowledge.deadlines.labels import DATE_KEYS, format_date, label, language

    words = language(lang)
    dates = dict(result.get("dates") or {})
    lines = [f"• {label(key, words)}: {format_date(str(dates[key]), words)}" for key in DATE_KEYS if key in dates]
    return "\n".join(lines)


async def tell(referents: ReferentService, conversation_ids: list[str], text: Any) -> None:
    """Send one catalogue text to other people, each in his or her own conversation's language."""
    for other in conversation_ids:
        await referents.deliver(other, [system(text[lang_of(referents.language_of(other))])])


class ReferentCommands:
    """Interceptor for sharing: her share and stop commands, his code and his view (module doc)."""

    def __init__(self, referents: ReferentService) -> None:
        self.referents = referents

    async def __call__(self, inbound: InboundMessage) -> list[OutgoingMessage] | None:
        text = inbound.text
        lang = lang_of(inbound.conversation.language)
        conversation_id = inbound.conversation.id
        command = parse_command(text)
        if command is not None:
            return self._share(conversation_id, lang, bool(command.get("reminders")) if command.get("share") else None)
        if is_share(text):
            return self._explain(conversation_id, lang)
        if is_stop(text):
            return await self._stop(conversation_id, lang)
        if is_view(text):
            return self.view(conversation_id, lang)
        code = code_in(text)
        if code is not None:
            return await self._redeem(conversation_id, code, lang)
        return None

    # -- her side -------------------------------------------------------------------------
    def _explain(self, conversation_id: str, lang: str) -> list[OutgoingMessage]:
        if self.referents.latest_deadlines(conversation_id) is None:
            return [system(texts.NO_DATES[lang])]
        buttons = [
            Button(title=texts.WITH_REMINDERS[lang], payload=command_payload(True)),
            Button(title=texts.WITHOUT_REMINDERS[lang], payload=command_payload(False)),
        ]
        return [system(f"{texts.EXPLAIN[lang]}\n\n{texts.ASK_REMINDERS[lang]}", buttons)]

    def _share(self, conversation_id: str, lang: str, reminders: bool | None) -> list[OutgoingMessage]:
        if reminders is None:
            return []
        if self.referents.latest_deadlines(conversation_id) is None:
            return [system(texts.NO_DATES[lang])]
        code, expires = self.referents.create_code(conversation_id, reminders)
        day, time = day_of(expires, self.referents.settings.timezone)
        howto = texts.CODE_HOWTO[lang].format(date=format_day(day, lang), time=time)
        choice = texts.CODE_REMINDERS_YES[lang] if reminders else texts.CODE_REMINDERS_NO[lang]
        return [
            system(texts.CODE[lang].format(code=code)),
            system(f"{howto}\n\n{choice}", [Button(title=texts.STOP_BUTTON[lang], payload=STOP)]),
        ]

    async def _stop(self, conversation_id: str, lang: str) -> list[OutgoingMessage]:
        ended = self.referents.revoke_as_migrant(conversation_id)
        if ended.links or ended.codes:
            await self._tell(ended.others, texts.ACCESS_ENDED)
            return [system(texts.STOPPED[lang])]
        left = self.referents.leave_as_referent(conversation_id)
        if left.links:
            await self._tell(left.others, texts.PARTNER_LEFT)
            return [system(texts.ACCESS_ENDED[lang])]
        return [system(texts.STOPPED_NOTHING[lang])]

    async def _tell(self, conversation_ids: list[str], text: Any) -> None:
        await tell(self.referents, conversation_ids, text)

    # -- his side -------------------------------------------------------------------------
    async def _redeem(self, conversation_id: str, code: str, lang: str) -> list[OutgoingMessage]:
        redeemed = self.referents.redeem(conversation_id, code)
        refusals = {
            "invalid": texts.CODE_INVALID, "expired": texts.CODE_EXPIRED, "used": texts.CODE_USED,
            "own": texts.CODE_OWN, "too_many": texts.TOO_MANY,
        }
        if redeemed.outcome in refusals:
            return [system(refusals[redeemed.outcome][lang])]
        if redeemed.outcome == "already":
            return [system(texts.ALREADY_LINKED[lang], [view_button(lang)])]
        assert redeemed.migrant_conversation_id is not None
        await self._tell([redeemed.migrant_conversation_id], texts.MIGRANT_LINKED)
        answer = texts.LINKED[lang]
        if redeemed.share_reminders:
            answer = f"{answer}\n\n{texts.LINKED_REMINDERS[lang]}"
        return [system(answer, [view_button(lang)])]

    def view(self, conversation_id: str, lang: str) -> list[OutgoingMessage]:
        """Her timeline picture and legal dates, for each active link in which he is the referent."""
        links = self.referents.links_as_referent(conversation_id)
        if not links:
            return [system(texts.NOT_LINKED[lang])]
        settings = self.referents.settings
        messages: list[OutgoingMessage] = []
        for link in links:
            marker = {"wegwijs": {"type": VIEW_KIND, "link": link.id}}
            stored = self.referents.latest_deadlines(link.migrant_conversation_id)
            if stored is None:
                messages.append(system(texts.VIEW_NONE[lang], data=marker))
                continue
            try:
                result, _today = compute(stored.input, lang, settings.timezone)
            except Exception as exc:  # noqa: BLE001 - an input the engine now refuses: say there are none
                log.info("referent view without dates link=%d: %s", link.id, type(exc).__name__)
                messages.append(system(texts.VIEW_NONE[lang], data=marker))
                continue
            body = f"{texts.VIEW_HEADING[lang]}\n{dates_text(result, lang)}\n\n{texts.VIEW_FOOTER[lang]}"
            messages.append(OutgoingMessage(image_url=png_url(settings, link.id, lang), data=marker, sender="system"))
            messages.append(system(body, [view_button(lang)], data=marker))
        log.info("referent view conversation=%s links=%d", hash_id(conversation_id), len(links))
        return messages


def offering_sharing(interceptor: Interceptor, referents: ReferentService) -> Interceptor:
    """Wrap the reminders interceptor: its answer to the reminder offer (Ja/Nee after a deadline
    answer) also gets the "Delen met partner" button, unless she already shares."""

    async def wrapped(inbound: InboundMessage) -> list[OutgoingMessage] | None:
        messages = await interceptor(inbound)
        if not messages or reminder_handlers.parse_command(inbound.text) is None:
            return messages
        conversation_id = inbound.conversation.id
        if referents.links_as_migrant(conversation_id) or referents.latest_deadlines(conversation_id) is None:
            return messages
        last = messages[-1]
        lang = lang_of(inbound.conversation.language)
        messages[-1] = last.model_copy(update={"buttons": [*last.buttons, share_button(lang)]})
        return messages

    return wrapped


def erasing(handler: PayloadHandler, referents: ReferentService) -> PayloadHandler:
    """Wrap the "delete my data" handler: end this person's links first and tell the other side.

    The erase itself removes the rows (foreign keys); this only makes sure he is told his access
    ended, or she is told he no longer sees her dates, and his stored copies of her dates go."""

    async def wrapped(ctx: PayloadContext, data: dict[str, Any]) -> list[OutgoingMessage]:
        conversation_id = ctx.conversation.id
        ended = referents.revoke_as_migrant(conversation_id)
        left = referents.leave_as_referent(conversation_id)
        await tell(referents, ended.others, texts.ACCESS_ENDED)
        await tell(referents, left.others, texts.PARTNER_LEFT)
        return await handler(ctx, data)

    return wrapped


def copying_reminders(referents: ReferentService):  # noqa: ANN201 - an async hook for ReminderService
    """The hook `ReminderService` calls after it sent one of her reminders: a copy to each referent
    she chose to share reminders with, in his language."""

    async def copy(reminder: Reminder) -> None:
        if reminder.text_key not in REMINDER_TEXTS:
            return
        for link_id, referent_id, language in referents.reminder_receivers(reminder.conversation_id):
            lang = lang_of(language)
            body = REMINDER_TEXTS[reminder.text_key][lang].format(date=format_day(reminder.due_date, lang))
            text = f"{texts.REMINDER_COPY[lang]}\n\n{body}\n\n{texts.REMINDER_COPY_STOP[lang]}"
            marker = {"wegwijs": {"type": VIEW_KIND, "link": link_id}}
            await referents.deliver(referent_id, [system(text, data=marker)])
            log.info("reminder copy sent link=%d", link_id)

    return copy
